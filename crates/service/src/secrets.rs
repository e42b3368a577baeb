//! Randomness and password hashing. High-entropy generated secrets (client secrets,
//! one-time links) are hashed with `portcullis_core::SecretHash` (SHA-256, constant-time
//! comparison); passwords, which people choose, with argon2id.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use portcullis_core::{GeneratedSecret, generate_secret};

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

/// A new secret with 256 bits of entropy, `<prefix><base64url>`, and its hash.
pub fn new_secret(prefix: &str) -> Result<GeneratedSecret, SecretError> {
    let mut random = [0u8; 32];
    aws_lc_rs::rand::fill(&mut random).map_err(|_| SecretError::Random)?;
    Ok(generate_secret(prefix, random))
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
    fn new_secrets_differ_and_verify() {
        let a = new_secret("pcs_").unwrap();
        let b = new_secret("pcs_").unwrap();
        assert_ne!(a.plaintext, b.plaintext);
        assert!(a.hash.verify(&a.plaintext));
        assert!(!a.hash.verify(&b.plaintext));
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
