//! Registering a passkey: options for `navigator.credentials.create`, then the checks
//! of the browser's answer.

use portcullis_core::UserId;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;
use webauthn_rs::prelude::{CredentialID, RegisterPublicKeyCredential};
use webauthn_rs_core::proto::ResidentKeyRequirement;

use crate::aaguid::AaguidPolicy;
use crate::authenticator_data::registration_facts;
use crate::ceremony::RegistrationCeremony;
use crate::error::PasskeyError;
use crate::relying_party::Passkeys;
use crate::stored::{PasskeyType, STORED_FORMAT, StoredPasskey};

/// Who registers: the directory user. The user ID becomes the passkey's user handle,
/// which is how username-less sign-in finds the user again.
#[derive(Debug, Clone, Copy)]
pub struct PasskeyUser<'a> {
    pub id: &'a UserId,
    /// Shown by the authenticator's account picker (the userPrincipalName).
    pub name: &'a str,
    pub display_name: &'a str,
}

/// A verified new passkey, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredPasskey {
    pub stored: StoredPasskey,
    pub aaguid: Option<Uuid>,
    pub user_verified: bool,
}

impl Passkeys {
    /// Starts a registration. `existing` are the user's passkeys, excluded so the same
    /// authenticator is not registered twice. Returns the options JSON
    /// (`{"publicKey": {…}}`, binary fields base64url, as
    /// `PublicKeyCredential.parseCreationOptionsFromJSON` reads them) and the state to keep.
    pub fn begin_registration(
        &self,
        user: PasskeyUser<'_>,
        existing: &[StoredPasskey],
        now: OffsetDateTime,
    ) -> Result<(Value, RegistrationCeremony), PasskeyError> {
        let handle = user_handle(user.id)?;
        let exclude: Vec<CredentialID> = existing
            .iter()
            .map(|passkey| passkey.webauthn_credential_id().to_vec())
            .collect();
        let display_name = if user.display_name.trim().is_empty() {
            user.name
        } else {
            user.display_name
        };
        let (mut options, state) = self
            .webauthn
            .start_passkey_registration(handle, user.name, display_name, Some(exclude))
            .map_err(PasskeyError::from_webauthn)?;
        // Ask for a discoverable credential where the authenticator can store one, so
        // the passkey also works username-less. A hint only: webauthn-rs does not
        // enforce residency, and neither do we (security keys with little storage
        // still register, and are offered after the user name is typed).
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Preferred);
        }
        let json =
            serde_json::to_value(&options).map_err(|e| PasskeyError::State(e.to_string()))?;
        let ceremony = RegistrationCeremony {
            user_id: user.id.clone(),
            state,
            expires_at: now + self.ceremony_lifetime,
        };
        Ok((json, ceremony))
    }

    /// Checks the browser's answer (JSON of the `PublicKeyCredential`, binary fields
    /// base64url, as its `toJSON()` gives) against the ceremony, the user verification
    /// requirement and the AAGUID policy.
    pub fn finish_registration(
        &self,
        ceremony: RegistrationCeremony,
        response_json: &str,
        models: &AaguidPolicy,
        now: OffsetDateTime,
    ) -> Result<RegisteredPasskey, PasskeyError> {
        ceremony.check_expiry(now)?;
        let response: RegisterPublicKeyCredential = serde_json::from_str(response_json)
            .map_err(|e| PasskeyError::MalformedResponse(e.to_string()))?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(&response, &ceremony.state)
            .map_err(PasskeyError::from_webauthn)?;
        let facts = registration_facts(&response.response.attestation_object)?;
        // webauthn-rs already refuses a registration without UV under its Required
        // policy; checked again because a passkey without it must never be stored.
        if !facts.user_verified {
            return Err(PasskeyError::UserVerificationMissing);
        }
        if !models.permits(facts.aaguid) {
            return Err(PasskeyError::AaguidRefused {
                aaguid: facts.aaguid,
            });
        }
        let stored = StoredPasskey {
            format: STORED_FORMAT,
            passkey,
            aaguid: facts.aaguid,
            discoverable: response
                .extensions
                .cred_props
                .as_ref()
                .and_then(|props| props.rk),
            passkey_type: if facts.backup_eligible {
                PasskeyType::Synced
            } else {
                PasskeyType::DeviceBound
            },
            clone_suspected_at: None,
        };
        Ok(RegisteredPasskey {
            stored,
            aaguid: facts.aaguid,
            user_verified: facts.user_verified,
        })
    }
}

/// Portcullis user IDs are GUIDs; the handle is their 16 bytes.
pub(crate) fn user_handle(id: &UserId) -> Result<Uuid, PasskeyError> {
    Uuid::parse_str(id.as_str()).map_err(|_| PasskeyError::InvalidUserHandle)
}
