//! The two interrupts a sign-in can stop at, and how the user gets through them:
//!
//! ```text
//! Stage::Registration   begin_registration_totp ─▶ secret, otpauth URI, QR code
//!                       finish_registration_totp(code) ─▶ saved ─▶ step(MethodRegistered)
//!                       registration_passkey_options ─▶ navigator.credentials.create options
//!                       finish_registration_passkey(response) ─▶ saved ─▶ step(MethodRegistered)
//!                       begin_registration_contact(phone | email) ─▶ code sent
//!                       finish_registration_contact(code) ─▶ saved ─▶ step(MethodRegistered)
//!                       begin_registration_authenticator ─▶ activation link (interrupt/authenticator.rs)
//! Stage::PasswordChange change_password(new) ─▶ rules, leaked ranges, not the current one
//!                       ─▶ stored (old sessions end) ─▶ step(PasswordChanged)
//! ```
//!
//! Registering goes through the security-info service with the transaction's session so
//! far (what this sign-in proved, and when): Conditional Access on
//! `urn:user:registersecurityinfo`, the methods policy, the fresh-sign-in rule and the
//! audit record are the same as in My security info, and the pipeline then counts the
//! new method as performed in this sign-in (Entra's combined registration).

mod authenticator;
mod contact;

use std::sync::Arc;

use portcullis_authn::methods::MethodKind;
use portcullis_core::audit::category;
use portcullis_core::{CredentialKind, UserId};
use portcullis_policy::evaluate::SessionState;
use portcullis_signin::{Input, RequestContext, Stage, UserRecord};
use portcullis_store::Batch;
use serde_json::Value;
use time::OffsetDateTime;

use super::SignInService;
use super::new_password::{password_replacement, rejection_message};
use super::policy_cache::LoadedPolicy;
use super::service::TransactionDoc;
use super::types::{SignInError, SignInProgress, TransactionId};
use crate::bootstrap::user_target;
use crate::caller::Caller;
use crate::risk::{Remediation, remediate_user_risk};
use crate::security_info::{
    MethodDetail, RegistrationContext, SecurityInfoError, SecurityInfoService, SecurityMethod,
    TotpEnrolment,
};
use crate::services::audit_record;

pub use authenticator::RegistrationActivation;
pub use contact::RegistrationContactError;

/// What a registration inside a sign-in is judged with, owned.
struct RegistrationParts {
    user: UserRecord,
    session: SessionState,
    request: RequestContext,
    policy: Arc<LoadedPolicy>,
    ip: Option<String>,
    /// What the registration prompt offers.
    offered: Vec<MethodKind>,
}

impl RegistrationParts {
    fn context(&self) -> RegistrationContext<'_> {
        RegistrationContext {
            user: &self.user,
            session: &self.session,
            request: &self.request,
            policy: self.policy.environment(),
            ip_address: self.ip.as_deref(),
        }
    }
}

impl SignInService {
    /// Starts adding an authenticator app in the registration interrupt.
    pub async fn begin_registration_totp(
        &self,
        transaction: &TransactionId,
        security_info: &SecurityInfoService,
    ) -> Result<TotpEnrolment, SignInError> {
        let parts = self.registration_parts(transaction).await?;
        security_info
            .begin_totp(&parts.context(), OffsetDateTime::now_utc())
            .await
            .map_err(refused)
    }

    /// Finishes adding an authenticator app with its first code; the sign-in goes on
    /// with the app counted as used. A wrong code ends that setup (start again for a
    /// new secret) but not the sign-in.
    pub async fn finish_registration_totp(
        &self,
        transaction: &TransactionId,
        code: &str,
        security_info: &SecurityInfoService,
    ) -> Result<SignInProgress, SignInError> {
        let parts = self.registration_parts(transaction).await?;
        let method = security_info
            .finish_totp(&parts.context(), code, None, OffsetDateTime::now_utc())
            .await
            .map_err(refused)?;
        self.step(transaction, registered(&method)).await
    }

    /// The options for creating a passkey in the registration interrupt.
    pub async fn registration_passkey_options(
        &self,
        transaction: &TransactionId,
        security_info: &SecurityInfoService,
    ) -> Result<Value, SignInError> {
        let parts = self.registration_parts(transaction).await?;
        security_info
            .begin_passkey_registration(&parts.context(), OffsetDateTime::now_utc())
            .await
            .map_err(refused)
    }

    /// Finishes creating a passkey with the browser's answer; the sign-in goes on with
    /// the passkey counted as used.
    pub async fn finish_registration_passkey(
        &self,
        transaction: &TransactionId,
        response_json: &str,
        security_info: &SecurityInfoService,
    ) -> Result<SignInProgress, SignInError> {
        let parts = self.registration_parts(transaction).await?;
        let method = security_info
            .finish_passkey_registration(
                &parts.context(),
                response_json,
                None,
                OffsetDateTime::now_utc(),
            )
            .await
            .map_err(refused)?;
        self.step(transaction, registered(&method)).await
    }

