//! Device public keys and answer signatures (ECDSA P-256 with SHA-256, RustCrypto `p256`).
//!
//! On the wire a public key is the SEC1 uncompressed point (65 bytes) and a signature the
//! fixed 64-byte `r‖s` form, both base64url without padding: one encoding each, so nothing
//! downstream has to guess.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    #[error("the public key is not base64url (no padding)")]
    PublicKeyNotBase64,
    #[error(
        "the public key is not an uncompressed P-256 point (65 bytes starting 0x04) on the curve"
    )]
    PublicKeyNotP256,
    #[error("the signature is not base64url (no padding)")]
    SignatureNotBase64,
    #[error("the signature is not a 64-byte P-256 ECDSA signature (r‖s)")]
    SignatureMalformed,
}

/// A registered device's public key, validated as a point on P-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePublicKey {
    key: VerifyingKey,
}

impl DevicePublicKey {
    /// Parses the SEC1 uncompressed encoding. Compressed points and the identity are
    /// refused so that every key has exactly one accepted encoding.
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() != 65 || bytes.first() != Some(&0x04) {
            return Err(KeyError::PublicKeyNotP256);
        }
        let key = VerifyingKey::from_sec1_bytes(bytes).map_err(|_| KeyError::PublicKeyNotP256)?;
        Ok(Self { key })
    }

    pub fn from_base64url(text: &str) -> Result<Self, KeyError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| KeyError::PublicKeyNotBase64)?;
        Self::from_sec1(&bytes)
    }

    pub fn from_verifying_key(key: VerifyingKey) -> Self {
        Self { key }
    }

    pub fn to_sec1(&self) -> Vec<u8> {
        self.key.to_encoded_point(false).as_bytes().to_vec()
    }

    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.to_sec1())
    }

    /// Verifies `signature` over `message` (SHA-256 inside ECDSA). ECDSA signatures are
    /// malleable (s and n−s both verify), which is harmless here: replay protection rests
    /// on the approval being settled once, never on the signature bytes being unique.
    pub fn verify(&self, message: &[u8], signature: &AnswerSignature) -> bool {
        self.key.verify(message, &signature.0).is_ok()
    }
}

impl Serialize for DevicePublicKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64url())
    }
}

impl<'de> Deserialize<'de> for DevicePublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_base64url(&text).map_err(serde::de::Error::custom)
    }
}

/// An ECDSA P-256 signature in fixed `r‖s` form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerSignature(Signature);

impl AnswerSignature {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        Signature::from_slice(bytes)
            .map(Self)
            .map_err(|_| KeyError::SignatureMalformed)
    }

    pub fn from_base64url(text: &str) -> Result<Self, KeyError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| KeyError::SignatureNotBase64)?;
        Self::from_bytes(&bytes)
    }

    pub fn from_signature(signature: Signature) -> Self {
        Self(signature)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes().to_vec()
    }

    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.to_bytes())
    }
}

impl Serialize for AnswerSignature {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64url())
    }
}

impl<'de> Deserialize<'de> for AnswerSignature {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_base64url(&text).map_err(serde::de::Error::custom)
    }
}
