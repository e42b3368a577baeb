//! A registered passkey as kept in the credential's payload: webauthn-rs's `Passkey`
//! (public key, credential ID, counter, backup flags) plus the facts Portcullis needs
//! without touching webauthn-rs internals.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use webauthn_rs::prelude::Passkey;

/// The payload format written today. Why a version: webauthn-rs has changed its stored
/// credential format between releases, and a reader must know what it is reading.
pub const STORED_FORMAT: u32 = 1;

/// Graph's `fido2AuthenticationMethod.passkeyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PasskeyType {
    /// Bound to one authenticator (a security key, a TPM).
    DeviceBound,
    /// Backup-eligible: a passkey provider may copy it to the user's other devices.
    Synced,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredPasskey {
    pub format: u32,
    pub(crate) passkey: Passkey,
    /// The authenticator model; `None` when the authenticator did not say (all zeros).
    pub aaguid: Option<Uuid>,
    /// Whether the browser reported a discoverable (resident) credential. Unsigned, so it
    /// is only a hint for the UI; username-less sign-in works whenever the key can.
    pub discoverable: Option<bool>,
    pub passkey_type: PasskeyType,
    /// When a counter regression flagged this credential as possibly cloned.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub clone_suspected_at: Option<OffsetDateTime>,
}

impl PartialEq for StoredPasskey {
    fn eq(&self, other: &Self) -> bool {
        // `Passkey` compares by credential ID only; the JSON compares everything.
        serde_json::to_value(self).ok() == serde_json::to_value(other).ok()
    }
}

impl StoredPasskey {
    /// The WebAuthn credential ID (the authenticator's handle, not Portcullis's id).
    pub fn webauthn_credential_id(&self) -> &[u8] {
        self.passkey.cred_id()
    }

    /// Whether a counter regression has flagged it.
    pub fn is_clone_suspected(&self) -> bool {
        self.clone_suspected_at.is_some()
    }

    /// The JSON kept in `Credential.payload`.
    pub fn to_payload(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }

    /// Reads `Credential.payload`; refuses formats this build does not know.
    pub fn from_payload(payload: &serde_json::Value) -> Result<Self, crate::PasskeyError> {
        let stored: StoredPasskey = serde_json::from_value(payload.clone())
            .map_err(|e| crate::PasskeyError::State(format!("stored passkey: {e}")))?;
        if stored.format != STORED_FORMAT {
            return Err(crate::PasskeyError::State(format!(
                "stored passkey format {} is not supported (expected {STORED_FORMAT})",
                stored.format
            )));
        }
        Ok(stored)
    }
}
