//! TOTP parameters: hash algorithm, number of digits, period.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The HMAC hash, named as in `otpauth://` URIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum TotpAlgorithm {
    #[default]
    #[serde(rename = "SHA1")]
    Sha1,
    #[serde(rename = "SHA256")]
    Sha256,
    #[serde(rename = "SHA512")]
    Sha512,
}

impl TotpAlgorithm {
    /// The name used in `otpauth://` URIs.
    pub fn uri_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }

    /// Parses a URI name, case-insensitively (some generators write `sha256`).
    pub fn from_uri_name(name: &str) -> Option<Self> {
        [Self::Sha1, Self::Sha256, Self::Sha512]
            .into_iter()
            .find(|algorithm| algorithm.uri_name().eq_ignore_ascii_case(name))
    }

    /// The HMAC output length in bytes, which is also the generated secret length:
    /// RFC 6238's reference seeds are exactly this long for each hash, and a key longer
    /// than the output adds nothing while a shorter one gives away strength.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha512 => 64,
        }
    }
}

/// Number of digits in a code: 6 (what every authenticator app supports) or 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(try_from = "u8", into = "u8")]
pub enum Digits {
    #[default]
    Six,
    Eight,
}

impl Digits {
    pub fn count(self) -> usize {
        match self {
            Self::Six => 6,
            Self::Eight => 8,
        }
    }

    /// 10^digits, the modulus of RFC 4226's truncation.
    pub(crate) fn modulus(self) -> u32 {
        match self {
            Self::Six => 1_000_000,
            Self::Eight => 100_000_000,
        }
    }
}

impl From<Digits> for u8 {
    fn from(digits: Digits) -> u8 {
        match digits {
            Digits::Six => 6,
            Digits::Eight => 8,
        }
    }
}

impl TryFrom<u8> for Digits {
    type Error = TotpConfigError;
    fn try_from(count: u8) -> Result<Self, Self::Error> {
        match count {
            6 => Ok(Self::Six),
            8 => Ok(Self::Eight),
            other => Err(TotpConfigError::Digits(other.into())),
        }
    }
}

/// Shortest and longest accepted period, in seconds. Authenticator apps use 30 (the
/// default) or 60; anything outside this range is a configuration mistake.
pub const PERIOD_RANGE: std::ops::RangeInclusive<u32> = 15..=300;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TotpConfigError {
    #[error("TOTP digits must be 6 or 8, not {0}")]
    Digits(u64),
    #[error("TOTP period must be 15 to 300 seconds, not {0}")]
    Period(u64),
}

/// Algorithm, digits and period of one TOTP credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawTotpConfig", into = "RawTotpConfig")]
pub struct TotpConfig {
    algorithm: TotpAlgorithm,
    digits: Digits,
    period_seconds: u32,
}

impl Default for TotpConfig {
    fn default() -> Self {
        Self {
            algorithm: TotpAlgorithm::Sha1,
            digits: Digits::Six,
            period_seconds: 30,
        }
    }
}

impl TotpConfig {
    pub fn new(
        algorithm: TotpAlgorithm,
        digits: Digits,
        period_seconds: u32,
    ) -> Result<Self, TotpConfigError> {
        if !PERIOD_RANGE.contains(&period_seconds) {
            return Err(TotpConfigError::Period(period_seconds.into()));
        }
        Ok(Self {
            algorithm,
            digits,
            period_seconds,
        })
    }

    pub fn algorithm(&self) -> TotpAlgorithm {
        self.algorithm
    }

    pub fn digits(&self) -> Digits {
        self.digits
    }

    pub fn period_seconds(&self) -> u32 {
        self.period_seconds
    }
}

/// The serialized form, validated on the way in.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTotpConfig {
    algorithm: TotpAlgorithm,
    digits: Digits,
    period_seconds: u32,
}

impl TryFrom<RawTotpConfig> for TotpConfig {
    type Error = TotpConfigError;
    fn try_from(raw: RawTotpConfig) -> Result<Self, Self::Error> {
        Self::new(raw.algorithm, raw.digits, raw.period_seconds)
    }
}

impl From<TotpConfig> for RawTotpConfig {
    fn from(config: TotpConfig) -> Self {
        Self {
            algorithm: config.algorithm,
            digits: config.digits,
            period_seconds: config.period_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_sha1_six_digits_thirty_seconds() {
        let config = TotpConfig::default();
        assert_eq!(config.algorithm(), TotpAlgorithm::Sha1);
        assert_eq!(config.digits().count(), 6);
        assert_eq!(config.period_seconds(), 30);
    }

    #[test]
    fn period_is_validated() {
        assert_eq!(
            TotpConfig::new(TotpAlgorithm::Sha1, Digits::Six, 0),
            Err(TotpConfigError::Period(0))
        );
        assert!(TotpConfig::new(TotpAlgorithm::Sha1, Digits::Six, 60).is_ok());
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let config = TotpConfig::new(TotpAlgorithm::Sha512, Digits::Eight, 60).unwrap();
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(
            json,
            r#"{"algorithm":"SHA512","digits":8,"periodSeconds":60}"#
        );
        assert_eq!(serde_json::from_str::<TotpConfig>(&json).unwrap(), config);
        let bad = r#"{"algorithm":"SHA1","digits":7,"periodSeconds":30}"#;
        let error = serde_json::from_str::<TotpConfig>(bad).unwrap_err();
        assert!(error.to_string().contains("6 or 8"), "{error}");
    }

    #[test]
    fn algorithm_names_parse_case_insensitively() {
        assert_eq!(
            TotpAlgorithm::from_uri_name("sha256"),
            Some(TotpAlgorithm::Sha256)
        );
        assert_eq!(TotpAlgorithm::from_uri_name("MD5"), None);
    }
}
