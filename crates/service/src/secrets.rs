//! Randomness and password hashing. High-entropy generated secrets (client secrets,
//! one-time links) are hashed with `portcullis_core::SecretHash` (SHA-256, constant-time
//! comparison); passwords, which people choose, with argon2id through
//! `portcullis_authn::password::PasswordHasher` — the same hasher the sign-in pipeline
//! verifies with, so a password set here (normalised the same way) always signs in.

use portcullis_authn::password::{Argon2Params, PasswordHasher};
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

/// The hasher with the default parameters (OWASP: 19 MiB, 2 passes, 1 lane).
fn default_hasher() -> Result<PasswordHasher, SecretError> {
    PasswordHasher::new(Argon2Params::default()).map_err(|e| SecretError::Hash(e.to_string()))
}

/// Hashes a password with argon2id and a salt from the operating system's CSPRNG.
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    default_hasher()?
        .hash(password, &mut rand::rng())
        .map_err(|e| SecretError::Hash(e.to_string()))
}

/// Verifies a password against a stored PHC string; a malformed hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    default_hasher()
        .ok()
        .and_then(|hasher| hasher.verify(password, stored).ok())
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

    #[test]
    fn a_password_set_here_verifies_in_the_sign_in_pipeline_in_either_unicode_form() {
        // Composed "é" when set by an admin, decomposed "e\u{301}" when typed on another
        // keyboard: the pipeline normalises, so hashing here must normalise the same way.
        let hash = hash_password("caf\u{e9} au lait").unwrap();
        let pipeline = PasswordHasher::new(Argon2Params::default()).unwrap();
        assert!(pipeline.verify("cafe\u{301} au lait", &hash).unwrap());
        assert!(verify_password("cafe\u{301} au lait", &hash));
    }
}
