//! Self-service password reset over the pure flow (`portcullis_signin::PasswordReset`):
//!
//! ```text
//! begin_password_reset(name, ip)     ─▶ a stored reset (hashed handle, ~15 min), the same
//!                                       for an unknown name (never reveals an account)
//! password_reset_step(handle, input) ─▶ load the account afresh ─▶ pure step ─▶ ONE write:
//!                                       the reset (revision-checked), TOTP step used,
//!                                       send throttle ─▶ deliver the code after the commit
//! finish_password_reset(handle, new) ─▶ only once verified: the password rules, stored,
//!                                       every session and refresh token revoked, smart
//!                                       lockout cleared, audited, the user notified
//! ```
//!
//! The reset lives in the sign-in transaction store under its own document shape, so it
//! expires and is revision-checked like a sign-in; per-IP and per-name rate limits are
//! the sign-in's.

use std::net::IpAddr;

use portcullis_authn::lockout::LockoutReset;
use portcullis_core::CorrelationId;
use portcullis_core::audit::category;
use portcullis_signin::{
    PasswordReset, Protocol, ResetEnvironment, ResetInput, ResetPolicy, ResetStage,
};
use portcullis_store::{
    Batch, Change, SignInStepWrite, StoreError, StoredSignInTransaction, TransactionSubject,
    TransactionWrite,
};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::SignInService;
use super::admin_unlock::clear_lockout;
use super::codes::Notice;
use super::effects::{PlanFacts, plan};
use super::service::{new_handle, to_json};
use super::subject::{LoadFor, Who, load_subject};
use super::types::{SignInError, SignInRequest, TargetApplication, TransactionId};
use crate::bootstrap::user_target;
use crate::caller::Caller;
use crate::risk::{Remediation, remediate_user_risk};
use crate::services::audit_record;

/// `[signin.password_reset]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordResetSettings {
    pub enabled: bool,
    pub policy: ResetPolicy,
    /// How long a reset may take from the name to the new password.
    pub lifetime: Duration,
}

impl Default for PasswordResetSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            policy: ResetPolicy::default(),
            lifetime: Duration::minutes(15),
        }
    }
}

/// What the store keeps per reset.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResetDoc {
    password_reset: PasswordReset,
    ip_address: Option<IpAddr>,
    correlation_id: CorrelationId,
    /// The new password was set: the handle is spent.
    #[serde(default)]
    spent: bool,
}

/// Where a reset stands, for the pages and the API.
#[derive(Debug, Clone)]
pub struct ResetProgress {
    pub handle: TransactionId,
    pub stage: ResetStage,
}

impl SignInService {
    /// Begins a reset for the name typed. The answer is the same whether an account
    /// exists or not.
    pub async fn begin_password_reset(
        &self,
        identifier: &str,
        ip_address: Option<IpAddr>,
    ) -> Result<ResetProgress, SignInError> {
        let settings = self.reset_settings()?;
        let identifier = identifier.trim();
        self.inner
            .limits
            .check(ip_address, Some(identifier))
            .map_err(|retry_after| SignInError::RateLimited { retry_after })?;
        let request = self.reset_request(identifier, ip_address, None).await?;
        let loaded = load_subject(
            self.inner.store.as_ref(),
            Who::Name(identifier),
            &request,
            LoadFor::Record,
        )
        .await?;
        let now = OffsetDateTime::now_utc();
        let doc = ResetDoc {
            password_reset: PasswordReset::begin(identifier, loaded.subject.user(), now),
            ip_address,
            correlation_id: request.correlation_id.clone(),
            spent: false,
        };
        let handle = new_handle();
        let stored = StoredSignInTransaction {
            id_hash: handle.hash(),
            revision: 0,
            created_at: now,
            expires_at: now + settings.lifetime,
            doc: to_json(&doc)?,
            // A reset is continued by its own read, never by a sign-in step's.
            subject: TransactionSubject::default(),
        };
        self.inner
            .committer
            .commit(SignInStepWrite {
                transaction: Some(TransactionWrite::Create(stored)),
                ..SignInStepWrite::default()
            })
            .await?;
        Ok(ResetProgress {
            stage: doc.password_reset.stage(&settings.policy),
            handle,
        })
    }

    /// One verification answer.
    pub async fn password_reset_step(
        &self,
        handle: &TransactionId,
        input: ResetInput,
    ) -> Result<ResetProgress, SignInError> {
        let settings = self.reset_settings()?;
        let (stored, mut doc) = self.open_reset(handle).await?;
        self.inner
            .limits
            .check(doc.ip_address, Some(doc.password_reset.identifier()))
            .map_err(|retry_after| SignInError::RateLimited { retry_after })?;
        let request = self
            .reset_request(
                doc.password_reset.identifier(),
                doc.ip_address,
                Some(doc.correlation_id.clone()),
            )
            .await?;
        let loaded = match doc.password_reset.user_id() {
            Some(id) => {
                load_subject(
                    self.inner.store.as_ref(),
                    Who::Id(id),
                    &request,
                    LoadFor::Record,
                )
                .await?
            }
            None => {
                load_subject(
                    self.inner.store.as_ref(),
                    Who::Name(doc.password_reset.identifier()),
                    &request,
                    LoadFor::Record,
                )
                .await?
            }
        };
        let policy = self
            .policy()
            .await
            .map_err(|err| SignInError::Internal(err.to_string()))?;
        let now = OffsetDateTime::now_utc();
        let environment = ResetEnvironment {
            policy: &settings.policy,
            methods: policy.environment().methods,
            codes: &self.inner.config.otp_codes,
            now,
        };
        let step =
            doc.password_reset
                .step(&environment, loaded.subject.user(), input, &mut rand::rng());
        if step.stage == ResetStage::Failed {
            tracing::info!(correlation_id = %doc.correlation_id, "password reset ended after too many wrong answers");
        }
        let write = TransactionWrite::Update {
            id_hash: stored.id_hash.clone(),
            expected_revision: stored.revision,
            doc: to_json(&doc)?,
            subject: TransactionSubject::default(),
        };
        let planned = plan(
            step.effects,
            PlanFacts {
                loaded: &loaded,
                request: &request,
                transaction: Some(write),
                lifetimes: super::SessionLifetimes::default(),
                replaces: None,
                code_purpose: super::codes::CodePurpose::PasswordReset,
                now,
            },
        )?;
        match self.commit(planned).await {
            Ok(_) => {}
            Err(StoreError::Conflict(_)) => return Err(SignInError::ConcurrentStep),
            Err(other) => return Err(other.into()),
        }
        Ok(ResetProgress {
            handle: handle.clone(),
            stage: step.stage,
        })
    }

