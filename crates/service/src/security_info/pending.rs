//! Registrations in progress, kept server-side between a ceremony's two requests.
//!
//! Why settings rows: they are shared by every node, need no schema of their own, and a
//! delete of a missing row fails in the store, which makes finishing single-use even when
//! two nodes race. One row per user and kind: starting again replaces it, so abandoned
//! ceremonies cannot pile up. Not audited: nothing is registered until the finish step,
//! whose commit carries the audit record.

use portcullis_core::UserId;
use portcullis_store::{Batch, Change, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::SecurityInfoService;
use super::error::{SecurityInfoError, SecurityInfoResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PendingKind {
    Totp,
    Passkey,
    /// A phone number or email address waiting for its code.
    Contact,
}

impl PendingKind {
    fn key(self, user: &UserId) -> String {
        let kind = match self {
            PendingKind::Totp => "totp",
            PendingKind::Passkey => "passkey",
            PendingKind::Contact => "contact",
        };
        format!("security-info.pending.{user}.{kind}")
    }

    fn what(self) -> &'static str {
        match self {
            PendingKind::Totp => "authenticator app",
            PendingKind::Passkey => "passkey",
            PendingKind::Contact => "phone or email",
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingRow {
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    state: Value,
}

impl SecurityInfoService {
    pub(crate) async fn put_pending(
        &self,
        user: &UserId,
        kind: PendingKind,
        state: Value,
        expires_at: OffsetDateTime,
    ) -> SecurityInfoResult<()> {
        let batch = Batch::new().change(pending_change(user, kind, state, expires_at)?);
        self.store().commit(batch).await?;
        Ok(())
    }

    /// Reads the pending state without taking it (to show a step again); `None` when
    /// there is none or it expired.
    pub(crate) async fn peek_pending(
        &self,
        user: &UserId,
        kind: PendingKind,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<Option<Value>> {
        let Some(value) = self.store().get_setting(&kind.key(user)).await? else {
            return Ok(None);
        };
        Ok(serde_json::from_value::<PendingRow>(value)
            .ok()
            .filter(|row| now < row.expires_at)
            .map(|row| row.state))
    }

    /// Takes (reads and deletes) the pending state; exactly one caller gets it.
    pub(crate) async fn take_pending(
        &self,
        user: &UserId,
        kind: PendingKind,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<Value> {
        let none = || SecurityInfoError::NoPendingRegistration { what: kind.what() };
        let key = kind.key(user);
        let Some(value) = self.store().get_setting(&key).await? else {
            return Err(none());
        };
        match self
            .store()
            .commit(Batch::new().change(Change::DeleteSetting { key }))
            .await
        {
            Ok(_) => {}
            // Another request finished it first.
            Err(StoreError::NotFound(_)) => return Err(none()),
            Err(other) => return Err(other.into()),
        }
        let row: PendingRow = serde_json::from_value(value).map_err(|_| none())?;
        if now >= row.expires_at {
            return Err(none());
        }
        Ok(row.state)
    }
}

/// The store change that saves `state` as the pending registration of `kind`, for a
/// caller that commits it together with other changes.
pub(crate) fn pending_change(
    user: &UserId,
    kind: PendingKind,
    state: Value,
    expires_at: OffsetDateTime,
) -> SecurityInfoResult<Change> {
    let row = serde_json::to_value(PendingRow { expires_at, state })
        .map_err(|e| SecurityInfoError::Service(crate::ServiceError::Internal(e.to_string())))?;
    Ok(Change::PutSetting {
        key: kind.key(user),
        value: row,
    })
}
