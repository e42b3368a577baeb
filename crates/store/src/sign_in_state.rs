//! State of sign-ins in progress and what one sign-in step writes.
//!
//! The sign-in service keeps each transaction server-side (so several nodes on one
//! PostgreSQL serve the same sign-in), keyed by the SHA-256 of an opaque random id, with a
//! revision for optimistic concurrency: a double-submitted form cannot run two steps on
//! one transaction. Everything a step decides — the transaction's new state, the user's
//! smart-lockout counters, credential updates (guarded by their revisions, so a replayed
//! TOTP code loses), the sign-in log entries and the new session — is written by one
//! [`SignInStepWrite`] in one database transaction.
//!
//! [`SignInStateStore::commit_sign_in_steps`] takes several writes at once (group commit):
//! they share one database commit, yet each succeeds or fails on its own (the group is
//! redone with a savepoint per write when one fails), so one stale revision never fails
//! its neighbours.

use async_trait::async_trait;
use portcullis_core::{
    Credential, RefreshToken, SecretHash, Session, SessionId, SignIn, SignInId, UserId,
};
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::StoreResult;

/// A sign-in transaction as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSignInTransaction {
    /// SHA-256 of the opaque transaction id handed to the client.
    pub id_hash: SecretHash,
    /// Starts at 0; +1 on every step.
    pub revision: i64,
    pub created_at: OffsetDateTime,
    /// After this the transaction is refused (and purged).
    pub expires_at: OffsetDateTime,
    /// The service's state (request facts and the pure machine's transaction), as JSON.
    pub doc: Value,
    /// Who `doc` is about, stored beside it so that a step reads the transaction and its
    /// user's facts in one statement ([`crate::GrantSubjectStore::sign_in_step_read`]).
    pub subject: TransactionSubject,
}

/// Who a sign-in transaction is about, as columns the store can join on: the user once a
/// step identified them, else the name as typed (normalised as
/// [`crate::UserStore::find_user_by_upn`] matches it). The transaction's document stays
/// the truth; a reader compares this with it (a row written before these columns existed
/// has neither).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionSubject {
    pub user_id: Option<UserId>,
    /// `None` for an empty name (a username-less passkey sign-in).
    pub upn_lower: Option<String>,
}

impl TransactionSubject {
    pub fn new(user_id: Option<&UserId>, identifier: &str) -> Self {
        let upn_lower = portcullis_core::user::normalize_upn(identifier);
        TransactionSubject {
            user_id: user_id.cloned(),
            upn_lower: (!upn_lower.is_empty()).then_some(upn_lower),
        }
    }
}

/// A user's sign-in state outside any transaction (smart lockout counters, security
/// defaults' registration grace, registration campaign snoozes), as the service's JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredUserSignInState {
    pub user_id: UserId,
    /// Starts at 0; +1 on every write.
    pub revision: i64,
    pub doc: Value,
}

/// How a step writes its transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum TransactionWrite {
    /// A new transaction; conflict if the id hash exists.
    Create(StoredSignInTransaction),
    /// Replace the stored state if its revision is still `expected_revision` (the
    /// revision becomes `expected_revision + 1`); conflict otherwise.
    Update {
        id_hash: SecretHash,
        expected_revision: i64,
        doc: Value,
        subject: TransactionSubject,
    },
}

/// How a step writes the user's sign-in state.
#[derive(Debug, Clone, PartialEq)]
pub struct UserStateWrite {
    pub user_id: UserId,
    /// The revision read (`None`: none was stored); conflict if it moved.
    pub expected_revision: Option<i64>,
    pub doc: Value,
}

/// One sign-in log entry with the Conditional Access input it was judged on (compact
/// JSON), kept for replaying draft policies over past sign-ins.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedSignIn {
    pub record: SignIn,
    pub evaluation_input: Option<String>,
}

/// A session created by a completed sign-in, with the authentication facts the
/// `Session` row does not carry (every method proven and when), which step-up,
/// token refresh and forward-auth re-evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSignInSession {
    pub session: Session,
    pub authentication: Value,
}

