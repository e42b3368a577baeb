//! Keyed fingerprints of wrong passwords, so a repeat can be recognised without keeping
//! the password.
//!
//! A wrong password is often one typo away from the right one, so even its hash is
//! sensitive. The fingerprint is HMAC-SHA-256 under a server-side key (kept out of the
//! database) over the user's salt and the password, truncated to 128 bits: with the key
//! elsewhere, a leaked database does not let anyone test guesses against it, and the salt
//! keeps two users' fingerprints of the same password apart.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub(crate) const FINGERPRINT_LEN: usize = 16;

/// The server secret fingerprints are keyed with (32 random bytes from configuration).
#[derive(Clone)]
pub struct FingerprintKey([u8; 32]);

impl FingerprintKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(redacted)")
    }
}

/// A truncated keyed hash of one wrong password.
#[derive(Clone, Copy, Serialize, Deserialize)]
pub struct PasswordFingerprint(#[serde(with = "hex::serde")] [u8; FINGERPRINT_LEN]);

impl PartialEq for PasswordFingerprint {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for PasswordFingerprint {}

impl std::fmt::Debug for PasswordFingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordFingerprint(redacted)")
    }
}

impl PasswordFingerprint {
    pub(crate) fn compute(key: &FingerprintKey, salt: &[u8], password: &str) -> Self {
        // HMAC pads a short key with zeros to the hash's 64-byte block, so padding it here
        // gives the same MAC and lets the infallible fixed-size constructor be used.
        let mut block = [0u8; 64];
        block[..key.0.len()].copy_from_slice(&key.0);
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
        mac.update(salt);
        mac.update(password.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut truncated = [0u8; FINGERPRINT_LEN];
        truncated.copy_from_slice(&full[..FINGERPRINT_LEN]);
        Self(truncated)
    }

    /// For tests and property tests that need distinct fingerprints without a key.
    #[doc(hidden)]
    pub fn from_bytes_for_tests(bytes: [u8; FINGERPRINT_LEN]) -> Self {
        Self(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_key_gives_standard_hmac() {
        let key = FingerprintKey::new([7u8; 32]);
        let ours = PasswordFingerprint::compute(&key, b"salt", "pw");
        let mut reference = <Hmac<Sha256> as Mac>::new_from_slice(&[7u8; 32]).unwrap();
        reference.update(b"saltpw");
        let expected = reference.finalize().into_bytes();
        assert_eq!(ours.0, expected[..FINGERPRINT_LEN]);
    }

    #[test]
    fn fingerprint_depends_on_key_salt_and_password() {
        let key = FingerprintKey::new([1u8; 32]);
        let base = PasswordFingerprint::compute(&key, b"salt-a", "Summer2026");
        assert_eq!(
            base,
            PasswordFingerprint::compute(&key, b"salt-a", "Summer2026")
        );
        assert_ne!(
            base,
            PasswordFingerprint::compute(&key, b"salt-b", "Summer2026")
        );
        assert_ne!(
            base,
            PasswordFingerprint::compute(&key, b"salt-a", "Summer2027")
        );
        let other_key = FingerprintKey::new([2u8; 32]);
        assert_ne!(
            base,
            PasswordFingerprint::compute(&other_key, b"salt-a", "Summer2026")
        );
        assert_eq!(format!("{base:?}"), "PasswordFingerprint(redacted)");
    }
}
