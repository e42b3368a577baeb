//! Settings for one-time codes.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::Duration;

/// How codes are made and limited. Defaults: 6 digits, valid 10 minutes, 5 wrong tries,
/// at least 30 s between sends and at most 5 sends per hour to one destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, default)]
pub struct OtpCodePolicy {
    /// 6 to 8.
    pub digits: usize,
    #[serde(with = "seconds")]
    pub lifetime: Duration,
    /// Wrong codes allowed per challenge (across resends) before it is dead.
    pub max_attempts: u32,
    #[serde(with = "seconds")]
    pub min_resend_interval: Duration,
    /// Sends allowed per destination within `send_window`.
    pub max_sends_per_window: u32,
    #[serde(with = "seconds")]
    pub send_window: Duration,
}

impl Default for OtpCodePolicy {
    fn default() -> Self {
        Self {
            digits: 6,
            lifetime: Duration::minutes(10),
            max_attempts: 5,
            min_resend_interval: Duration::seconds(30),
            max_sends_per_window: 5,
            send_window: Duration::hours(1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OtpCodePolicyError {
    #[error("one-time code digits must be 6 to 8, not {0}")]
    Digits(usize),
    #[error("one-time code lifetime must be 1 to 60 minutes, not {0} s")]
    Lifetime(i64),
    #[error("one-time code max_attempts must be 1 to 10, not {0}")]
    MaxAttempts(u32),
    #[error("max_sends_per_window must be at least 1 and send_window positive")]
    SendWindow,
    #[error("min_resend_interval must not be negative")]
    ResendInterval,
}

impl OtpCodePolicy {
    /// Checks the settings are within sane bounds (a configuration mistake, e.g. a day-long
    /// code or 1,000 attempts, would make a 6-digit code guessable).
    pub fn validate(&self) -> Result<(), OtpCodePolicyError> {
        if !(6..=8).contains(&self.digits) {
            return Err(OtpCodePolicyError::Digits(self.digits));
        }
        if self.lifetime < Duration::minutes(1) || self.lifetime > Duration::hours(1) {
            return Err(OtpCodePolicyError::Lifetime(self.lifetime.whole_seconds()));
        }
        if !(1..=10).contains(&self.max_attempts) {
            return Err(OtpCodePolicyError::MaxAttempts(self.max_attempts));
        }
        if self.max_sends_per_window == 0 || self.send_window <= Duration::ZERO {
            return Err(OtpCodePolicyError::SendWindow);
        }
        if self.min_resend_interval < Duration::ZERO {
            return Err(OtpCodePolicyError::ResendInterval);
        }
        Ok(())
    }
}

/// Durations in configuration are whole seconds.
mod seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Duration;

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(duration.whole_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        i64::deserialize(deserializer).map(Duration::seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        assert_eq!(OtpCodePolicy::default().validate(), Ok(()));
    }

    #[test]
    fn bad_settings_are_named() {
        let cases = [
            (
                OtpCodePolicy {
                    digits: 4,
                    ..Default::default()
                },
                OtpCodePolicyError::Digits(4),
            ),
            (
                OtpCodePolicy {
                    lifetime: Duration::days(1),
                    ..Default::default()
                },
                OtpCodePolicyError::Lifetime(86_400),
            ),
            (
                OtpCodePolicy {
                    max_attempts: 0,
                    ..Default::default()
                },
                OtpCodePolicyError::MaxAttempts(0),
            ),
            (
                OtpCodePolicy {
                    max_sends_per_window: 0,
                    ..Default::default()
                },
                OtpCodePolicyError::SendWindow,
            ),
        ];
        for (policy, expected) in cases {
            assert_eq!(policy.validate(), Err(expected));
        }
    }

    #[test]
    fn deserializes_seconds_with_defaults() {
        let policy: OtpCodePolicy = serde_json::from_str(r#"{"lifetime":300}"#).unwrap();
        assert_eq!(policy.lifetime, Duration::minutes(5));
        assert_eq!(policy.max_attempts, 5);
    }
}
