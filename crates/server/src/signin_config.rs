//! The `[signin]` configuration section: argon2 parameters, lockout, lifetimes, group
//! commit, and how one-time codes reach users.
//!
//! ```toml
//! [signin]
//! argon2_memory_kib = 19456
//! argon2_iterations = 2
//! lockout_threshold = 10
//! rate_limit_per_ip_per_minute = 600  # sign-in attempts from one address
//! rate_limit_per_ip_burst = 120
//! commit_delay_ms = 4     # under load, steps wait up to this long to share a commit
//! code_file = "/var/lib/portcullis/dev-codes.jsonl"   # development only
//!
//! [signin.email]          # SMTP (STARTTLS by default; "plainLoopback" for a local sink)
//! host = "smtp.example.com"
//! port = 587
//! from = "Portcullis <no-reply@example.com>"
//!
//! [signin.passwords]      # a password the user chooses (forced change, reset)
//! min_length = 12
//! banned_words = ["contoso", "portcullis"]
//! leaked_ranges_dir = "/var/lib/portcullis/hibp"   # Have I Been Pwned range files
//!
//! [signin.password_reset] # self-service password reset
//! enabled = true
//! methods_required = 2    # 1 or 2 different methods
//!
//! [signin.sms]            # HTTP webhook provider
//! url = "https://sms.example.com/send"
//! bearer_token = "…"
//! ```

use std::path::PathBuf;
use std::sync::Arc;

use portcullis_service::signin::codes::{
    CodeDeliveryError, CodeSender, FileCodeSender, RoutingCodeSender, SmtpCodeSender, SmtpSettings,
    WebhookCodeSender, WebhookSettings,
};
use portcullis_service::signin::{NewPasswordSettings, SessionLifetimes, SignInSettings};
use serde::Deserialize;
use time::Duration;

use crate::config::ConfigError;

/// A commit delay above this would be felt by every user under load.
const MAX_COMMIT_DELAY_MS: u64 = 50;

/// `[signin]`; every key optional.
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SignInSection {
    pub argon2_memory_kib: Option<u32>,
    pub argon2_iterations: Option<u32>,
    pub argon2_parallelism: Option<u32>,
    /// Wrong passwords before smart lockout engages.
    pub lockout_threshold: Option<u32>,
    /// Sign-in attempts per minute from one client address, and the burst allowed above
    /// that rate (raise both when many users share one address behind a NAT or proxy).
    pub rate_limit_per_ip_per_minute: Option<u32>,
    pub rate_limit_per_ip_burst: Option<u32>,
    pub transaction_lifetime_secs: Option<u64>,
    /// A browser session without "persistent browser".
    pub session_lifetime_secs: Option<u64>,
    pub persistent_session_lifetime_secs: Option<u64>,
    /// Most sign-in steps per group commit (1 disables grouping).
    pub group_commit_max: Option<usize>,
    /// Milliseconds a group commit may wait for other steps under way (0: never).
    pub commit_delay_ms: Option<u64>,
    /// Development and tests: write every one-time code as a JSON line to this file, for
    /// the channels without a real provider. Never in production.
    pub code_file: Option<PathBuf>,
    pub email: Option<SmtpSettings>,
    pub sms: Option<WebhookSettings>,
    pub voice: Option<WebhookSettings>,
    pub passwords: Option<PasswordsSection>,
    pub password_reset: Option<PasswordResetSection>,
}

/// `[signin.password_reset]`.
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetSection {
    /// Default true.
    pub enabled: Option<bool>,
    /// 1 (default) or 2 different methods must be verified.
    pub methods_required: Option<u8>,
}

/// `[signin.passwords]`: the rules for a password the user chooses.
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PasswordsSection {
    /// At least 8 (NIST SP 800-63B); default 8.
    pub min_length: Option<usize>,
    /// Refuse the shipped list of common passwords (default true).
    pub reject_common: Option<bool>,
    /// Organisation words a password must not contain (4–64 characters each).
    pub banned_words: Option<Vec<String>>,
    /// A directory of Have I Been Pwned SHA-1 range files (`5BAA6.txt` …).
    pub leaked_ranges_dir: Option<PathBuf>,
}

impl PasswordsSection {
    fn settings(&self) -> NewPasswordSettings {
        let mut settings = NewPasswordSettings::default();
        if let Some(min_length) = self.min_length {
            settings.rules.min_length = min_length;
        }
        if let Some(reject_common) = self.reject_common {
            settings.rules.reject_common = reject_common;
        }
        if let Some(words) = &self.banned_words {
            settings.rules.banned_words = words.clone();
        }
        settings.leaked_ranges_dir = self.leaked_ranges_dir.clone();
        settings
    }
}

