//! Authenticator devices are the user's credentials of kind `microsoftAuthenticator`,
//! so the sign-in pipeline offers them as the `AuthenticatorPush` method like any other.
//! The payload holds the device's public key; removing the credential removes the device.

use portcullis_core::audit::{TargetResource, category};
use portcullis_core::{AuditId, AuditRecord, Credential, CredentialId, CredentialKind, UserId};
use portcullis_push::{Device, DevicePublicKey, DeviceState};
use portcullis_store::{Batch, Change, StoreError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::error::{PushError, PushResult};
use super::{PushService, user_initiator};

/// What a push credential's payload holds.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DevicePayload {
    public_key: DevicePublicKey,
    /// Enabled for passwordless sign-in at activation (absent in older payloads: off).
    #[serde(default)]
    phone_sign_in: bool,
}

pub(crate) fn credential_for(device: &Device, phone_sign_in: bool) -> Credential {
    Credential {
        id: device.id.clone(),
        user_id: device.user_id.clone(),
        kind: CredentialKind::MicrosoftAuthenticator,
        display_name: Some(device.display_name.clone()),
        payload: serde_json::json!({
            "publicKey": device.public_key,
            "phoneSignIn": phone_sign_in,
        }),
        metadata: serde_json::json!({
            "deviceTag": "Portcullis Authenticator",
            "phoneAppVersion": "portcullis-authenticator",
        }),
        created_date_time: device.activated_at,
        last_used_date_time: None,
        revision: 1,
    }
}

/// The device behind a credential, or `None` for other kinds of credential.
pub(crate) fn device_of(credential: &Credential) -> PushResult<Option<Device>> {
    if credential.kind != CredentialKind::MicrosoftAuthenticator {
        return Ok(None);
    }
    let payload: DevicePayload = serde_json::from_value(credential.payload.clone())
        .map_err(|e| PushError::Corrupt(format!("credential {}: {e}", credential.id)))?;
    Ok(Some(Device {
        id: credential.id.clone(),
        user_id: credential.user_id.clone(),
        display_name: credential.display_name.clone().unwrap_or_default(),
        public_key: payload.public_key,
        state: DeviceState::Active,
        activated_at: credential.created_date_time,
    }))
}

fn is_phone_sign_in_enabled(credential: &Credential) -> PushResult<bool> {
    if credential.kind != CredentialKind::MicrosoftAuthenticator {
        return Ok(false);
    }
    let payload: DevicePayload = serde_json::from_value(credential.payload.clone())
        .map_err(|e| PushError::Corrupt(format!("credential {}: {e}", credential.id)))?;
    Ok(payload.phone_sign_in)
}

impl PushService {
    /// The user's activated devices.
    pub async fn devices(&self, user: &UserId) -> PushResult<Vec<Device>> {
        let mut devices = Vec::new();
        for credential in self.store.list_credentials(user).await? {
            if let Some(device) = device_of(&credential)? {
                devices.push(device);
            }
        }
        Ok(devices)
    }

    /// The user's devices enabled for passwordless sign-in.
    pub async fn phone_sign_in_devices(&self, user: &UserId) -> PushResult<Vec<CredentialId>> {
        let mut enabled = Vec::new();
        for credential in self.store.list_credentials(user).await? {
            if is_phone_sign_in_enabled(&credential)? {
                enabled.push(credential.id);
            }
        }
        Ok(enabled)
    }

    /// Whether this device may answer passwordless requests (`false` when it is gone).
    pub(crate) async fn device_allows_phone_sign_in(&self, id: &CredentialId) -> PushResult<bool> {
        match self.store.get_credential(id).await {
            Ok(credential) => is_phone_sign_in_enabled(&credential),
            Err(StoreError::NotFound(_)) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// The device with this id, if it is still registered.
    pub async fn device(&self, id: &CredentialId) -> PushResult<Option<Device>> {
        match self.store.get_credential(id).await {
            Ok(credential) => device_of(&credential),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Turns passwordless sign-in ("phone sign-in") on or off for an activated device, at
    /// the device's own signed request (as in Microsoft Authenticator, the phone is where
    /// it is enabled). Off takes effect at once: pending passwordless requests are no
    /// longer shown to the device and its approvals of them are refused. Returns whether
    /// anything changed; an unchanged setting writes nothing.
    pub async fn set_phone_sign_in(
        &self,
        device: &Device,
        enabled: bool,
        now: OffsetDateTime,
    ) -> PushResult<bool> {
        let mut credential = match self.store.get_credential(&device.id).await {
            Ok(credential) if credential.user_id == device.user_id => credential,
            Ok(_) | Err(StoreError::NotFound(_)) => return Err(PushError::UnknownDevice),
            Err(error) => return Err(error.into()),
        };
        let mut payload: DevicePayload = serde_json::from_value(credential.payload.clone())
            .map_err(|e| PushError::Corrupt(format!("credential {}: {e}", credential.id)))?;
        if payload.phone_sign_in == enabled {
            return Ok(false);
        }
        payload.phone_sign_in = enabled;
        credential.payload = serde_json::to_value(&payload)
            .map_err(|e| PushError::Corrupt(format!("credential {}: {e}", credential.id)))?;
        let flag = |on: bool| if on { "true" } else { "false" };
        let audit = AuditRecord::new(
            AuditId::from_uuid(Uuid::new_v4()),
            now,
            category::USER_AUTHENTICATION_METHOD,
            "User changed security info",
            "Update",
            user_initiator(&device.user_id),
        )
        .with_target(TargetResource {
            id: device.user_id.to_string(),
            display_name: None,
            resource_type: "User".to_owned(),
            user_principal_name: None,
            modified_properties: Vec::new(),
        })
        .with_detail("method", "Portcullis Authenticator")
        .with_detail("deviceId", device.id.as_str())
        .with_detail("deviceName", &device.display_name)
        .with_detail("oldPhoneSignIn", flag(!enabled))
        .with_detail("newPhoneSignIn", flag(enabled));
        // The credential's revision guards against a concurrent change (a removal).
        self.store
            .commit(Batch::single(Change::UpdateCredential(credential), audit))
            .await?;
        Ok(true)
    }

    /// Removes a device (a lost phone): its answers and streams are refused from now on.
    pub async fn remove_device(
        &self,
        user: &UserId,
        id: &CredentialId,
        now: OffsetDateTime,
    ) -> PushResult<()> {
        let device = self
            .device(id)
            .await?
            .filter(|d| &d.user_id == user)
            .ok_or(PushError::UnknownDevice)?;
        let audit = AuditRecord::new(
            AuditId::from_uuid(Uuid::new_v4()),
            now,
            category::USER_AUTHENTICATION_METHOD,
            "User deleted security info",
            "Delete",
            user_initiator(user),
        )
        .with_target(TargetResource {
            id: user.to_string(),
            display_name: None,
            resource_type: "User".to_owned(),
            user_principal_name: None,
            modified_properties: Vec::new(),
        })
        .with_detail("method", "Portcullis Authenticator")
        .with_detail("deviceId", device.id.as_str())
        .with_detail("deviceName", &device.display_name);
        self.store
            .commit(Batch::single(Change::DeleteCredential(device.id), audit))
            .await?;
        Ok(())
    }
}
