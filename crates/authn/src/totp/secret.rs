//! TOTP shared secrets: generation from the injected RNG and base32 (RFC 4648) text.

use data_encoding::BASE32_NOPAD;
use rand_core::CryptoRng;
use thiserror::Error;

use super::config::TotpAlgorithm;

/// RFC 4226 §4 R6: the shared secret must be at least 128 bits.
const MIN_SECRET_BYTES: usize = 16;
/// Entra accepts hardware-token secrets up to 128 base32 characters (80 bytes); 128 bytes
/// leaves room and still bounds the input.
const MAX_SECRET_BYTES: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TotpSecretError {
    #[error("TOTP secret is not valid base32 (letters A–Z and digits 2–7)")]
    NotBase32,
    #[error("TOTP secret has {0} bytes; at least 16 (128 bits) are required")]
    TooShort(usize),
    #[error("TOTP secret has {0} bytes; at most 128 are accepted")]
    TooLong(usize),
}

/// A TOTP shared secret. Its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TotpSecret({} bytes, redacted)", self.bytes.len())
    }
}

impl TotpSecret {
    /// A new random secret as long as the algorithm's HMAC output: 20 bytes (160 bits,
    /// RFC 4226's recommendation) for SHA-1, 32 for SHA-256, 64 for SHA-512, matching the
    /// RFC 6238 reference seeds.
    pub fn generate<R: CryptoRng + ?Sized>(algorithm: TotpAlgorithm, rng: &mut R) -> Self {
        let mut bytes = vec![0u8; algorithm.output_len()];
        rng.fill_bytes(&mut bytes);
        Self { bytes }
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, TotpSecretError> {
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(TotpSecretError::TooShort(bytes.len()));
        }
        if bytes.len() > MAX_SECRET_BYTES {
            return Err(TotpSecretError::TooLong(bytes.len()));
        }
        Ok(Self { bytes })
    }

    /// Parses base32 as people and apps write it: case-insensitive, spaces and hyphens
    /// between groups ignored, `=` padding optional.
    pub fn from_base32(text: &str) -> Result<Self, TotpSecretError> {
        let cleaned: String = text
            .chars()
            .filter(|character| !matches!(character, ' ' | '-' | '\t'))
            .map(|character| character.to_ascii_uppercase())
            .collect();
        let unpadded = cleaned.trim_end_matches('=');
        if unpadded.len() > MAX_SECRET_BYTES * 8 / 5 + 1 {
            return Err(TotpSecretError::TooLong(unpadded.len() * 5 / 8));
        }
        let bytes = BASE32_NOPAD
            .decode(unpadded.as_bytes())
            .map_err(|_| TotpSecretError::NotBase32)?;
        Self::from_bytes(bytes)
    }

    /// Upper-case base32 without padding, the form `otpauth://` URIs use.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn generated_length_follows_algorithm() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        for (algorithm, bytes) in [
            (TotpAlgorithm::Sha1, 20),
            (TotpAlgorithm::Sha256, 32),
            (TotpAlgorithm::Sha512, 64),
        ] {
            assert_eq!(
                TotpSecret::generate(algorithm, &mut rng).as_bytes().len(),
                bytes
            );
        }
    }

    #[test]
    fn generated_secrets_differ() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let first = TotpSecret::generate(TotpAlgorithm::Sha1, &mut rng);
        let second = TotpSecret::generate(TotpAlgorithm::Sha1, &mut rng);
        assert_ne!(first, second);
    }

    #[test]
    fn base32_of_rfc_seed() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        assert_eq!(secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            TotpSecret::from_base32("gezd gnbv-gy3t qojq gezd gnbv gy3t qojq").unwrap(),
            secret
        );
        // 16 bytes encode to 26 characters, which padding would take to 32.
        let sixteen = TotpSecret::from_bytes(vec![0xAB; 16]).unwrap();
        let padded = format!("{}======", sixteen.to_base32());
        assert_eq!(TotpSecret::from_base32(&padded).unwrap(), sixteen);
    }

    #[test]
    fn bad_secrets_are_refused() {
        assert_eq!(
            TotpSecret::from_base32("not base32!"),
            Err(TotpSecretError::NotBase32)
        );
        assert_eq!(
            TotpSecret::from_base32("GEZDGNBV"),
            Err(TotpSecretError::TooShort(5))
        );
        assert_eq!(
            TotpSecret::from_base32(""),
            Err(TotpSecretError::TooShort(0))
        );
        assert!(matches!(
            TotpSecret::from_base32(&"A".repeat(400)),
            Err(TotpSecretError::TooLong(_))
        ));
    }

    #[test]
    fn debug_is_redacted() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        assert_eq!(format!("{secret:?}"), "TotpSecret(20 bytes, redacted)");
    }
}
