//! ES256 signing keys: generated with aws-lc-rs, stored as PKCS#8 PEM (the
//! `portcullis_core::SigningKey` record), published as JWKs.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use portcullis_core::{SigningKey as StoredSigningKey, SigningKeyState};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;
use time::OffsetDateTime;

/// The only algorithm Portcullis signs with, and therefore the only one it accepts.
pub const SIGNING_ALGORITHM: Algorithm = Algorithm::ES256;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("generating a P-256 key failed")]
    Generate,
    #[error("stored signing key {kid} is not a valid P-256 PKCS#8 key: {message}")]
    Invalid { kid: String, message: String },
}

/// A loaded key that signs access tokens, with its public half ready for verification.
#[derive(Clone)]
pub struct TokenKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print private key material.
        f.debug_struct("TokenKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Generates a fresh P-256 private key, returned as PKCS#8 DER.
pub fn generate_pkcs8() -> Result<Vec<u8>, KeyError> {
    let rng = SystemRandom::new();
    EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map(|doc| doc.as_ref().to_vec())
        .map_err(|_| KeyError::Generate)
}

/// Generates a new key as the record to store, in `state`.
pub fn generate_record(
    kid: &str,
    state: SigningKeyState,
    now: OffsetDateTime,
) -> Result<(StoredSigningKey, TokenKey), KeyError> {
    let der = generate_pkcs8()?;
    let key = TokenKey::from_pkcs8(kid, &der)?;
    let public_jwk = serde_json::to_value(key.public_jwk()).map_err(|e| KeyError::Invalid {
        kid: kid.to_owned(),
        message: e.to_string(),
    })?;
    let record = StoredSigningKey {
        kid: kid.to_owned(),
        algorithm: "ES256".to_owned(),
        private_key_pem: pkcs8_pem(&der),
        public_jwk,
        state,
        created_date_time: now,
        retired_date_time: None,
    };
    Ok((record, key))
}

/// PEM armour for a PKCS#8 private key (RFC 7468: base64 in 64-character lines).
fn pkcs8_pem(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

impl TokenKey {
    /// Loads a stored key record.
    pub fn from_record(record: &StoredSigningKey) -> Result<Self, KeyError> {
        if record.algorithm != "ES256" {
            return Err(KeyError::Invalid {
                kid: record.kid.clone(),
                message: format!("algorithm {} is not supported", record.algorithm),
            });
        }
        let der =
            PrivatePkcs8KeyDer::from_pem_slice(record.private_key_pem.as_bytes()).map_err(|e| {
                KeyError::Invalid {
                    kid: record.kid.clone(),
                    message: e.to_string(),
                }
            })?;
        Self::from_pkcs8(&record.kid, der.secret_pkcs8_der())
    }

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
        let key = TokenKey::from_pkcs8("k1", &der).unwrap();
        let jwk = serde_json::to_value(key.public_jwk()).unwrap();
        assert_eq!(jwk["kty"], "EC");
        assert_eq!(jwk["crv"], "P-256");
        assert_eq!(jwk["kid"], "k1");
        assert_eq!(jwk["alg"], "ES256");
        assert!(jwk.get("d").is_none(), "private scalar leaked: {jwk}");
    }

    #[test]
    fn corrupt_key_is_an_error_naming_the_kid() {
        let err = TokenKey::from_pkcs8("bad", b"not a key").unwrap_err();
        assert!(err.to_string().contains("bad"));
    }

    #[test]
    fn stored_record_round_trips_through_pem() {
        let now = OffsetDateTime::now_utc();
        let (record, key) = generate_record("k2", SigningKeyState::Active, now).unwrap();
        assert!(
            record
                .private_key_pem
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        let loaded = TokenKey::from_record(&record).unwrap();
        assert_eq!(loaded.public_jwk(), key.public_jwk());
        assert_eq!(record.public_jwk["kid"], "k2");
    }
}
