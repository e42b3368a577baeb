//! Security epochs: the store-side half of continuous access evaluation.
//!
//! Every write that can change whether a user's session is still good (the account
//! disabled or edited, a password or method changed, a session revoked or stepped up, a
//! risk detection, a group or role membership) bumps that user's epoch in the same
//! database transaction; changes that reach many users at once (nested groups, roles
//! assigned to groups, applications) bump the directory-wide epoch. The backends do it
//! with triggers, so no writer can forget.
//!
//! Epochs are positions on one store-wide counter, assigned in commit order. A node that
//! caches session judgements polls [`SecurityEpochStore::security_changes_since`] about
//! once a second and drops what it holds for each user whose epoch moved, so every node
//! sees a revocation within that interval without any node-local state going stale.
//!
//! Users without an active session may be skipped by the bump (nothing can be cached for
//! them); a cache loading a session reads the user's epoch *before* the session data.

use async_trait::async_trait;
use portcullis_core::UserId;

use crate::error::StoreResult;

/// One user whose epoch moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserEpochChange {
    pub user_id: UserId,
    /// The user's epoch now (the counter position of their latest bump).
    pub epoch: i64,
}

/// What moved since a position of the counter, read in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityChanges {
    /// The counter's current position: the next poll starts here (when `truncated` is
    /// false).
    pub head: i64,
    /// Position of the last directory-wide change.
    pub global_epoch: i64,
    /// The store-wide policy version (the same as [`crate::PolicyStore::policy_version`]).
    pub policy_version: i64,
    /// Users whose epoch is above the position asked for, oldest change first.
    pub users: Vec<UserEpochChange>,
    /// More users changed than the limit allowed; the caller should drop everything it
    /// cached (cheaper than reading them all) and continue from `head`.
    pub truncated: bool,
}

#[async_trait]
pub trait SecurityEpochStore: Send + Sync {
    /// Users whose epoch is above `after` (at most `limit` of them), with the counter's
    /// head, the directory-wide epoch and the policy version, all from one snapshot.
    async fn security_changes_since(&self, after: i64, limit: u32) -> StoreResult<SecurityChanges>;

    /// The user's epoch (0 if it never moved) and the directory-wide epoch, in one read.
    async fn user_epoch(&self, user: &UserId) -> StoreResult<(i64, i64)>;

    /// The policy version and the directory-wide epoch, in one read: what a token grant
    /// checks its node's compiled policy and cached client against, so the grant needs
    /// neither the policy version nor the client's application and secrets read apart.
    async fn configuration_versions(&self) -> StoreResult<ConfigurationVersions>;
}

/// See [`SecurityEpochStore::configuration_versions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigurationVersions {
    /// As [`crate::PolicyStore::policy_version`].
    pub policy_version: i64,
    /// Moved by every write to applications and their secrets (among others).
    pub global_epoch: i64,
}
