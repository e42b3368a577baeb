//! Identity verification by push: a helpdesk agent sends a push to the user's
//! Portcullis Authenticator; the agent reads the number to the caller, who types it in
//! the app. The agent polls the answer. Sending is audited here; the answer is audited by
//! the push edge (`push::respond`, "Helpdesk verified user identity"), initiated by the
//! user, so the record says who asked and what the device answered.
//!
//! Least privilege: `UserAuthMethodsManage` on the target user — a Helpdesk
//! Administrator may verify non-admins only, an Authentication Administrator also
//! helpdesk-level admins, as for resetting their methods.

use portcullis_core::audit::category;
use portcullis_core::{Permission, UserId};
use portcullis_push::{
    ApprovalContext, ApprovalId, ApprovalPurpose, ApprovalState, PendingApproval,
};
use time::OffsetDateTime;

use crate::bootstrap::user_target;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::push::{PushError, detail_of};
use crate::services::{Services, audit_record};

/// What the app shows as the "application" of a verification push.
pub const VERIFICATION_APPLICATION: &str = "Helpdesk identity verification";

/// A verification push as the agent sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct VerificationPush {
    pub id: ApprovalId,
    pub user_id: UserId,
    /// The number the agent reads to the caller (the app asks the user to type it).
    pub number: u8,
    pub expires_at: OffsetDateTime,
    /// Who asked (the agent's user principal name or application).
    pub requested_by: String,
    /// `pending`, `approved`, `denied`, `wrongNumber`, `reported`, `expired`, `cancelled`.
    pub status: &'static str,
    /// The answer in words, for the agent's screen.
    pub detail: &'static str,
    /// The user approved with the right number on one of their own devices.
    pub verified: bool,
}

impl Services {
    /// Sends a verification push to every active authenticator device of the user.
    pub async fn send_verification_push(
        &self,
        caller: &Caller,
        user: &UserId,
    ) -> ServiceResult<VerificationPush> {
        let target = self
            .authorize_on_user(caller, Permission::UserAuthMethodsManage, user)
            .await?;
        let requested_by = requester(caller);
        let now = OffsetDateTime::now_utc();
        let started = self
            .push()
            .start_push(
                user,
                ApprovalPurpose::HelpdeskVerification {
                    requested_by: requested_by.clone(),
                },
                ApprovalContext {
                    application: VERIFICATION_APPLICATION.to_owned(),
                    ip_address: None,
                    location: None,
                    requested_at: now,
                },
                now,
            )
            .await
            .map_err(push_error)?;
        let audit = audit_record(
            caller,
            category::USER_AUTHENTICATION_METHOD,
            "Send helpdesk verification push",
            "Add",
        )
        .with_target(user_target(&target))
        .with_detail("approvalId", &started.approval_id.to_string())
        .with_detail("devices", &started.devices.to_string());
        self.store
            .commit(portcullis_store::Batch {
                changes: Vec::new(),
                audit: vec![audit],
            })
            .await?;
        Ok(VerificationPush {
            id: started.approval_id,
            user_id: user.clone(),
            number: started.number.value(),
            expires_at: started.expires_at,
            requested_by,
            status: ApprovalState::Pending.name(),
            detail: detail_of(&ApprovalState::Pending),
            verified: false,
        })
    }

    /// The verification push's state now (a pending one past its expiry reads as
    /// expired). Only verification pushes of that user are found.
    pub async fn verification_push(
        &self,
        caller: &Caller,
        user: &UserId,
        id: &str,
    ) -> ServiceResult<VerificationPush> {
        self.authorize_on_user(caller, Permission::UserAuthMethodsManage, user)
            .await?;
        let not_found = || ServiceError::NotFound(format!("verification push {id}"));
        let record = self
            .store
            .get_push_approval(id)
            .await?
            .filter(|record| &record.user_id == user)
            .ok_or_else(not_found)?;
        let approval: PendingApproval = serde_json::from_value(record.doc)
            .map_err(|err| ServiceError::Internal(format!("push approval {id}: {err}")))?;
        let ApprovalPurpose::HelpdeskVerification { requested_by } = &approval.purpose else {
            // A sign-in push is not the helpdesk's to read.
            return Err(not_found());
        };
        let state = portcullis_push::effective_state(&approval, OffsetDateTime::now_utc());
        Ok(VerificationPush {
            id: approval.id,
            user_id: approval.user_id.clone(),
            number: approval.number.value(),
            expires_at: approval.expires_at,
            requested_by: requested_by.clone(),
            status: state.name(),
            detail: detail_of(&state),
            verified: matches!(state, ApprovalState::Approved { .. }),
        })
    }
}

/// The agent, as the audit record and the app name them.
fn requester(caller: &Caller) -> String {
    let by = &caller.initiated_by;
    by.user
        .as_ref()
        .and_then(|user| {
            user.user_principal_name
                .clone()
                .or_else(|| Some(user.id.clone()))
        })
        .or_else(|| {
            by.app.as_ref().map(|app| {
                app.display_name
                    .clone()
                    .unwrap_or_else(|| app.app_id.clone())
            })
        })
        .unwrap_or_else(|| "helpdesk".to_owned())
}

/// Push failures in words the agent can act on.
fn push_error(error: PushError) -> ServiceError {
    match error {
        PushError::NoDevice | PushError::Refused(_) => ServiceError::Conflict(error.to_string()),
        PushError::Store(store) => store.into(),
        other => ServiceError::Internal(other.to_string()),
    }
}
