//! Temporary Access Pass policy, as in Graph's
//! `temporaryAccessPassAuthenticationMethodConfiguration`.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Lifetimes any policy may use: 10 minutes to 30 days (43,200 minutes), as in Entra.
pub const LIFETIME_BOUNDS_MINUTES: std::ops::RangeInclusive<u32> = 10..=43_200;
/// Pass lengths any policy may use: 8 to 48 characters, as in Entra.
pub const LENGTH_BOUNDS: std::ops::RangeInclusive<usize> = 8..=48;

/// Field names and defaults follow Graph: minimum lifetime 1 h, maximum 8 h, default
/// 1 h, length 8, multi-use allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TapPolicy {
    pub default_length: usize,
    pub default_lifetime_in_minutes: u32,
    pub minimum_lifetime_in_minutes: u32,
    pub maximum_lifetime_in_minutes: u32,
    /// When true every pass is one-time, whatever the request says.
    pub is_usable_once: bool,
}

impl Default for TapPolicy {
    fn default() -> Self {
        Self {
            default_length: 8,
            default_lifetime_in_minutes: 60,
            minimum_lifetime_in_minutes: 60,
            maximum_lifetime_in_minutes: 480,
            is_usable_once: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TapPolicyError {
    #[error("{field} is {value} minutes; it must be 10 to 43200 (30 days)")]
    LifetimeOutOfBounds { field: &'static str, value: u32 },
    #[error(
        "lifetimes must satisfy minimum ({minimum}) ≤ default ({default}) ≤ maximum ({maximum})"
    )]
    LifetimeOrder {
        minimum: u32,
        default: u32,
        maximum: u32,
    },
    #[error("pass length {0} must be 8 to 48 characters")]
    Length(usize),
}

impl TapPolicy {
    pub fn validate(&self) -> Result<(), TapPolicyError> {
        for (field, value) in [
            ("minimumLifetimeInMinutes", self.minimum_lifetime_in_minutes),
            ("defaultLifetimeInMinutes", self.default_lifetime_in_minutes),
            ("maximumLifetimeInMinutes", self.maximum_lifetime_in_minutes),
        ] {
            if !LIFETIME_BOUNDS_MINUTES.contains(&value) {
                return Err(TapPolicyError::LifetimeOutOfBounds { field, value });
            }
        }
        if !(self.minimum_lifetime_in_minutes <= self.default_lifetime_in_minutes
            && self.default_lifetime_in_minutes <= self.maximum_lifetime_in_minutes)
        {
            return Err(TapPolicyError::LifetimeOrder {
                minimum: self.minimum_lifetime_in_minutes,
                default: self.default_lifetime_in_minutes,
                maximum: self.maximum_lifetime_in_minutes,
            });
        }
        if !LENGTH_BOUNDS.contains(&self.default_length) {
            return Err(TapPolicyError::Length(self.default_length));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_entra_and_validate() {
        let policy = TapPolicy::default();
        assert_eq!(policy.validate(), Ok(()));
        assert_eq!(
            serde_json::to_value(policy).unwrap(),
            serde_json::json!({
                "defaultLength": 8,
                "defaultLifetimeInMinutes": 60,
                "minimumLifetimeInMinutes": 60,
                "maximumLifetimeInMinutes": 480,
                "isUsableOnce": false
            })
        );
    }

    #[test]
    fn bounds_and_order_are_checked() {
        let too_short = TapPolicy {
            minimum_lifetime_in_minutes: 5,
            ..Default::default()
        };
        assert_eq!(
            too_short.validate(),
            Err(TapPolicyError::LifetimeOutOfBounds {
                field: "minimumLifetimeInMinutes",
                value: 5
            })
        );
        let too_long = TapPolicy {
            maximum_lifetime_in_minutes: 43_201,
            ..Default::default()
        };
        assert!(matches!(
            too_long.validate(),
            Err(TapPolicyError::LifetimeOutOfBounds { .. })
        ));
        let inverted = TapPolicy {
            default_lifetime_in_minutes: 600,
            ..Default::default()
        };
        assert!(matches!(
            inverted.validate(),
            Err(TapPolicyError::LifetimeOrder { .. })
        ));
        let short_pass = TapPolicy {
            default_length: 7,
            ..Default::default()
        };
        assert_eq!(short_pass.validate(), Err(TapPolicyError::Length(7)));
        let widest = TapPolicy {
            minimum_lifetime_in_minutes: 10,
            maximum_lifetime_in_minutes: 43_200,
            default_length: 48,
            ..Default::default()
        };
        assert_eq!(widest.validate(), Ok(()));
    }
}
