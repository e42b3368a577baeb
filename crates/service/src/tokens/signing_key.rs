//! ES256 signing keys: generated with aws-lc-rs, stored as PKCS#8, published as JWKs.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};

/// The only algorithm Portcullis signs with, and therefore the only one it accepts.
pub const SIGNING_ALGORITHM: Algorithm = Algorithm::ES256;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("generating a P-256 key failed")]
    Generate,
    #[error("stored signing key {kid} is not a valid P-256 PKCS#8 key: {message}")]
    Invalid { kid: String, message: String },
}

/// A key that signs access tokens, with its public half ready for verification.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print private key material.
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Generates a fresh P-256 private key, returned as PKCS#8 DER for storage.
pub fn generate_pkcs8() -> Result<Vec<u8>, KeyError> {
    let rng = SystemRandom::new();
    EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map(|doc| doc.as_ref().to_vec())
        .map_err(|_| KeyError::Generate)
}

impl SigningKey {
    /// Loads a stored PKCS#8 key.
    pub fn from_pkcs8(kid: &str, pkcs8: &[u8]) -> Result<Self, KeyError> {
        let invalid = |message: String| KeyError::Invalid {
            kid: kid.to_owned(),
            message,
        };
        // Parse once with aws-lc-rs so a corrupt key fails here, not at first use.
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
            .map_err(|e| invalid(e.to_string()))?;
        let encoding = EncodingKey::from_ec_der(pkcs8);
        let mut jwk = Jwk::from_encoding_key(&encoding, SIGNING_ALGORITHM)
            .map_err(|e| invalid(e.to_string()))?;
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let decoding = DecodingKey::from_jwk(&jwk).map_err(|e| invalid(e.to_string()))?;
        Ok(Self {
            kid: kid.to_owned(),
            encoding,
            decoding,
            jwk,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// The public key as a JWK (no private parts).
    pub fn public_jwk(&self) -> &Jwk {
        &self.jwk
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_loads_and_publishes_only_public_parts() {
        let der = generate_pkcs8().unwrap();
        let key = SigningKey::from_pkcs8("k1", &der).unwrap();
        let jwk = serde_json::to_value(key.public_jwk()).unwrap();
        assert_eq!(jwk["kty"], "EC");
        assert_eq!(jwk["crv"], "P-256");
        assert_eq!(jwk["kid"], "k1");
        assert_eq!(jwk["alg"], "ES256");
        assert!(jwk.get("d").is_none(), "private scalar leaked: {jwk}");
    }

    #[test]
    fn corrupt_key_is_an_error_naming_the_kid() {
        let err = SigningKey::from_pkcs8("bad", b"not a key").unwrap_err();
        assert!(err.to_string().contains("bad"));
    }
}