    /// The forced password change (expired, asked by an admin or a policy, risk
    /// remediation): the new password must meet the rules and differ from the current
    /// one. It is stored (ending the user's other sessions) before the pipeline goes on.
    pub async fn change_password(
        &self,
        transaction: &TransactionId,
        new_password: &str,
    ) -> Result<SignInProgress, SignInError> {
        let (_, doc) = self.open_transaction(transaction).await?;
        if doc.transaction.stage() != Stage::PasswordChange {
            return Err(SignInError::Invalid(
                "this sign-in is not waiting for a new password".into(),
            ));
        }
        self.inner
            .limits
            .check(doc.request.ip_address, Some(doc.transaction.identifier()))
            .map_err(|retry_after| SignInError::RateLimited { retry_after })?;
        let user_id = transaction_user(&doc)?;
        let ip = doc.request.ip_address.map(|ip| ip.to_string());
        self.set_new_password(&user_id, new_password, ip, "Change password (self-service)")
            .await?;
        // A change after multifactor authentication is a secure password change: it
        // remediates the user's risk (a change on a password alone does not).
        let multifactor = doc
            .transaction
            .session()
            .methods
            .iter()
            .any(|method| !method.method.is_first_factor_only());
        if multifactor {
            remediate_user_risk(
                self.inner.store.as_ref(),
                &user_id,
                Remediation::SecuredPasswordChange,
                OffsetDateTime::now_utc(),
            )
            .await?;
        }
        self.step(transaction, Input::PasswordChanged).await
    }

    /// Checks and stores a password the user chose themselves, audited as `activity`.
    /// Shared with self-service password reset.
    pub(crate) async fn set_new_password(
        &self,
        user_id: &UserId,
        new_password: &str,
        ip: Option<String>,
        activity: &str,
    ) -> Result<(), SignInError> {
        let store = &self.inner.store;
        let user = store.get_user(user_id).await?;
        self.inner
            .new_passwords
            .check(&user.user_principal_name, &user.display_name, new_password)
            .await
            .map_err(|rejection| SignInError::PasswordRejected(rejection_message(&rejection)))?;
        let credentials = store.list_credentials(user_id).await?;
        let current: Vec<String> = credentials
            .iter()
            .filter(|credential| credential.kind == CredentialKind::Password)
            .filter_map(|credential| {
                super::credential_payload::PasswordPayload::from_credential(credential)
                    .ok()
                    .map(|payload| payload.phc)
            })
            .collect();
        let hasher = self.inner.config.hasher.clone();
        let candidate = new_password.to_owned();
        // argon2 takes tens of milliseconds: off the async threads.
        let (reused, phc) = self
            .inner
            .cpu
            .run(move || {
                let reused = current
                    .iter()
                    .any(|phc| hasher.verify(&candidate, phc).unwrap_or(false));
                (reused, hasher.hash(&candidate, &mut rand::rng()))
            })
            .await?;
        if reused {
            return Err(SignInError::PasswordRejected(
                "Choose a password different from your current one.".into(),
            ));
        }
        let phc = phc.map_err(|err| SignInError::Internal(err.to_string()))?;
        let now = OffsetDateTime::now_utc();
        let caller = Caller::user(user_id, &user.user_principal_name, ip);
        let audit = audit_record(&caller, category::USER_MANAGEMENT, activity, "Update")
            .with_target(user_target(&user));
        let mut batch = Batch::new();
        for change in password_replacement(&credentials, user_id, phc, false, now) {
            batch = batch.change(change);
        }
        store.commit(batch.audit(audit)).await?;
        Ok(())
    }

    async fn registration_parts(
        &self,
        transaction: &TransactionId,
    ) -> Result<RegistrationParts, SignInError> {
        let (_, doc) = self.open_transaction(transaction).await?;
        if !matches!(doc.transaction.stage(), Stage::Registration { .. }) {
            return Err(SignInError::Invalid(
                "this sign-in is not waiting for a method to be registered".into(),
            ));
        }
        self.inner
            .limits
            .check(doc.request.ip_address, Some(doc.transaction.identifier()))
            .map_err(|retry_after| SignInError::RateLimited { retry_after })?;
        let user_id = transaction_user(&doc)?;
        let user = self
            .user_record(&user_id, &doc.request)
            .await?
            .ok_or(SignInError::UnknownTransaction)?;
        let policy = self
            .policy()
            .await
            .map_err(|err| SignInError::Internal(err.to_string()))?;
        Ok(RegistrationParts {
            offered: doc.transaction.registration_offered().to_vec(),
            user,
            session: doc.transaction.session().clone(),
            ip: doc.request.ip_address.map(|ip| ip.to_string()),
            request: doc.request,
            policy,
        })
    }
}

fn transaction_user(doc: &TransactionDoc) -> Result<UserId, SignInError> {
    doc.transaction
        .user_id()
        .cloned()
        .ok_or_else(|| SignInError::Internal("an interrupted sign-in without a user".into()))
}

/// The pipeline's input for a method just saved.
fn registered(method: &SecurityMethod) -> Input {
    // Contact methods and the Authenticator have their own finish (interrupt/).
    let (kind, aaguid) = match &method.detail {
        MethodDetail::Passkey { aaguid, .. } => (MethodKind::Fido2, *aaguid),
        _ => (MethodKind::Totp, None),
    };
    Input::MethodRegistered {
        credential_id: method.id.clone(),
        kind,
        aaguid,
    }
}

/// A refusal the user can act on (wrong code, blocked by policy, passkey refused); a
/// storage failure stays internal.
fn refused(error: SecurityInfoError) -> SignInError {
    match error {
        SecurityInfoError::Service(crate::ServiceError::Internal(why)) => {
            SignInError::Internal(why)
        }
        SecurityInfoError::WrongCode => SignInError::WrongRegistrationCode,
        other => SignInError::RegistrationRefused(other.to_string()),
    }
}
