//! Token signing keys: ES256 (the default), RS256 (for older clients) and EdDSA
//! (Ed25519), generated with aws-lc-rs, stored as PKCS#8 PEM (encrypted at rest when a
//! key-encryption key is configured, see [`super::key_protection`]) in the
//! `portcullis_core::SigningKey` record, published as JWKs.

use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use portcullis_core::{SigningKey as StoredSigningKey, SigningKeyState};
use time::OffsetDateTime;

use super::jws::ParsedSigningKey;
use super::key_protection::{self, KeyEncryptionKey};

/// The algorithm admin API tokens are signed with, and the only one their check accepts.
pub const SIGNING_ALGORITHM: Algorithm = Algorithm::ES256;

/// The algorithms Portcullis signs with. Verification pins the algorithm of the key a
/// token's `kid` names, so a token can never choose its own algorithm.
pub const SUPPORTED_ALGORITHMS: [Algorithm; 3] =
    [Algorithm::ES256, Algorithm::RS256, Algorithm::EdDSA];

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("generating a {0} key failed")]
    Generate(&'static str),
    #[error("stored signing key {kid} is not a valid {algorithm} PKCS#8 key: {message}")]
    Invalid {
        kid: String,
        algorithm: String,
        message: String,
    },
    #[error(transparent)]
    Protection(#[from] key_protection::KeyProtectionError),
}

/// The JWS name of an algorithm this server signs with.
pub fn algorithm_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::RS256 => "RS256",
        Algorithm::EdDSA => "EdDSA",
        _ => "ES256",
    }
}

/// The algorithm of a stored record's `algorithm` field, if supported.
pub fn parse_algorithm(name: &str) -> Option<Algorithm> {
    SUPPORTED_ALGORITHMS
        .into_iter()
        .find(|a| algorithm_name(*a) == name)
}

