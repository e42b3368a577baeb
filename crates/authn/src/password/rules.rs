//! The rules a new password must meet, and the reasons a rejected password gets.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::common::{CommonPasswordList, CommonPasswordListError};
use super::normalize::fold_for_banned_word_match;

/// Longest password accepted, in characters. Bounds the argon2 input and the folding work.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Lowest configurable minimum length: NIST SP 800-63B's floor for memorised secrets.
pub const LOWEST_MIN_PASSWORD_CHARS: usize = 8;
/// Custom banned words must fold to 4–64 characters: shorter words would ban too much
/// (Entra's own limit is 4–16).
const BANNED_WORD_CHARS: std::ops::RangeInclusive<usize> = 4..=64;

fn default_min_length() -> usize {
    LOWEST_MIN_PASSWORD_CHARS
}

fn default_true() -> bool {
    true
}

/// Personal words shorter than this are ignored: a two-letter surname would otherwise
/// ban every password containing those letters.
const MIN_PERSONAL_WORD_CHARS: usize = 4;

/// What the caller knows about the password beyond its text.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordContext<'a> {
    /// From [`super::LeakedPasswordQuery::occurrences_in`]; 0 when absent or not looked up.
    pub leaked_occurrences: u64,
    /// The user's own names (user principal name, its local part, given name, surname,
    /// display name parts), which a password must not contain (matched after folding).
    pub personal_words: &'a [&'a str],
}

/// Password rules as they appear in configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct PasswordRulesConfig {
    /// Minimum length in characters (Unicode scalar values), at least 8.
    #[serde(default = "default_min_length")]
    pub min_length: usize,
    /// Reject passwords on the shipped common-password list.
    #[serde(default = "default_true")]
    pub reject_common: bool,
    /// Organisation-specific words (company, product, city names) a password must not
    /// contain, matched after folding (see [`fold_for_banned_word_match`]).
    #[serde(default)]
    pub banned_words: Vec<String>,
}

impl Default for PasswordRulesConfig {
    fn default() -> Self {
        Self {
            min_length: default_min_length(),
            reject_common: true,
            banned_words: Vec::new(),
        }
    }
}

/// Configuration the rules cannot be built from.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PasswordRulesError {
    #[error(
        "password min_length {configured} is outside {LOWEST_MIN_PASSWORD_CHARS}..={MAX_PASSWORD_CHARS}"
    )]
    MinLengthOutOfRange { configured: usize },
    #[error("banned word {word:?} must have 4 to 64 characters")]
    BannedWordLength { word: String },
    #[error(transparent)]
    CommonList(#[from] CommonPasswordListError),
}

/// One thing wrong with a candidate password, phrased so the user can fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum RejectionReason {
    TooShort { minimum: usize, actual: usize },
    TooLong { maximum: usize, actual: usize },
    Common,
    ContainsBannedWord { word: String },
    ContainsPersonalInfo,
    Leaked { occurrences: u64 },
}

impl std::fmt::Display for RejectionReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooShort { minimum, actual } => write!(
                f,
                "use at least {minimum} characters (this one has {actual})"
            ),
            Self::TooLong { maximum, actual } => write!(
                f,
                "use at most {maximum} characters (this one has {actual})"
            ),
            Self::Common => write!(
                f,
                "this is one of the most commonly used passwords; choose something less predictable"
            ),
            Self::ContainsBannedWord { word } => write!(
                f,
                "do not use {word:?} or a look-alike spelling of it in your password"
            ),
            Self::ContainsPersonalInfo => {
                write!(f, "do not use your name or user name in your password")
            }
            Self::Leaked { occurrences } => write!(
                f,
                "this password has appeared {occurrences} times in known data breaches; choose another"
            ),
        }
    }
}

/// A rejected password with every reason found (not just the first), so the user can fix
/// them all at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Error)]
#[error("password rejected: {}", .reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct PasswordRejection {
    pub reasons: Vec<RejectionReason>,
}

#[derive(Debug, Clone)]
struct BannedWord {
    as_configured: String,
    folded: String,
}

/// Validated password rules.
#[derive(Debug, Clone)]
pub struct PasswordRules {
    min_length: usize,
    common: Option<&'static CommonPasswordList>,
    banned_words: Vec<BannedWord>,
}

