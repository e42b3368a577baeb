//! The user's own sessions (list, sign out one, sign out everywhere) and an
//! administrator's revoke (`revokeSignInSessions`).

use portcullis_core::audit::category;
use portcullis_core::{Permission, Session, SessionId, UserId};
use portcullis_store::{Batch, Change, StoreError};
use serde::Serialize;
use time::OffsetDateTime;

use super::SessionService;
use crate::bootstrap::user_target;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, audit_record};

/// A session as its user sees it in "My sessions" (never the token hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionSummary {
    pub id: SessionId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_date_time: OffsetDateTime,
    pub persistent: bool,
    pub amr: Vec<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

impl From<Session> for SessionSummary {
    fn from(session: Session) -> Self {
        SessionSummary {
            id: session.id,
            created_date_time: session.created_date_time,
            last_seen_date_time: session.last_seen_date_time,
            expires_date_time: session.expires_date_time,
            persistent: session.persistent,
            amr: session.amr,
            ip_address: session.ip_address,
            user_agent: session.user_agent,
        }
    }
}

impl SessionService {
    /// The user's sessions that are still active, newest first.
    pub async fn list_sessions(
        &self,
        user: &UserId,
        now: OffsetDateTime,
    ) -> ServiceResult<Vec<SessionSummary>> {
        Ok(self
            .store()
            .list_sessions(user)
            .await?
            .into_iter()
            .filter(|session| session.is_active(now))
            .map(SessionSummary::from)
            .collect())
    }

    /// Signs the user out of one of their own sessions. Another user's session id is
    /// answered "not found", exactly like an unknown one.
    pub async fn revoke_own_session(
        &self,
        user: &UserId,
        id: &SessionId,
        now: OffsetDateTime,
    ) -> ServiceResult<()> {
        let not_found = || ServiceError::NotFound(format!("session {id}"));
        let session = match self.store().get_session(id).await {
            Ok(session) => session,
            Err(StoreError::NotFound(_)) => return Err(not_found()),
            Err(other) => return Err(other.into()),
        };
        if &session.user_id != user {
            return Err(not_found());
        }
        self.store().revoke_session(id, now).await?;
        self.epochs().mark_stale();
        Ok(())
    }

    /// Signs the user out of every session and ends their refresh tokens ("sign out
    /// everywhere"), audited as their own action.
    pub async fn sign_out_everywhere(
        &self,
        caller: &Caller,
        user: &UserId,
        now: OffsetDateTime,
    ) -> ServiceResult<()> {
        let record = self.store().get_user(user).await?;
        let audit = audit_record(
            caller,
            category::USER_MANAGEMENT,
            "User signed out of all sessions",
            "Update",
        )
        .with_target(user_target(&record));
        self.store()
            .commit(Batch::single(
                Change::RevokeUserSessions {
                    user: user.clone(),
                    at: now,
                },
                audit,
            ))
            .await?;
        self.epochs().mark_stale();
        Ok(())
    }
}

impl Services {
    /// Graph `POST /users/{id}/revokeSignInSessions`: ends every session and refresh
    /// token of the user. Least privilege: `UserSessionsRevoke` on that user (so a
    /// Helpdesk Administrator cannot revoke a Global Administrator's sessions); audited.
    pub async fn revoke_sign_in_sessions(&self, caller: &Caller, id: &UserId) -> ServiceResult<()> {
        let user = self
            .authorize_on_user(caller, Permission::UserSessionsRevoke, id)
            .await?;
        let audit = audit_record(
            caller,
            category::USER_MANAGEMENT,
            "Invalidate all refresh tokens for user",
            "Update",
        )
        .with_target(user_target(&user));
        self.store
            .commit(Batch::single(
                Change::RevokeUserSessions {
                    user: id.clone(),
                    at: OffsetDateTime::now_utc(),
                },
                audit,
            ))
            .await?;
        self.sessions().epochs().mark_stale();
        Ok(())
    }
}
