//! Authenticator devices and their activation.
//!
//! A device is one installation of `portcullis-authenticator` holding a P-256 key. It is
//! registered as one of the user's authentication methods (its id is a [`CredentialId`]),
//! activated with a one-time code the user got from "My security info": the server keeps
//! only the code's SHA-256, and the device proves it holds the private key by signing the
//! code together with its public key ([`crate::message::activation_bytes`]).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::{CredentialId, UserId};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use thiserror::Error;
use time::{Duration, OffsetDateTime};

use crate::key::{AnswerSignature, DevicePublicKey};
use crate::message::activation_bytes;

/// How long an activation code is valid: long enough to install the app and paste it.
pub const ACTIVATION_LIFETIME: Duration = Duration::minutes(15);
/// Entra allows at most five authenticator apps per user (entra.md §5.5).
pub const MAX_DEVICES_PER_USER: usize = 5;
const DISPLAY_NAME_MAX: usize = 64;

/// Whether a device may still answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviceState {
    Active,
    /// Removed by the user or an admin (a lost phone): its answers are refused.
    Removed,
}

/// A registered authenticator device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub id: CredentialId,
    pub user_id: UserId,
    pub display_name: String,
    pub public_key: DevicePublicKey,
    pub state: DeviceState,
    #[serde(with = "time::serde::rfc3339")]
    pub activated_at: OffsetDateTime,
}

impl Device {
    pub fn is_active(&self) -> bool {
        self.state == DeviceState::Active
    }
}

/// A one-time activation code as issued: the text goes to the user once, the digest to
/// the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedActivation {
    pub code: String,
    pub pending: PendingActivation,
}

/// What the server keeps of an activation code until it is used or expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingActivation {
    pub user_id: UserId,
    /// SHA-256 of the code, hex.
    pub code_hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl PendingActivation {
    /// Issues a code of 32 random bytes (base64url): unguessable, and short enough to paste.
    pub fn issue<R: CryptoRng + ?Sized>(
        user_id: UserId,
        now: OffsetDateTime,
        rng: &mut R,
    ) -> IssuedActivation {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        let code = URL_SAFE_NO_PAD.encode(bytes);
        let pending = PendingActivation {
            user_id,
            code_hash: hash_activation_code(&code),
            expires_at: now + ACTIVATION_LIFETIME,
        };
        IssuedActivation { code, pending }
    }
}

/// The digest under which an activation code is stored and looked up.
pub fn hash_activation_code(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().as_bytes()))
}

/// What a device sends to activate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivationRequest {
    pub code: String,
    pub public_key: DevicePublicKey,
    pub display_name: String,
    /// Signature over [`activation_bytes`]`(code, public key)`.
    pub proof: AnswerSignature,
    /// The user enabled passwordless sign-in ("phone sign-in") on this device: the app
    /// then answers passwordless requests, each only after its local unlock.
    #[serde(default)]
    pub phone_sign_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ActivationError {
    #[error("the activation code is unknown or was already used")]
    UnknownCode,
    #[error("the activation code expired at {0}; ask for a new one in My security info")]
    Expired(OffsetDateTime),
    #[error("the proof of possession does not verify with the submitted public key")]
    BadProof,
    #[error("the device name must be 1 to {DISPLAY_NAME_MAX} printable characters")]
    BadDisplayName,
    #[error("this key is already registered as another device")]
    KeyAlreadyRegistered,
    #[error("the user already has {MAX_DEVICES_PER_USER} authenticator devices; remove one first")]
    TooManyDevices,
}

/// Checks an activation request against the stored pending activation and the user's
/// current devices, and returns the device to register. The edge must then delete the
/// pending activation in the same transaction that inserts the device (single use).
pub fn activate(
    pending: &PendingActivation,
    request: &ActivationRequest,
    existing_devices: &[Device],
    new_device_id: CredentialId,
    now: OffsetDateTime,
) -> Result<Device, ActivationError> {
    let submitted = hash_activation_code(&request.code);
    if !bool::from(submitted.as_bytes().ct_eq(pending.code_hash.as_bytes())) {
        return Err(ActivationError::UnknownCode);
    }
    if now >= pending.expires_at {
        return Err(ActivationError::Expired(pending.expires_at));
    }
    let message = activation_bytes(request.code.trim(), &request.public_key.to_sec1());
    if !request.public_key.verify(&message, &request.proof) {
        return Err(ActivationError::BadProof);
    }
    let name = request.display_name.trim();
    if name.is_empty()
        || name.chars().count() > DISPLAY_NAME_MAX
        || name.chars().any(char::is_control)
    {
        return Err(ActivationError::BadDisplayName);
    }
    let active: Vec<&Device> = existing_devices.iter().filter(|d| d.is_active()).collect();
    if active.iter().any(|d| d.public_key == request.public_key) {
        return Err(ActivationError::KeyAlreadyRegistered);
    }
    if active.len() >= MAX_DEVICES_PER_USER {
        return Err(ActivationError::TooManyDevices);
    }
    Ok(Device {
        id: new_device_id,
        user_id: pending.user_id.clone(),
        display_name: name.to_owned(),
        public_key: request.public_key.clone(),
        state: DeviceState::Active,
        activated_at: now,
    })
}
