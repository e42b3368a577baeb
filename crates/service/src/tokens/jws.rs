//! Compact JWS signing with a private key parsed once, when the key is loaded.
//!
//! `jsonwebtoken::encode` parses the PKCS#8 key again for every signature: for P-256
//! that includes deriving the public point (a scalar multiplication, ≈ 2% of a refresh
//! grant's CPU, which signs two tokens), for RSA a full key check. The signature itself is
//! aws-lc-rs's, as in `jsonwebtoken`; only the parse moves to load time. Tokens are
//! verified with `jsonwebtoken` as before, and the tests below check that both agree.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::{Error, ErrorKind, new_error};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// A private key ready to sign, for the one algorithm it was parsed for.
pub enum ParsedSigningKey {
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
    EdDsa(Ed25519KeyPair),
}

impl std::fmt::Debug for ParsedSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print private key material.
        f.write_str(match self {
            Self::Es256(_) => "ParsedSigningKey(ES256)",
            Self::Rs256(_) => "ParsedSigningKey(RS256)",
            Self::EdDsa(_) => "ParsedSigningKey(EdDSA)",
        })
    }
}

impl ParsedSigningKey {
    /// Parses `key` (PKCS#8 DER, as `jsonwebtoken` holds it) for `algorithm`, the way
    /// `jsonwebtoken`'s aws-lc-rs signers do.
    pub fn parse(algorithm: Algorithm, key: &EncodingKey) -> Result<Self, Error> {
        let der = key.as_bytes();
        match algorithm {
            Algorithm::ES256 => EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                .map(Self::Es256)
                .map_err(|_| new_error(ErrorKind::InvalidEcdsaKey)),
            Algorithm::RS256 => RsaKeyPair::from_der(der)
                .map(Self::Rs256)
                .map_err(|e| new_error(ErrorKind::InvalidRsaKey(e.to_string()))),
            Algorithm::EdDSA => Ed25519KeyPair::from_pkcs8(der)
                .map(Self::EdDsa)
                .map_err(|_| new_error(ErrorKind::InvalidEddsaKey)),
            _ => Err(new_error(ErrorKind::UnsupportedAlgorithm)),
        }
    }

    fn algorithm(&self) -> Algorithm {
        match self {
            Self::Es256(_) => Algorithm::ES256,
            Self::Rs256(_) => Algorithm::RS256,
            Self::EdDsa(_) => Algorithm::EdDSA,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let failed =
            |e: aws_lc_rs::error::Unspecified| new_error(ErrorKind::Signing(e.to_string()));
        match self {
            Self::Es256(pair) => pair
                .sign(&SystemRandom::new(), message)
                .map(|signature| signature.as_ref().to_vec())
                .map_err(failed),
            Self::Rs256(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map_err(failed)?;
                Ok(signature)
            }
            Self::EdDsa(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }

    /// `header.claims.signature`, each base64url without padding: what
    /// `jsonwebtoken::encode` makes, and refused the same way when the header names
    /// another algorithm than the key's.
    pub fn encode<T: Serialize>(&self, header: &Header, claims: &T) -> Result<String, Error> {
        if header.alg != self.algorithm() {
            return Err(new_error(ErrorKind::InvalidAlgorithm));
        }
        let mut token = String::with_capacity(512);
        URL_SAFE_NO_PAD.encode_string(serde_json::to_vec(header)?, &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(serde_json::to_vec(claims)?, &mut token);
        let signature = self.sign(token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::signing_key::{algorithm_name, generate_record_for};
    use jsonwebtoken::{DecodingKey, Validation, jwk::Jwk};
    use portcullis_core::SigningKeyState;
    use serde_json::{Value, json};

    /// A key as the server loads it: generated, stored as PKCS#8 PEM, read back.
    fn encoding_key(algorithm: Algorithm) -> EncodingKey {
        let now = time::OffsetDateTime::now_utc();
        let (_, key) =
            generate_record_for(algorithm, "k1", SigningKeyState::Active, now, None).unwrap();
        key.encoding_key().clone()
    }

    fn header(algorithm: Algorithm) -> Header {
        let mut header = Header::new(algorithm);
        header.kid = Some("k1".into());
        header.typ = Some("JWT".into());
        header
    }

    fn claims() -> Value {
        json!({"sub": "ada", "aud": "app", "exp": 4_000_000_000_u64, "name": "Ada \"ä\" <L>"})
    }

    #[test]
    fn every_algorithm_signs_what_jsonwebtoken_signs_and_verifies() {
        for algorithm in [Algorithm::ES256, Algorithm::RS256, Algorithm::EdDSA] {
            let key = encoding_key(algorithm);
            let parsed = ParsedSigningKey::parse(algorithm, &key).unwrap();
            let ours = parsed.encode(&header(algorithm), &claims()).unwrap();
            let theirs = jsonwebtoken::encode(&header(algorithm), &claims(), &key).unwrap();
            let name = algorithm_name(algorithm);
            if algorithm == Algorithm::ES256 {
                // ECDSA signatures are randomised: the signed text must be identical.
                assert_eq!(
                    ours.rsplit_once('.').unwrap().0,
                    theirs.rsplit_once('.').unwrap().0,
                    "{name}"
                );
            } else {
                // RSASSA-PKCS1-v1_5 and Ed25519 are deterministic: byte for byte.
                assert_eq!(ours, theirs, "{name}");
            }
            let jwk = Jwk::from_encoding_key(&key, algorithm).unwrap();
            let mut validation = Validation::new(algorithm);
            validation.set_audience(&["app"]);
            let decoded = jsonwebtoken::decode::<Value>(
                &ours,
                &DecodingKey::from_jwk(&jwk).unwrap(),
                &validation,
            )
            .unwrap();
            assert_eq!(decoded.claims, claims(), "{name}");
        }
    }

    #[test]
    fn a_header_naming_another_algorithm_is_refused() {
        let key = encoding_key(Algorithm::ES256);
        let parsed = ParsedSigningKey::parse(Algorithm::ES256, &key).unwrap();
        for other in [Algorithm::RS256, Algorithm::EdDSA, Algorithm::HS256] {
            let error = parsed.encode(&header(other), &claims()).unwrap_err();
            assert!(
                matches!(error.kind(), ErrorKind::InvalidAlgorithm),
                "{other:?}: {error:?}"
            );
        }
    }

    #[test]
    fn a_key_of_another_kind_does_not_parse() {
        let ec = encoding_key(Algorithm::ES256);
        assert!(ParsedSigningKey::parse(Algorithm::RS256, &ec).is_err());
        assert!(ParsedSigningKey::parse(Algorithm::EdDSA, &ec).is_err());
        let ed = encoding_key(Algorithm::EdDSA);
        assert!(ParsedSigningKey::parse(Algorithm::ES256, &ed).is_err());
        assert!(ParsedSigningKey::parse(Algorithm::HS256, &ed).is_err());
        let garbage = EncodingKey::from_ec_der(b"not a key");
        assert!(ParsedSigningKey::parse(Algorithm::ES256, &garbage).is_err());
    }
}