    /// Sets the new password once the reset is verified. The reset ends with it.
    pub async fn finish_password_reset(
        &self,
        handle: &TransactionId,
        new_password: &str,
    ) -> Result<(), SignInError> {
        let settings = self.reset_settings()?;
        let (stored, mut doc) = self.open_reset(handle).await?;
        let Some(user_id) = doc.password_reset.verified_user(&settings.policy).cloned() else {
            return Err(SignInError::Invalid(
                "verify your identity before choosing a new password".into(),
            ));
        };
        let ip = doc.ip_address.map(|ip| ip.to_string());
        self.set_new_password(
            &user_id,
            new_password,
            ip.clone(),
            "Reset password (self-service)",
        )
        .await?;
        // The reset is spent, every session and refresh token ends (the password's new
        // creation time also ends sessions, but a refresh token should not wait for a
        // check), and smart lockout forgets the wrong guesses that led here.
        let now = OffsetDateTime::now_utc();
        let user = self.inner.store.get_user(&user_id).await?;
        let caller = Caller::user(&user_id, &user.user_principal_name, ip);
        let audit = audit_record(
            &caller,
            category::USER_MANAGEMENT,
            "Revoke user sessions (self-service password reset)",
            "Update",
        )
        .with_target(user_target(&user));
        self.inner
            .store
            .commit(
                Batch::new()
                    .change(Change::RevokeUserSessions {
                        user: user_id.clone(),
                        at: now,
                    })
                    .audit(audit),
            )
            .await?;
        clear_lockout(
            self.inner.store.as_ref(),
            &caller,
            &user_id,
            LockoutReset::SelfServicePasswordReset,
            "Unlock user (self-service password reset)",
        )
        .await
        .map_err(|err| SignInError::Internal(err.to_string()))?;
        // A verified reset is a secure one: it remediates the user's risk.
        remediate_user_risk(
            self.inner.store.as_ref(),
            &user_id,
            Remediation::SecuredPasswordReset,
            now,
        )
        .await?;
        self.inner
            .committer
            .commit(SignInStepWrite {
                transaction: Some(TransactionWrite::Update {
                    id_hash: stored.id_hash.clone(),
                    expected_revision: stored.revision,
                    doc: {
                        doc.spent = true;
                        to_json(&doc)?
                    },
                    subject: TransactionSubject::default(),
                }),
                ..SignInStepWrite::default()
            })
            .await
            .map_err(|err| match err {
                StoreError::Conflict(_) => SignInError::ConcurrentStep,
                other => other.into(),
            })?;
        // Tell the user, so a reset they did not make does not go unnoticed.
        if let Some(address) = user.mail.as_deref() {
            let notice = Notice::password_reset(&user, address, now, doc.correlation_id.clone());
            if let Err(error) = self.inner.codes.notify(&notice).await {
                tracing::warn!(%error, user = %user_id, "password reset notice not delivered");
            }
        }
        Ok(())
    }

    fn reset_settings(&self) -> Result<PasswordResetSettings, SignInError> {
        let settings = self.inner.password_reset;
        if !settings.enabled {
            return Err(SignInError::Invalid(
                "self-service password reset is turned off; contact your helpdesk".into(),
            ));
        }
        Ok(settings)
    }

    async fn reset_request(
        &self,
        identifier: &str,
        ip_address: Option<IpAddr>,
        correlation_id: Option<CorrelationId>,
    ) -> Result<portcullis_signin::RequestContext, SignInError> {
        let mut request =
            SignInRequest::new(Protocol::Browser, TargetApplication::Portal, identifier);
        request.ip_address = ip_address;
        request.correlation_id = correlation_id;
        request.app_display_name = Some("password reset".into());
        self.request_context(&request).await
    }

    async fn open_reset(
        &self,
        handle: &TransactionId,
    ) -> Result<(StoredSignInTransaction, ResetDoc), SignInError> {
        let stored = self.load_transaction(&handle.hash()).await?;
        // A sign-in handle is not a reset handle.
        let doc: ResetDoc = serde_json::from_value(stored.doc.clone())
            .map_err(|_| SignInError::UnknownTransaction)?;
        if doc.spent {
            return Err(SignInError::UnknownTransaction);
        }
        Ok((stored, doc))
    }
}