impl SignInSection {
    /// Overlays `other` on `self` (every key set in `other` wins).
    pub fn merge(self, other: SignInSection) -> SignInSection {
        SignInSection {
            argon2_memory_kib: other.argon2_memory_kib.or(self.argon2_memory_kib),
            argon2_iterations: other.argon2_iterations.or(self.argon2_iterations),
            argon2_parallelism: other.argon2_parallelism.or(self.argon2_parallelism),
            lockout_threshold: other.lockout_threshold.or(self.lockout_threshold),
            rate_limit_per_ip_per_minute: other
                .rate_limit_per_ip_per_minute
                .or(self.rate_limit_per_ip_per_minute),
            rate_limit_per_ip_burst: other
                .rate_limit_per_ip_burst
                .or(self.rate_limit_per_ip_burst),
            transaction_lifetime_secs: other
                .transaction_lifetime_secs
                .or(self.transaction_lifetime_secs),
            session_lifetime_secs: other.session_lifetime_secs.or(self.session_lifetime_secs),
            persistent_session_lifetime_secs: other
                .persistent_session_lifetime_secs
                .or(self.persistent_session_lifetime_secs),
            group_commit_max: other.group_commit_max.or(self.group_commit_max),
            commit_delay_ms: other.commit_delay_ms.or(self.commit_delay_ms),
            code_file: other.code_file.or(self.code_file),
            email: other.email.or(self.email),
            sms: other.sms.or(self.sms),
            voice: other.voice.or(self.voice),
            passwords: other.passwords.or(self.passwords),
            password_reset: other.password_reset.or(self.password_reset),
        }
    }

