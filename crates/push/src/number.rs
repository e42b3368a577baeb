//! The two-digit number of number matching: shown only on the sign-in screen, typed by the
//! user into the app, and bound into the signed answer.

use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A number from 10 to 99. Two digits always (Entra shows two), so the user never wonders
/// whether a leading zero counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct MatchNumber(u8);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the number must have two digits (10 to 99), got {0:?}")]
pub struct InvalidMatchNumber(pub String);

impl MatchNumber {
    pub const MIN: u8 = 10;
    pub const MAX: u8 = 99;

    /// Draws a number uniformly from 10..=99 by rejection sampling (a plain modulo would
    /// favour some numbers and make a guess slightly better than 1 in 90).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let span = u32::from(Self::MAX - Self::MIN) + 1; // 90
        // Largest multiple of 90 that fits in a u32: values at or above it are redrawn.
        let limit = u32::MAX - (u32::MAX % span);
        loop {
            let draw = rng.next_u32();
            if draw < limit {
                // `draw % span` < 90, so the sum stays within u8.
                let offset = u8::try_from(draw % span).unwrap_or(0);
                return Self(Self::MIN + offset);
            }
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// Parses what a user typed, allowing surrounding spaces.
    pub fn parse(text: &str) -> Result<Self, InvalidMatchNumber> {
        let trimmed = text.trim();
        if trimmed.len() != 2 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidMatchNumber(text.to_owned()));
        }
        trimmed
            .parse::<u8>()
            .map_err(|_| InvalidMatchNumber(text.to_owned()))
            .and_then(Self::try_from)
    }
}

impl TryFrom<u8> for MatchNumber {
    type Error = InvalidMatchNumber;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        if (Self::MIN..=Self::MAX).contains(&value) {
            Ok(Self(value))
        } else {
            Err(InvalidMatchNumber(value.to_string()))
        }
    }
}

impl From<MatchNumber> for u8 {
    fn from(number: MatchNumber) -> u8 {
        number.0
    }
}

impl std::fmt::Display for MatchNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn generated_numbers_cover_the_whole_range_and_nothing_else() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let mut seen = [false; 100];
        for _ in 0..20_000 {
            let n = MatchNumber::generate(&mut rng).value();
            assert!((10..=99).contains(&n));
            seen[usize::from(n)] = true;
        }
        assert!(seen[10..=99].iter().all(|s| *s));
        assert!(seen[..10].iter().all(|s| !*s));
    }

    #[test]
    fn parsing_accepts_two_digits_only() {
        assert_eq!(MatchNumber::parse(" 42 ").unwrap().value(), 42);
        for bad in ["", "7", "07", "100", "4a", "+42", "-1", "４２"] {
            assert!(MatchNumber::parse(bad).is_err(), "{bad}");
        }
        assert!(MatchNumber::try_from(9).is_err());
        assert!(serde_json::from_str::<MatchNumber>("5").is_err());
        assert_eq!(
            serde_json::from_str::<MatchNumber>("55").unwrap().value(),
            55
        );
    }
}