impl PasswordRules {
    /// Validates the configuration. Loads the shipped common-password list now, so a
    /// broken build fails at start-up instead of at the first password change.
    pub fn new(config: &PasswordRulesConfig) -> Result<Self, PasswordRulesError> {
        if !(LOWEST_MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&config.min_length) {
            return Err(PasswordRulesError::MinLengthOutOfRange {
                configured: config.min_length,
            });
        }
        let mut banned_words: Vec<BannedWord> = Vec::with_capacity(config.banned_words.len());
        for word in &config.banned_words {
            let folded = fold_for_banned_word_match(word.trim());
            if !BANNED_WORD_CHARS.contains(&folded.chars().count()) {
                return Err(PasswordRulesError::BannedWordLength { word: word.clone() });
            }
            if banned_words.iter().all(|known| known.folded != folded) {
                banned_words.push(BannedWord {
                    as_configured: word.trim().to_owned(),
                    folded,
                });
            }
        }
        let common = if config.reject_common {
            Some(CommonPasswordList::shipped()?)
        } else {
            None
        };
        Ok(Self {
            min_length: config.min_length,
            common,
            banned_words,
        })
    }

    /// Checks length, the common list and banned words. Use [`Self::check_in_context`]
    /// to also check the leaked-password count and the user's own names.
    pub fn check(&self, password: &str) -> Result<(), PasswordRejection> {
        self.check_in_context(password, &PasswordContext::default())
    }

