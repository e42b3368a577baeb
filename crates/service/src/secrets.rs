//! Secrets at rest: passwords are hashed with argon2id; high-entropy generated
//! secrets (client secrets, one-time links) with SHA-256, and every comparison is
//! constant-time.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the system random number generator failed")]
    Random,
    #[error("hashing the password failed: {0}")]
    Hash(String),
}

/// `n` random bytes from the operating system's CSPRNG.
pub fn random_bytes(n: usize) -> Result<Vec<u8>, SecretError> {
    let mut bytes = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| SecretError::Random)?;
    Ok(bytes)
}

/// A URL-safe random token with 256 bits of entropy.
pub fn random_token() -> Result<String, SecretError> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(32)?))
}

/// SHA-256 of a generated secret, hex-encoded, for storage. Generated secrets carry
/// 256 bits of entropy, so a slow hash adds nothing but latency.
pub fn hash_generated_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Checks a presented generated secret against its stored hash in constant time.
pub fn verify_generated_secret(presented: &str, stored_hash: &str) -> bool {
    let presented_hash = hash_generated_secret(presented);
    presented_hash
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

/// Hashes a password with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane).
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    let salt_bytes = random_bytes(16)?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| SecretError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| SecretError::Hash(e.to_string()))
}

/// Verifies a password against a stored PHC string; a malformed hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secret_round_trip() {
        let secret = random_token().unwrap();
        assert_eq!(secret.len(), 43);
        let hash = hash_generated_secret(&secret);
        assert!(verify_generated_secret(&secret, &hash));
        assert!(!verify_generated_secret("guess", &hash));
        assert_ne!(random_token().unwrap(), secret);
    }

    #[test]
    fn password_round_trip_uses_argon2id() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a phc string"));
    }
}