/// Everything one sign-in step writes, atomically.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SignInStepWrite {
    pub transaction: Option<TransactionWrite>,
    pub user_state: Option<UserStateWrite>,
    /// `UpdateCredential` semantics: replaced only at the stored revision.
    pub credentials: Vec<Credential>,
    pub sign_ins: Vec<LoggedSignIn>,
    pub session: Option<NewSignInSession>,
    /// Sessions ended by this step, and when (a step-up replaces the session it
    /// started from).
    pub revoke_sessions: Vec<(SessionId, OffsetDateTime)>,
    /// Push approvals created with this step (a passwordless request is stored with the
    /// transaction that shows its number, in one commit, so a request that is sent costs
    /// the same writes as one that is not).
    pub push_approvals: Vec<crate::push_state::PushApprovalRecord>,
    /// A refresh-token rotation decided by this step, committed with its log entry.
    pub refresh_rotation: Option<RefreshRotation>,
}

/// A refresh grant's rotation, written in the same commit as the grant's sign-in log
/// entry: the presented token is claimed by the same conditional update as
/// `RefreshTokenStore::use_refresh_token` (still unused, unrevoked and unexpired at
/// `at`), and its successor (if the client still gets one) is inserted only if the claim
/// succeeded. A claim that finds the token already used, revoked or expired fails the
/// write with `Conflict` and writes nothing of it (neither the successor nor the log
/// entry): the caller then presents the token through `use_refresh_token`, which tells
/// reuse (and revokes the family) from an invalid token.
///
/// Why in the step write: a refresh used to make three durable commits (the claim, the
/// log entry, the successor); through the group committer they are one, shared with
/// every other grant waiting.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshRotation {
    /// SHA-256 of the presented token.
    pub presented: SecretHash,
    /// When it was used (its `used_date_time` once claimed).
    pub at: OffsetDateTime,
    /// The token issued in its place (same family); `None` when the client may no
    /// longer have refresh tokens (the presented one is used up all the same).
    pub successor: Option<RefreshToken>,
}

#[async_trait]
pub trait SignInStateStore: Send + Sync {
    /// The transaction with this id hash, expired or not (the caller checks).
    async fn get_sign_in_transaction(
        &self,
        id_hash: &SecretHash,
    ) -> StoreResult<Option<StoredSignInTransaction>>;

    async fn get_user_sign_in_state(
        &self,
        user: &UserId,
    ) -> StoreResult<Option<StoredUserSignInState>>;

    /// Writes each step in one database transaction (group commit) and answers one result
    /// per write, in order. A write that fails (a stale revision: `Conflict`) is rolled
    /// back alone; the others still commit. `Err` from the outer call: the commit itself
    /// failed and nothing was stored.
    async fn commit_sign_in_steps(
        &self,
        writes: &[SignInStepWrite],
    ) -> StoreResult<Vec<StoreResult<()>>>;

    /// The same as [`Self::commit_sign_in_steps`], except that the commit need not have
    /// reached the disk when it returns: it is visible at once and on disk with the next
    /// durable commit (SQLite: this commit's own fsync is skipped; PostgreSQL:
    /// `synchronous_commit = off`). Only for writes whose loss in a power cut costs a
    /// user a retyped name and decides nothing: a just-begun sign-in transaction, never
    /// a log entry, a session or a lockout counter. A backend without the distinction
    /// commits durably.
    async fn commit_sign_in_steps_relaxed(
        &self,
        writes: &[SignInStepWrite],
    ) -> StoreResult<Vec<StoreResult<()>>> {
        self.commit_sign_in_steps(writes).await
    }

    /// The authentication facts stored with a session by the sign-in that created it.
    async fn get_session_authentication(&self, session: &SessionId) -> StoreResult<Option<Value>>;

    /// The evaluation input logged with a sign-in (`None`: the step ended before
    /// Conditional Access, or the entry is unknown).
    async fn get_sign_in_evaluation_input(&self, id: &SignInId) -> StoreResult<Option<String>>;

    /// Deletes transactions that expired before `before`; returns how many.
    async fn purge_expired_sign_in_transactions(&self, before: OffsetDateTime) -> StoreResult<u64>;
}
