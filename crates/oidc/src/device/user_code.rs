//! User codes (RFC 8628 §6.1): typed by people on a second device, so they use an
//! alphabet without vowels (no accidental words) and without look-alikes (no 0/O,
//! 1/I/L confusion since there are neither digits nor vowels), and are compared
//! case-insensitively ignoring dashes and spaces.
//!
//! 20 letters and 8 characters give 20^8 ≈ 2^34.6 codes; with a 10-minute lifetime and
//! the rate limit on the verification page, guessing a live code is impractical.

use std::fmt;

use serde::{Deserialize, Serialize};

/// RFC 8628 §6.1's suggested alphabet: consonants only.
pub const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
pub const USER_CODE_LEN: usize = 8;

/// A user code, stored without its display dash.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserCode(String);

impl UserCode {
    /// Builds a code from 32 random bytes of the caller's CSPRNG: four bytes per
    /// character, reduced modulo 20. 2^32 mod 20 = 16, so the bias is 16 in 2^32 per
    /// character — far below anything that helps a guesser.
    pub fn generate(random: [u8; 32]) -> Self {
        let code = random
            .chunks_exact(4)
            .take(USER_CODE_LEN)
            .map(|chunk| {
                let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
                let index = usize::try_from(n % 20).unwrap_or(0);
                char::from(USER_CODE_ALPHABET.get(index).copied().unwrap_or(b'B'))
            })
            .collect();
        UserCode(code)
    }

    /// Reads what a person typed: any case, dashes and spaces ignored. `None` if it
    /// cannot be a user code (so the page can say so without a lookup).
    pub fn parse(typed: &str) -> Option<Self> {
        let code: String = typed
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\t'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid =
            code.len() == USER_CODE_LEN && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
        valid.then_some(UserCode(code))
    }

    /// The stored form, without the dash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown to people: `BCDF-GHJK`.
    pub fn display(&self) -> String {
        let (left, right) = self.0.split_at(self.0.len() / 2);
        format!("{left}-{right}")
    }
}

impl fmt::Debug for UserCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserCode(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_use_only_the_alphabet_and_round_trip() {
        for seed in 0..=255u8 {
            let mut random = [0u8; 32];
            for (i, b) in random.iter_mut().enumerate() {
                *b = seed.wrapping_mul(31).wrapping_add(u8::try_from(i).unwrap());
            }
            let code = UserCode::generate(random);
            assert_eq!(code.as_str().len(), USER_CODE_LEN);
            assert!(
                code.as_str()
                    .bytes()
                    .all(|b| USER_CODE_ALPHABET.contains(&b))
            );
            assert_eq!(UserCode::parse(&code.display()), Some(code.clone()));
            assert_eq!(UserCode::parse(&code.display().to_lowercase()), Some(code));
        }
    }

    #[test]
    fn all_characters_are_reachable() {
        let mut seen = std::collections::BTreeSet::new();
        for n in 0u32..40 {
            let mut random = [0u8; 32];
            random[..4].copy_from_slice(&n.to_be_bytes());
            seen.insert(UserCode::generate(random).as_str().as_bytes()[0]);
        }
        assert_eq!(seen.len(), 20);
    }

    #[test]
    fn typed_input_is_normalised_and_checked() {
        assert_eq!(UserCode::parse("wdjb-mjht").unwrap().as_str(), "WDJBMJHT");
        assert_eq!(UserCode::parse(" WDJB MJHT ").unwrap().as_str(), "WDJBMJHT");
        assert!(UserCode::parse("WDJB-MJH").is_none());
        assert!(UserCode::parse("WDJB-MJH0").is_none());
        assert!(UserCode::parse("AEIO-UWDJ").is_none());
        assert!(UserCode::parse("ÉDJB-MJHT").is_none());
    }
}
