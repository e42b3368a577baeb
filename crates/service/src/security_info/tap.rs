//! Temporary Access Pass issuance by admins (entra.md §5.6): one per user (a new pass
//! replaces the old), one-time or multi-use, a lifetime within the policy (10 minutes to
//! 30 days at most), stored as an argon2id hash, shown once, audited.

use portcullis_authn::tap::{TapIssueRequest, TemporaryAccessPass};
use portcullis_core::audit::category;
use portcullis_core::{Credential, CredentialId, CredentialKind, Permission, UserId};
use portcullis_store::{Batch, Change};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::SecurityInfoService;
use super::admin::is_self;
use super::error::SecurityInfoResult;
use super::manage::method_target;
use super::view::SecurityMethod;
use crate::caller::Caller;
use crate::error::ServiceError;
use crate::services::audit_record;

/// Graph's `POST …/temporaryAccessPassMethods` body; unset fields take the policy's
/// defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TemporaryAccessPassRequest {
    pub start_date_time: Option<OffsetDateTime>,
    pub lifetime_in_minutes: Option<u32>,
    pub is_usable_once: Option<bool>,
}

/// The new pass: `temporary_access_pass` is shown to the admin this once.
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedTemporaryAccessPass {
    pub method: SecurityMethod,
    pub temporary_access_pass: String,
}

impl std::fmt::Debug for IssuedTemporaryAccessPass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedTemporaryAccessPass")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl SecurityInfoService {
    /// Issues a pass. Authentication and Privileged Authentication Administrators (and
    /// Helpdesk Administrators, for non-admins only) may; nobody for themselves.
    pub async fn issue_temporary_access_pass(
        &self,
        caller: &Caller,
        user: &UserId,
        request: TemporaryAccessPassRequest,
    ) -> SecurityInfoResult<IssuedTemporaryAccessPass> {
        self.authorize_on_user(caller, Permission::TemporaryAccessPassIssue, user)
            .await?;
        if is_self(caller, user) {
            return Err(ServiceError::Forbidden(
                "an administrator cannot issue a Temporary Access Pass to themselves".into(),
            )
            .into());
        }
        let now = OffsetDateTime::now_utc();
        let inner = self.inner.clone();
        let issue_request = TapIssueRequest {
            start: request.start_date_time,
            lifetime_in_minutes: request.lifetime_in_minutes,
            is_usable_once: request.is_usable_once,
        };
        // argon2id takes tens of milliseconds: off the async workers.
        let (pass, shown) = tokio::task::spawn_blocking(move || {
            TemporaryAccessPass::issue(
                &inner.settings.temporary_access_pass,
                issue_request,
                &inner.hasher,
                now,
                &mut rand::rng(),
            )
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let credential = Credential {
            id: CredentialId::from_uuid(Uuid::new_v4()),
            user_id: user.clone(),
            kind: CredentialKind::TemporaryAccessPass,
            display_name: Some("Temporary Access Pass".to_owned()),
            payload: serde_json::json!({ "pass": pass }),
            metadata: serde_json::json!({}),
            created_date_time: now,
            last_used_date_time: None,
            revision: 0,
        };
        let mut batch = Batch::new();
        for old in self.store().list_credentials(user).await? {
            if old.kind == CredentialKind::TemporaryAccessPass {
                batch = batch.change(Change::DeleteCredential(old.id));
            }
        }
        let audit = audit_record(
            caller,
            category::USER_AUTHENTICATION_METHOD,
            "Admin registered temporary access pass method for user",
            "Add",
        )
        .with_target(method_target(&credential))
        .with_detail("userId", user.as_str())
        .with_detail("lifetimeInMinutes", &pass.lifetime_in_minutes().to_string())
        .with_detail("isUsableOnce", &pass.is_usable_once().to_string());
        batch = batch.change(Change::AddCredential(credential.clone()));
        self.store().commit(batch.audit(audit)).await?;
        Ok(IssuedTemporaryAccessPass {
            method: SecurityMethod::from_credential(&credential, now),
            temporary_access_pass: shown.as_str().to_owned(),
        })
    }
}
