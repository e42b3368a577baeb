//! Private signing keys encrypted at rest with AES-256-GCM (aws-lc-rs AEAD).
//!
//! The key-encryption key comes from the server (a file in the data directory, or the
//! configuration), never from the database, so a copy of the database alone does not
//! yield the keys that sign tokens. The stored form is
//! `portcullis-aead-v1:` + base64(nonce ‖ ciphertext ‖ tag), and the additional
//! authenticated data binds the ciphertext to its `kid` and algorithm, so a ciphertext
//! moved onto another key record does not decrypt.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::sync::Arc;

const PREFIX: &str = "portcullis-aead-v1:";

/// Length of a key-encryption key in bytes.
pub const KEY_ENCRYPTION_KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyProtectionError {
    #[error("the key-encryption key must be {KEY_ENCRYPTION_KEY_LEN} bytes, got {0}")]
    KeyLength(usize),
    #[error("signing key {0} is encrypted but no key-encryption key is configured")]
    NoKey(String),
    #[error("signing key {0} does not decrypt with the configured key-encryption key")]
    Decrypt(String),
    #[error("encrypting signing key {0} failed")]
    Encrypt(String),
}

/// The key that encrypts signing keys at rest.
#[derive(Clone)]
pub struct KeyEncryptionKey(Arc<LessSafeKey>);

impl std::fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyEncryptionKey(..)")
    }
}

impl KeyEncryptionKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyProtectionError> {
        if bytes.len() != KEY_ENCRYPTION_KEY_LEN {
            return Err(KeyProtectionError::KeyLength(bytes.len()));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| KeyProtectionError::KeyLength(bytes.len()))?;
        Ok(Self(Arc::new(LessSafeKey::new(unbound))))
    }

    /// Fresh random key material for a new key-encryption key (first start); the
    /// caller stores it (file with owner-only permissions) and loads it with
    /// [`KeyEncryptionKey::from_bytes`].
    pub fn generate_bytes() -> Result<[u8; KEY_ENCRYPTION_KEY_LEN], KeyProtectionError> {
        let mut key = [0u8; KEY_ENCRYPTION_KEY_LEN];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| KeyProtectionError::Encrypt("new key-encryption key".into()))?;
        Ok(key)
    }

    fn aead(&self) -> &LessSafeKey {
        &self.0
    }

    /// Encrypts a private key PEM for the record `kid`/`algorithm`.
    pub fn seal(
        &self,
        kid: &str,
        algorithm: &str,
        pem: &str,
    ) -> Result<String, KeyProtectionError> {
        let fail = || KeyProtectionError::Encrypt(kid.to_owned());
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| fail())?;
        let mut in_out = pem.as_bytes().to_vec();
        self.aead()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(kid, algorithm)),
                &mut in_out,
            )
            .map_err(|_| fail())?;
        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&in_out);
        Ok(format!("{PREFIX}{}", STANDARD.encode(stored)))
    }
}

fn aad(kid: &str, algorithm: &str) -> Vec<u8> {
    format!("portcullis signing key|{kid}|{algorithm}").into_bytes()
}

/// Whether a stored value is an encrypted key (rather than a plain PEM from before
/// encryption was configured).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// The PEM of a stored key: decrypted when sealed, as is when plain.
pub fn open(
    key: Option<&KeyEncryptionKey>,
    kid: &str,
    algorithm: &str,
    stored: &str,
) -> Result<String, KeyProtectionError> {
    let Some(encoded) = stored.strip_prefix(PREFIX) else {
        return Ok(stored.to_owned());
    };
    let key = key.ok_or_else(|| KeyProtectionError::NoKey(kid.to_owned()))?;
    let fail = || KeyProtectionError::Decrypt(kid.to_owned());
    let bytes = STANDARD.decode(encoded).map_err(|_| fail())?;
    if bytes.len() < NONCE_LEN {
        return Err(fail());
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| fail())?;
    let mut in_out = sealed.to_vec();
    let plain = key
        .aead()
        .open_in_place(nonce, Aad::from(aad(kid, algorithm)), &mut in_out)
        .map_err(|_| fail())?;
    String::from_utf8(plain.to_vec()).map_err(|_| fail())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_key_opens_only_with_its_key_kid_and_algorithm() {
        let kek =
            KeyEncryptionKey::from_bytes(&KeyEncryptionKey::generate_bytes().unwrap()).unwrap();
        let sealed = kek
            .seal("k1", "ES256", "-----BEGIN PRIVATE KEY-----")
            .unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("PRIVATE KEY"));
        assert_eq!(
            open(Some(&kek), "k1", "ES256", &sealed).unwrap(),
            "-----BEGIN PRIVATE KEY-----"
        );
        let other =
            KeyEncryptionKey::from_bytes(&KeyEncryptionKey::generate_bytes().unwrap()).unwrap();
        assert_eq!(
            open(Some(&other), "k1", "ES256", &sealed),
            Err(KeyProtectionError::Decrypt("k1".into()))
        );
        assert!(
            open(Some(&kek), "k2", "ES256", &sealed).is_err(),
            "moved to another kid"
        );
        assert!(
            open(Some(&kek), "k1", "RS256", &sealed).is_err(),
            "relabelled algorithm"
        );
        assert_eq!(
            open(None, "k1", "ES256", &sealed),
            Err(KeyProtectionError::NoKey("k1".into()))
        );
    }

    #[test]
    fn tampered_or_truncated_ciphertext_is_refused_and_plain_pem_passes() {
        let kek =
            KeyEncryptionKey::from_bytes(&KeyEncryptionKey::generate_bytes().unwrap()).unwrap();
        let sealed = kek.seal("k1", "ES256", "secret pem").unwrap();
        let mut bytes = STANDARD
            .decode(sealed.strip_prefix(PREFIX).unwrap())
            .unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!("{PREFIX}{}", STANDARD.encode(&bytes));
        assert!(open(Some(&kek), "k1", "ES256", &tampered).is_err());
        assert!(open(Some(&kek), "k1", "ES256", &format!("{PREFIX}AAAA")).is_err());
        assert!(open(Some(&kek), "k1", "ES256", &format!("{PREFIX}!!")).is_err());
        assert_eq!(open(None, "k", "ES256", "plain pem").unwrap(), "plain pem");
        assert_eq!(
            KeyEncryptionKey::from_bytes(&[0; 16]).unwrap_err(),
            KeyProtectionError::KeyLength(16)
        );
    }
}
