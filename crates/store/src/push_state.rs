//! Portcullis Authenticator state: one-time activation codes, pending push approvals and
//! each user's MFA-fatigue state. The devices themselves are credentials (kind
//! `microsoftAuthenticator`), so the sign-in pipeline offers them like any method.
//!
//! The rules live in `portcullis-push`; the store only makes the changes atomic across
//! nodes: an activation code is taken once (delete-returning), an approval is settled
//! once and fatigue updated by compare-and-set on a version, and the change feed lets
//! every node wake its waiting sign-ins and device streams without per-connection polling.

use async_trait::async_trait;
use portcullis_core::UserId;
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::StoreResult;

/// A one-time activation code, stored as its SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct PushActivationRecord {
    pub code_hash: String,
    pub user_id: UserId,
    pub expires_date_time: OffsetDateTime,
    pub doc: Value,
}

/// A push approval.
#[derive(Debug, Clone, PartialEq)]
pub struct PushApprovalRecord {
    /// The approval id (a UUID).
    pub id: String,
    pub user_id: UserId,
    /// `pending`, `approved`, `denied`, `wrongNumber`, `reported`, `expired`, `cancelled`.
    pub state: String,
    pub expires_date_time: OffsetDateTime,
    /// When it was created or last settled: the change feed's position.
    pub changed_date_time: OffsetDateTime,
    /// Starts at 1; every successful replace adds 1.
    pub version: i64,
    pub doc: Value,
}

/// One user's fatigue state.
#[derive(Debug, Clone, PartialEq)]
pub struct PushFatigueRecord {
    pub user_id: UserId,
    pub version: i64,
    pub doc: Value,
}

#[async_trait]
pub trait PushStateStore: Send + Sync {
    async fn insert_push_activation(&self, record: &PushActivationRecord) -> StoreResult<()>;
    /// Deletes the code and returns it: of two concurrent activations with one code,
    /// exactly one gets it.
    async fn take_push_activation(
        &self,
        code_hash: &str,
    ) -> StoreResult<Option<PushActivationRecord>>;

    async fn insert_push_approval(&self, record: &PushApprovalRecord) -> StoreResult<()>;
    async fn get_push_approval(&self, id: &str) -> StoreResult<Option<PushApprovalRecord>>;
    /// The user's approvals in `state` expiring after `expiring_after`, oldest first.
    async fn list_push_approvals(
        &self,
        user: &UserId,
        state: &str,
        expiring_after: OffsetDateTime,
    ) -> StoreResult<Vec<PushApprovalRecord>>;
    /// Approvals created or settled at or after `since`, oldest change first, at most
    /// `limit`. Inclusive, so two changes in one microsecond are never skipped; readers
    /// skip versions they have seen.
    async fn push_approvals_changed_since(
        &self,
        since: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<PushApprovalRecord>>;
    /// Replaces state, change time and document if the stored version is still
    /// `record.version`, bumping it. `false` when another writer won.
    async fn replace_push_approval(&self, record: &PushApprovalRecord) -> StoreResult<bool>;
    /// Deletes approvals that expired before `before` and activation codes likewise.
    async fn purge_push_state(&self, before: OffsetDateTime) -> StoreResult<u64>;

    async fn get_push_fatigue(&self, user: &UserId) -> StoreResult<Option<PushFatigueRecord>>;
    /// Version 0 means "insert if absent"; otherwise compare-and-set on the version.
    /// `false` when another writer won.
    async fn put_push_fatigue(&self, record: &PushFatigueRecord) -> StoreResult<bool>;
}