    /// As [`Self::check`], plus what only the caller knows: how often the password was
    /// seen in breaches and the user's own names.
    pub fn check_in_context(
        &self,
        password: &str,
        context: &PasswordContext<'_>,
    ) -> Result<(), PasswordRejection> {
        // Judge the password in the form that will be hashed.
        let normalized = super::hashing::normalize_password(password);
        let password = normalized.as_ref();
        let mut reasons = Vec::new();
        let length = password.chars().count();
        if length > MAX_PASSWORD_CHARS {
            // Nothing else is worth computing on an over-long input.
            reasons.push(RejectionReason::TooLong {
                maximum: MAX_PASSWORD_CHARS,
                actual: length,
            });
            return Err(PasswordRejection { reasons });
        }
        if length < self.min_length {
            reasons.push(RejectionReason::TooShort {
                minimum: self.min_length,
                actual: length,
            });
        }
        if self.common.is_some_and(|list| list.contains(password)) {
            reasons.push(RejectionReason::Common);
        }
        if !self.banned_words.is_empty() {
            let folded = fold_for_banned_word_match(password);
            reasons.extend(
                self.banned_words
                    .iter()
                    .filter(|word| folded.contains(&word.folded))
                    .map(|word| RejectionReason::ContainsBannedWord {
                        word: word.as_configured.clone(),
                    }),
            );
        }
        if !context.personal_words.is_empty() {
            let folded = fold_for_banned_word_match(password);
            let personal = context
                .personal_words
                .iter()
                .map(|word| fold_for_banned_word_match(word.trim()))
                .filter(|word| word.chars().count() >= MIN_PERSONAL_WORD_CHARS)
                .any(|word| folded.contains(&word));
            if personal {
                reasons.push(RejectionReason::ContainsPersonalInfo);
            }
        }
        if context.leaked_occurrences > 0 {
            reasons.push(RejectionReason::Leaked {
                occurrences: context.leaked_occurrences,
            });
        }
        if reasons.is_empty() {
            Ok(())
        } else {
            Err(PasswordRejection { reasons })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_with(words: &[&str]) -> PasswordRules {
        PasswordRules::new(&PasswordRulesConfig {
            banned_words: words.iter().map(|word| (*word).to_owned()).collect(),
            ..PasswordRulesConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn good_password_passes() {
        assert_eq!(rules_with(&[]).check("violet-harbour-42-kettle"), Ok(()));
    }

    #[test]
    fn length_is_counted_in_characters() {
        let rules = rules_with(&[]);
        // 8 characters, 16 bytes.
        assert_eq!(rules.check("ñöüéàçßø"), Ok(()));
        let rejection = rules.check("ñöüéàçß").unwrap_err();
        assert_eq!(
            rejection.reasons,
            vec![RejectionReason::TooShort {
                minimum: 8,
                actual: 7
            }]
        );
    }

    #[test]
    fn too_long_stops_early() {
        let long = "x".repeat(257);
        let rejection = rules_with(&["xxxx"]).check(&long).unwrap_err();
        assert_eq!(
            rejection.reasons,
            vec![RejectionReason::TooLong {
                maximum: 256,
                actual: 257
            }]
        );
        assert_eq!(rules_with(&[]).check(&"x".repeat(256)), Ok(()));
    }

    #[test]
    fn common_passwords_are_rejected_case_insensitively() {
        let rules = rules_with(&[]);
        let rejection = rules.check("PASSWORD1").unwrap_err();
        assert_eq!(rejection.reasons, vec![RejectionReason::Common]);
    }

    #[test]
    fn common_check_can_be_turned_off() {
        let rules = PasswordRules::new(&PasswordRulesConfig {
            reject_common: false,
            ..PasswordRulesConfig::default()
        })
        .unwrap();
        assert_eq!(rules.check("password1"), Ok(()));
    }

    #[test]
    fn banned_words_match_through_substitutions() {
        let rules = rules_with(&["Contoso", "Portcullis"]);
        for password in ["MyC0nt0$0Pass!", "xx-contoso-xx", "p0rtcu11is2026"] {
            let rejection = rules.check(password).unwrap_err();
            assert_eq!(rejection.reasons.len(), 1, "{password}: {rejection}");
            assert!(matches!(
                rejection.reasons[0],
                RejectionReason::ContainsBannedWord { .. }
            ));
        }
        assert_eq!(rules.check("fabrikam-is-fine"), Ok(()));
    }

    #[test]
    fn every_reason_is_reported() {
        let rules = rules_with(&["qwerty"]);
        let context = PasswordContext {
            leaked_occurrences: 3_912_816,
            personal_words: &["QWERTY"],
        };
        let rejection = rules.check_in_context("qwerty", &context).unwrap_err();
        assert_eq!(
            rejection.reasons,
            vec![
                RejectionReason::TooShort {
                    minimum: 8,
                    actual: 6
                },
                RejectionReason::Common,
                RejectionReason::ContainsBannedWord {
                    word: "qwerty".into()
                },
                RejectionReason::ContainsPersonalInfo,
                RejectionReason::Leaked {
                    occurrences: 3_912_816
                },
            ]
        );
        let message = rejection.to_string();
        assert!(message.contains("at least 8 characters"), "{message}");
        assert!(message.contains("3912816 times"), "{message}");
    }

    #[test]
    fn personal_words_are_rejected_after_folding() {
        let rules = rules_with(&[]);
        let words = [
            "alice.martin@contoso.com",
            "alice.martin",
            "Alice",
            "Martin",
            "Li",
        ];
        let context = PasswordContext {
            personal_words: &words,
            ..PasswordContext::default()
        };
        let rejection = rules
            .check_in_context("M@rt1n-in-the-rain", &context)
            .unwrap_err();
        assert_eq!(
            rejection.reasons,
            vec![RejectionReason::ContainsPersonalInfo]
        );
        // "Li" is too short to count, so "lighthouse" is fine.
        assert_eq!(
            rules.check_in_context("lighthouse-keeper-9", &context),
            Ok(())
        );
    }

    #[test]
    fn config_is_validated() {
        let short = PasswordRulesConfig {
            min_length: 6,
            ..PasswordRulesConfig::default()
        };
        assert_eq!(
            PasswordRules::new(&short).unwrap_err(),
            PasswordRulesError::MinLengthOutOfRange { configured: 6 }
        );
        let tiny_word = PasswordRulesConfig {
            banned_words: vec!["abc".into()],
            ..PasswordRulesConfig::default()
        };
        assert_eq!(
            PasswordRules::new(&tiny_word).unwrap_err(),
            PasswordRulesError::BannedWordLength { word: "abc".into() }
        );
    }

    #[test]
    fn config_deserializes_with_defaults() {
        let config: PasswordRulesConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config, PasswordRulesConfig::default());
    }
}
