//! Salted SHA-256 of a short-lived, random secret (one-time codes), compared in constant
//! time.
//!
//! Why not argon2: a 6–8 digit code has at most 10^8 values, so no hash makes an offline
//! search slow enough to matter; the hash keeps live codes out of database dumps, logs and
//! backups, and the short lifetime plus the attempt limit are what protect the code. The
//! per-challenge salt keeps equal codes from having equal digests.

use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const SALT_LEN: usize = 16;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaltedDigest {
    #[serde(with = "hex::serde")]
    salt: [u8; SALT_LEN],
    #[serde(with = "hex::serde")]
    digest: [u8; 32],
}

impl std::fmt::Debug for SaltedDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SaltedDigest(redacted)")
    }
}

impl SaltedDigest {
    pub fn new<R: CryptoRng + ?Sized>(rng: &mut R, secret: &[u8]) -> Self {
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        Self {
            digest: digest(&salt, secret),
            salt,
        }
    }

    /// Constant-time comparison of `candidate`'s digest with the stored one.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        digest(&self.salt, candidate).ct_eq(&self.digest).into()
    }
}

fn digest(salt: &[u8], secret: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(secret);
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn matches_only_the_secret() {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let stored = SaltedDigest::new(&mut rng, b"123456");
        assert!(stored.matches(b"123456"));
        assert!(!stored.matches(b"123457"));
        assert!(!stored.matches(b""));
    }

    #[test]
    fn salts_differ_and_serde_round_trips() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let first = SaltedDigest::new(&mut rng, b"123456");
        let second = SaltedDigest::new(&mut rng, b"123456");
        assert_ne!(first, second);
        let json = serde_json::to_string(&first).unwrap();
        assert!(!json.contains("123456"));
        assert_eq!(serde_json::from_str::<SaltedDigest>(&json).unwrap(), first);
        assert_eq!(format!("{first:?}"), "SaltedDigest(redacted)");
    }
}
