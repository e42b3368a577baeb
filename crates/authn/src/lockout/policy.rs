//! Smart lockout settings.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::Duration;

/// Defaults follow Entra: lock after 10 counted failures, first lockout 60 s.
///
/// Entra does not disclose how the lockout grows, so Portcullis chooses: each further
/// lockout in a streak **doubles** the previous one (60 s, 2 min, 4 min, 8 min, …), capped
/// at `max_lockout` (1 h). A streak ends, and a location's counters go back to zero, after
/// `failure_memory` (24 h) without a counted failure, or on success, password reset or admin
/// unlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, default)]
pub struct LockoutPolicy {
    pub threshold: u32,
    #[serde(with = "seconds")]
    pub first_lockout: Duration,
    #[serde(with = "seconds")]
    pub max_lockout: Duration,
    #[serde(with = "seconds")]
    pub failure_memory: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            threshold: 10,
            first_lockout: Duration::seconds(60),
            max_lockout: Duration::hours(1),
            failure_memory: Duration::hours(24),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LockoutPolicyError {
    #[error("lockout threshold must be 1 to 100, not {0}")]
    Threshold(u32),
    #[error("first_lockout must be at least 1 s and at most max_lockout")]
    Durations,
    #[error("failure_memory must be at least max_lockout, or a streak could end while locked")]
    Memory,
}

impl LockoutPolicy {
    pub fn validate(&self) -> Result<(), LockoutPolicyError> {
        if !(1..=100).contains(&self.threshold) {
            return Err(LockoutPolicyError::Threshold(self.threshold));
        }
        if self.first_lockout < Duration::SECOND || self.first_lockout > self.max_lockout {
            return Err(LockoutPolicyError::Durations);
        }
        if self.failure_memory < self.max_lockout {
            return Err(LockoutPolicyError::Memory);
        }
        Ok(())
    }

    /// Length of the `nth` lockout of a streak (1-based): doubling from `first_lockout`,
    /// capped at `max_lockout`.
    pub fn lockout_duration(&self, nth: u32) -> Duration {
        let doublings = nth.saturating_sub(1).min(32);
        let factor = 2i64.saturating_pow(doublings);
        let seconds = self.first_lockout.whole_seconds().saturating_mul(factor);
        Duration::seconds(seconds).min(self.max_lockout)
    }
}

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
        assert_eq!(LockoutPolicy::default().validate(), Ok(()));
    }

    #[test]
    fn growth_doubles_and_caps() {
        let policy = LockoutPolicy::default();
        let seconds: Vec<i64> = (1..=8)
            .map(|nth| policy.lockout_duration(nth).whole_seconds())
            .collect();
        assert_eq!(seconds, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(policy.lockout_duration(u32::MAX), Duration::hours(1));
    }

    #[test]
    fn bad_settings_are_refused() {
        let zero = LockoutPolicy {
            threshold: 0,
            ..Default::default()
        };
        assert_eq!(zero.validate(), Err(LockoutPolicyError::Threshold(0)));
        let inverted = LockoutPolicy {
            first_lockout: Duration::hours(2),
            ..Default::default()
        };
        assert_eq!(inverted.validate(), Err(LockoutPolicyError::Durations));
        let forgetful = LockoutPolicy {
            failure_memory: Duration::minutes(5),
            ..Default::default()
        };
        assert_eq!(forgetful.validate(), Err(LockoutPolicyError::Memory));
    }
}
