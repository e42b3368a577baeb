//! Adding a passkey from My security info.

use portcullis_authn::methods::MethodKind;
use portcullis_core::audit::category;
use portcullis_core::{Credential, CredentialId, CredentialKind};
use portcullis_passkeys::{AaguidPolicy, PasskeyUser, RegistrationCeremony, StoredPasskey};
use portcullis_store::{Batch, Change};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::SecurityInfoService;
use super::context::RegistrationContext;
use super::error::{SecurityInfoError, SecurityInfoResult};
use super::gate::{judge_registration, require_fresh_strong_sign_in};
use super::manage::{checked_name, method_target};
use super::pending::PendingKind;
use super::view::{SecurityMethod, is_strong};
use crate::error::ServiceError;
use crate::services::audit_record;

impl SecurityInfoService {
    /// Starts adding a passkey. Returns the options for
    /// `navigator.credentials.create` (`{"publicKey": {…}}`, binary fields base64url, as
    /// `PublicKeyCredential.parseCreationOptionsFromJSON` takes them).
    ///
    /// Judged by Conditional Access; the methods policy must enable passkeys for the
    /// user; a user who already has a strong method must have proven one within the
    /// fresh-sign-in window (Entra: MFA within 5 minutes before adding a passkey).
    pub async fn begin_passkey_registration(
        &self,
        context: &RegistrationContext<'_>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<Value> {
        judge_registration(context, now)?;
        if !context
            .policy
            .methods
            .allows(MethodKind::Fido2, context.user)
        {
            return Err(SecurityInfoError::MethodNotAllowed {
                method: "Passkey (FIDO2)",
            });
        }
        let credentials = self.store().list_credentials(&context.user.id).await?;
        if credentials
            .iter()
            .any(|credential| is_strong(credential.kind))
        {
            require_fresh_strong_sign_in(context.session, now, self.settings().fresh_sign_in)?;
        }
        let existing: Vec<StoredPasskey> = credentials
            .iter()
            .filter(|credential| credential.kind == CredentialKind::Fido2)
            .filter_map(|credential| StoredPasskey::from_payload(&credential.payload).ok())
            .collect();
        let user = PasskeyUser {
            id: &context.user.id,
            name: &context.user.user_principal_name,
            display_name: &context.user.display_name,
        };
        let (options, ceremony) = self.passkeys()?.begin_registration(user, &existing, now)?;
        let state =
            serde_json::to_value(&ceremony).map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.put_pending(
            &context.user.id,
            PendingKind::Passkey,
            state,
            ceremony.expires_at(),
        )
        .await?;
        Ok(options)
    }

    /// Finishes adding a passkey with the browser's answer (the `PublicKeyCredential`'s
    /// `toJSON()`). Checked: challenge, origin, user verification, the methods policy's
    /// AAGUID restrictions, and that the credential is not registered already.
    pub async fn finish_passkey_registration(
        &self,
        context: &RegistrationContext<'_>,
        response_json: &str,
        display_name: Option<&str>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<SecurityMethod> {
        judge_registration(context, now)?;
        let name = checked_name(display_name.unwrap_or("Passkey"))?;
        let state = self
            .take_pending(&context.user.id, PendingKind::Passkey, now)
            .await?;
        let ceremony: RegistrationCeremony = serde_json::from_value(state)
            .map_err(|_| SecurityInfoError::NoPendingRegistration { what: "passkey" })?;
        let models = AaguidPolicy::from_key_restrictions(
            context.policy.methods.fido2_key_restrictions.clone(),
        );
        let registered =
            self.passkeys()?
                .finish_registration(ceremony, response_json, &models, now)?;
        let existing = self.store().list_credentials(&context.user.id).await?;
        let duplicate = existing.iter().any(|credential| {
            credential.kind == CredentialKind::Fido2
                && StoredPasskey::from_payload(&credential.payload).is_ok_and(|stored| {
                    stored.webauthn_credential_id() == registered.stored.webauthn_credential_id()
                })
        });
        if duplicate {
            return Err(ServiceError::Conflict("this passkey is already registered".into()).into());
        }
        let payload = registered
            .stored
            .to_payload()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let credential = Credential {
            id: CredentialId::from_uuid(Uuid::new_v4()),
            user_id: context.user.id.clone(),
            kind: CredentialKind::Fido2,
            display_name: Some(name),
            payload,
            metadata: passkey_metadata(&registered.stored),
            created_date_time: now,
            last_used_date_time: None,
            revision: 0,
        };
        let audit = audit_record(
            &context.caller(),
            category::USER_AUTHENTICATION_METHOD,
            "User registered security info",
            "Add",
        )
        .with_target(method_target(&credential))
        .with_detail("methodType", "fido2")
        .with_detail(
            "aaGuid",
            &registered.aaguid.unwrap_or(Uuid::nil()).to_string(),
        );
        self.store()
            .commit(Batch::single(
                Change::AddCredential(credential.clone()),
                audit,
            ))
            .await?;
        Ok(SecurityMethod::from_credential(&credential, now))
    }
}

/// Graph's `fido2AuthenticationMethod` facts, which the sign-in service also reads
/// (`metadata.aaGuid`).
fn passkey_metadata(stored: &StoredPasskey) -> Value {
    json!({
        "aaGuid": stored.aaguid.unwrap_or(Uuid::nil()).to_string(),
        "attestationLevel": "notAttested",
        "passkeyType": stored.passkey_type,
    })
}