/// A loaded key that signs tokens, with its public half ready for verification.
#[derive(Clone)]
pub struct TokenKey {
    kid: String,
    algorithm: Algorithm,
    encoding: EncodingKey,
    /// The private key parsed once, for signing (shared by the clones).
    signer: Arc<ParsedSigningKey>,
    decoding: DecodingKey,
    jwk: Jwk,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print private key material.
        f.debug_struct("TokenKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// Generates a fresh P-256 private key, returned as PKCS#8 DER.
pub fn generate_pkcs8() -> Result<Vec<u8>, KeyError> {
    generate_pkcs8_for(Algorithm::ES256)
}

/// Generates a fresh private key for `algorithm` as PKCS#8 (v1 for Ed25519, which is
/// the form jsonwebtoken reads) DER.
pub fn generate_pkcs8_for(algorithm: Algorithm) -> Result<Vec<u8>, KeyError> {
    let rng = SystemRandom::new();
    let name = algorithm_name(algorithm);
    match algorithm {
        Algorithm::RS256 => aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .and_then(|pair| pair.as_der())
            .map(|der| der.as_ref().to_vec())
            .map_err(|_| KeyError::Generate(name)),
        Algorithm::EdDSA => Ed25519KeyPair::generate_pkcs8v1(&rng)
            .map(|doc| doc.as_ref().to_vec())
            .map_err(|_| KeyError::Generate(name)),
        _ => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map(|doc| doc.as_ref().to_vec())
            .map_err(|_| KeyError::Generate(name)),
    }
}

/// Generates a new ES256 key as the record to store, in `state`, unencrypted.
pub fn generate_record(
    kid: &str,
    state: SigningKeyState,
    now: OffsetDateTime,
) -> Result<(StoredSigningKey, TokenKey), KeyError> {
    generate_record_for(Algorithm::ES256, kid, state, now, None)
}

/// Generates a new key for `algorithm` as the record to store, its private key sealed
/// with `protection` when one is configured.
pub fn generate_record_for(
    algorithm: Algorithm,
    kid: &str,
    state: SigningKeyState,
    now: OffsetDateTime,
    protection: Option<&KeyEncryptionKey>,
) -> Result<(StoredSigningKey, TokenKey), KeyError> {
    let der = generate_pkcs8_for(algorithm)?;
    let pem = pkcs8_pem(&der);
    let key = TokenKey::from_pem(kid, algorithm, &pem)?;
    let name = algorithm_name(algorithm);
    let public_jwk = serde_json::to_value(key.public_jwk()).map_err(|e| KeyError::Invalid {
        kid: kid.to_owned(),
        algorithm: name.to_owned(),
        message: e.to_string(),
    })?;
    let private_key_pem = match protection {
        Some(kek) => kek.seal(kid, name, &pem)?,
        None => pem,
    };
    let record = StoredSigningKey {
        kid: kid.to_owned(),
        algorithm: name.to_owned(),
        private_key_pem,
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
    /// Loads a stored key record, decrypting it with `protection` when sealed.
    pub fn from_record(
        record: &StoredSigningKey,
        protection: Option<&KeyEncryptionKey>,
    ) -> Result<Self, KeyError> {
        let algorithm = parse_algorithm(&record.algorithm).ok_or_else(|| KeyError::Invalid {
            kid: record.kid.clone(),
            algorithm: record.algorithm.clone(),
            message: "the algorithm is not supported".into(),
        })?;
        let pem = key_protection::open(
            protection,
            &record.kid,
            &record.algorithm,
            &record.private_key_pem,
        )?;
        Self::from_pem(&record.kid, algorithm, &pem)
    }

    /// Loads an ES256 PKCS#8 key.
    pub fn from_pkcs8(kid: &str, pkcs8: &[u8]) -> Result<Self, KeyError> {
        Self::from_pem(kid, Algorithm::ES256, &pkcs8_pem(pkcs8))
    }

    /// Loads a PKCS#8 PEM key for `algorithm`.
    pub fn from_pem(kid: &str, algorithm: Algorithm, pem: &str) -> Result<Self, KeyError> {
        let invalid = |message: String| KeyError::Invalid {
            kid: kid.to_owned(),
            algorithm: algorithm_name(algorithm).to_owned(),
            message,
        };
        let encoding = match algorithm {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(pem.as_bytes()),
            Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes()),
            _ => EncodingKey::from_ec_pem(pem.as_bytes()),
        }
        .map_err(|e| invalid(e.to_string()))?;
        let mut jwk =
            Jwk::from_encoding_key(&encoding, algorithm).map_err(|e| invalid(e.to_string()))?;
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let decoding = DecodingKey::from_jwk(&jwk).map_err(|e| invalid(e.to_string()))?;
        let signer =
            ParsedSigningKey::parse(algorithm, &encoding).map_err(|e| invalid(e.to_string()))?;
        // Sign once so a corrupt key fails here, at load, not at first use.
        signer
            .encode(
                &jsonwebtoken::Header::new(algorithm),
                &serde_json::json!({}),
            )
            .map_err(|e| invalid(e.to_string()))?;
        Ok(Self {
            kid: kid.to_owned(),
            algorithm,
            encoding,
            signer: Arc::new(signer),
            decoding,
            jwk,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// Signs `claims` under `header` (whose `alg` must be this key's) as a compact JWS.
    pub fn encode<T: serde::Serialize>(
        &self,
        header: &jsonwebtoken::Header,
        claims: &T,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        self.signer.encode(header, claims)
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
        let loaded = TokenKey::from_record(&record, None).unwrap();
        assert_eq!(loaded.public_jwk(), key.public_jwk());
        assert_eq!(record.public_jwk["kid"], "k2");
    }

    #[test]
    fn every_algorithm_generates_loads_and_round_trips_sealed() {
        let kek = KeyEncryptionKey::from_bytes(&[7u8; 32]).unwrap();
        let now = OffsetDateTime::now_utc();
        for (algorithm, kty) in [
            (Algorithm::ES256, "EC"),
            (Algorithm::RS256, "RSA"),
            (Algorithm::EdDSA, "OKP"),
        ] {
            let (record, key) =
                generate_record_for(algorithm, "k", SigningKeyState::Active, now, Some(&kek))
                    .unwrap();
            assert!(key_protection::is_sealed(&record.private_key_pem));
            assert_eq!(record.public_jwk["kty"], kty);
            assert!(record.public_jwk.get("d").is_none());
            let loaded = TokenKey::from_record(&record, Some(&kek)).unwrap();
            assert_eq!(loaded.algorithm(), algorithm);
            assert_eq!(loaded.public_jwk(), key.public_jwk());
            assert!(
                TokenKey::from_record(&record, None).is_err(),
                "sealed needs the key"
            );
        }
    }
}