    /// The service settings, validated.
    pub fn settings(&self) -> Result<SignInSettings, ConfigError> {
        let mut settings = SignInSettings::default();
        if let Some(memory_kib) = self.argon2_memory_kib {
            settings.argon2.memory_kib = memory_kib;
        }
        if let Some(iterations) = self.argon2_iterations {
            settings.argon2.iterations = iterations;
        }
        if let Some(parallelism) = self.argon2_parallelism {
            settings.argon2.parallelism = parallelism;
        }
        if let Some(threshold) = self.lockout_threshold {
            settings.lockout.threshold = threshold;
        }
        for (value, key, slot) in [
            (
                self.rate_limit_per_ip_per_minute,
                "signin.rate_limit_per_ip_per_minute",
                &mut settings.rate_limits.per_ip_per_minute,
            ),
            (
                self.rate_limit_per_ip_burst,
                "signin.rate_limit_per_ip_burst",
                &mut settings.rate_limits.per_ip_burst,
            ),
        ] {
            match value {
                None => {}
                Some(0) => {
                    return Err(ConfigError::Invalid {
                        key,
                        message: "must be at least 1".into(),
                    });
                }
                Some(limit) => *slot = limit,
            }
        }
        if let Some(passwords) = &self.passwords {
            settings.passwords = passwords.settings();
        }
        if let Some(reset) = &self.password_reset {
            if let Some(enabled) = reset.enabled {
                settings.password_reset.enabled = enabled;
            }
            match reset.methods_required {
                None => {}
                Some(required @ 1..=2) => {
                    settings.password_reset.policy.methods_required = required
                }
                Some(other) => {
                    return Err(ConfigError::Invalid {
                        key: "signin.password_reset.methods_required",
                        message: format!("must be 1 or 2, not {other}"),
                    });
                }
            }
        }
        settings
            .validate()
            .map_err(|message| ConfigError::Invalid {
                key: "signin",
                message,
            })?;
        let seconds = |value: Option<u64>, default: Duration, key: &'static str| match value {
            None => Ok(default),
            Some(0) => Err(ConfigError::Invalid {
                key,
                message: "must be at least 1 second".into(),
            }),
            Some(secs) => {
                i64::try_from(secs)
                    .map(Duration::seconds)
                    .map_err(|_| ConfigError::Invalid {
                        key,
                        message: format!("{secs} seconds is too long"),
                    })
            }
        };
        settings.transaction_lifetime = seconds(
            self.transaction_lifetime_secs,
            settings.transaction_lifetime,
            "signin.transaction_lifetime_secs",
        )?;
        settings.sessions = SessionLifetimes {
            session: seconds(
                self.session_lifetime_secs,
                settings.sessions.session,
                "signin.session_lifetime_secs",
            )?,
            persistent: seconds(
                self.persistent_session_lifetime_secs,
                settings.sessions.persistent,
                "signin.persistent_session_lifetime_secs",
            )?,
        };
        if let Some(max) = self.group_commit_max {
            settings.group_commit_max = max.clamp(1, 1024);
        }
        if let Some(delay) = self.commit_delay_ms {
            if delay > MAX_COMMIT_DELAY_MS {
                return Err(ConfigError::Invalid {
                    key: "signin.commit_delay_ms",
                    message: format!(
                        "at most {MAX_COMMIT_DELAY_MS} ms: every sign-in under load waits this long"
                    ),
                });
            }
            settings.commit_delay = std::time::Duration::from_millis(delay);
        }
        Ok(settings)
    }

    /// The code providers: SMTP for email and webhooks for SMS and voice where
    /// configured, the development file for the rest when `code_file` is set.
    pub fn code_sender(&self) -> Result<Arc<dyn CodeSender>, ConfigError> {
        let file = || -> Option<Box<dyn CodeSender>> {
            self.code_file
                .clone()
                .map(|path| Box::new(FileCodeSender::new(Some(path))) as Box<dyn CodeSender>)
        };
        let webhook = |settings: &Option<WebhookSettings>, key: &'static str| {
            settings
                .clone()
                .map(|settings| {
                    WebhookCodeSender::new(settings)
                        .map(|sender| Box::new(sender) as Box<dyn CodeSender>)
                        .map_err(|err: CodeDeliveryError| ConfigError::Invalid {
                            key,
                            message: err.to_string(),
                        })
                })
                .transpose()
        };
        let email =
            match &self.email {
                Some(smtp) => Some(Box::new(SmtpCodeSender::new(smtp).map_err(|err| {
                    ConfigError::Invalid {
                        key: "signin.email",
                        message: err.to_string(),
                    }
                })?) as Box<dyn CodeSender>),
                None => file(),
            };
        Ok(Arc::new(RoutingCodeSender {
            email,
            sms: webhook(&self.sms, "signin.sms")?.or_else(file),
            voice: webhook(&self.voice, "signin.voice")?.or_else(file),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_validation() {
        let settings = SignInSection::default().settings().unwrap();
        assert_eq!(settings.argon2.memory_kib, 19 * 1024);
        let bad = SignInSection {
            argon2_memory_kib: Some(1),
            ..SignInSection::default()
        };
        assert!(bad.settings().is_err());
        let zero = SignInSection {
            transaction_lifetime_secs: Some(0),
            ..SignInSection::default()
        };
        let err = zero.settings().unwrap_err().to_string();
        assert!(err.contains("signin.transaction_lifetime_secs"), "{err}");
    }

    #[test]
    fn per_address_rate_limits_are_read_and_zero_refused() {
        let section: SignInSection =
            toml::from_str("rate_limit_per_ip_per_minute = 6000\nrate_limit_per_ip_burst = 1200\n")
                .unwrap();
        let settings = section.settings().unwrap();
        assert_eq!(settings.rate_limits.per_ip_per_minute, 6000);
        assert_eq!(settings.rate_limits.per_ip_burst, 1200);
        let zero: SignInSection = toml::from_str("rate_limit_per_ip_burst = 0\n").unwrap();
        let err = zero.settings().unwrap_err().to_string();
        assert!(err.contains("signin.rate_limit_per_ip_burst"), "{err}");
    }

    #[test]
    fn commit_delay_is_read_zero_turns_it_off_and_too_long_is_refused() {
        let default = SignInSection::default().settings().unwrap();
        assert_eq!(default.commit_delay, std::time::Duration::from_millis(4));
        let off: SignInSection = toml::from_str("commit_delay_ms = 0\n").unwrap();
        assert!(off.settings().unwrap().commit_delay.is_zero());
        let long: SignInSection = toml::from_str("commit_delay_ms = 500\n").unwrap();
        let err = long.settings().unwrap_err().to_string();
        assert!(err.contains("signin.commit_delay_ms"), "{err}");
    }

    #[test]
    fn plain_smtp_only_to_loopback() {
        let section: SignInSection = toml::from_str(
            "[email]\nhost = \"smtp.example.com\"\nport = 25\nsecurity = \"plainLoopback\"\nfrom = \"a@example.com\"\n",
        )
        .unwrap();
        let err = section.code_sender().err().unwrap().to_string();
        assert!(err.contains("loopback"), "{err}");
    }

    #[test]
    fn password_rules_are_read_and_checked_at_load() {
        let section: SignInSection = toml::from_str(
            "[passwords]\nmin_length = 12\nbanned_words = [\"contoso\"]\nleaked_ranges_dir = \"/srv/hibp\"\n",
        )
        .unwrap();
        let settings = section.settings().unwrap();
        assert_eq!(settings.passwords.rules.min_length, 12);
        assert_eq!(settings.passwords.rules.banned_words, ["contoso"]);
        assert_eq!(
            settings.passwords.leaked_ranges_dir.as_deref(),
            Some(std::path::Path::new("/srv/hibp"))
        );
        let weak: SignInSection = toml::from_str("[passwords]\nmin_length = 4\n").unwrap();
        let err = weak.settings().unwrap_err().to_string();
        assert!(err.contains("min_length"), "{err}");
        let typo = toml::from_str::<SignInSection>("[passwords]\nminlength = 12\n");
        assert!(typo.is_err());
        let three: SignInSection =
            toml::from_str("[password_reset]\nmethods_required = 3\n").unwrap();
        let err = three.settings().unwrap_err().to_string();
        assert!(err.contains("methods_required"), "{err}");
        let two: SignInSection =
            toml::from_str("[password_reset]\nmethods_required = 2\n").unwrap();
        assert_eq!(
            two.settings()
                .unwrap()
                .password_reset
                .policy
                .methods_required,
            2
        );
    }
}
