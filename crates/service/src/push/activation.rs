//! Activation: My security info issues a one-time code (as a link); the app posts its
//! public key with a proof of possession; the device becomes one of the user's methods.

use portcullis_core::audit::{TargetResource, category};
use portcullis_core::{AuditId, AuditRecord, CredentialId, UserId};
use portcullis_push::wire::{ACTIVATE_PATH, ActivationResponse};
use portcullis_push::{ActivationError, ActivationRequest, PendingActivation, activate};
use portcullis_store::push_state::PushActivationRecord;
use portcullis_store::{Batch, Change};
use time::OffsetDateTime;
use uuid::Uuid;

use super::devices::credential_for;
use super::error::{PushError, PushResult};
use super::{PushService, user_initiator};

/// A code just issued, shown once to the user (as text and as a QR code of `link`).
#[derive(Debug, Clone)]
pub struct IssuedActivationLink {
    pub code: String,
    pub link: String,
    pub expires_at: OffsetDateTime,
}

impl PushService {
    pub async fn issue_activation(
        &self,
        user: &UserId,
        now: OffsetDateTime,
    ) -> PushResult<IssuedActivationLink> {
        // Fails early (NotFound) for a user that does not exist.
        self.store.get_user(user).await?;
        let issued = PendingActivation::issue(user.clone(), now, &mut rand::rng());
        self.store
            .insert_push_activation(&PushActivationRecord {
                code_hash: issued.pending.code_hash.clone(),
                user_id: user.clone(),
                expires_date_time: issued.pending.expires_at,
                doc: serde_json::to_value(&issued.pending)
                    .map_err(|e| PushError::Corrupt(e.to_string()))?,
            })
            .await?;
        Ok(IssuedActivationLink {
            link: format!("{}{ACTIVATE_PATH}?code={}", self.public_url, issued.code),
            code: issued.code,
            expires_at: issued.pending.expires_at,
        })
    }

    /// Registers the device. The code is spent whether or not the rest succeeds, so a
    /// code can never be tried twice.
    pub async fn activate(
        &self,
        request: &ActivationRequest,
        now: OffsetDateTime,
    ) -> PushResult<ActivationResponse> {
        let code_hash = portcullis_push::hash_activation_code(&request.code);
        let record = self
            .store
            .take_push_activation(&code_hash)
            .await?
            .ok_or(ActivationError::UnknownCode)?;
        let pending = PendingActivation {
            user_id: record.user_id.clone(),
            code_hash,
            expires_at: record.expires_date_time,
        };
        let existing = self.devices(&record.user_id).await?;
        let device = activate(
            &pending,
            request,
            &existing,
            CredentialId::from_uuid(Uuid::new_v4()),
            now,
        )?;
        let user = self.store.get_user(&record.user_id).await?;
        let audit = AuditRecord::new(
            AuditId::from_uuid(Uuid::new_v4()),
            now,
            category::USER_AUTHENTICATION_METHOD,
            "User registered security info",
            "Add",
            user_initiator(&user.id),
        )
        .with_target(TargetResource {
            id: user.id.to_string(),
            display_name: Some(user.display_name.clone()),
            resource_type: "User".to_owned(),
            user_principal_name: Some(user.user_principal_name.clone()),
            modified_properties: Vec::new(),
        })
        .with_detail("method", "Portcullis Authenticator")
        .with_detail("deviceId", device.id.as_str())
        .with_detail("deviceName", &device.display_name)
        .with_detail(
            "phoneSignIn",
            if request.phone_sign_in {
                "true"
            } else {
                "false"
            },
        );
        self.store
            .commit(Batch::single(
                Change::AddCredential(credential_for(&device, request.phone_sign_in)),
                audit,
            ))
            .await?;
        Ok(ActivationResponse {
            device_id: device.id,
            user_id: user.id,
            user_principal_name: user.user_principal_name,
        })
    }
}
