//! Repository traits for every stored Portcullis thing, the backend-neutral filter and
//! paging types, SQL helpers both SQL backends share, and (feature `testsuite`) the
//! conformance suite each backend runs.
//!
//! Design:
//! - Reads are per-resource traits ([`UserStore`], [`GroupStore`], …); [`Store`] bundles
//!   them for `Arc<dyn Store>` (via `async-trait`).
//! - Every audited write is a [`Change`] in a [`Batch`] with its [`AuditRecord`]s, applied by
//!   [`Store::commit`] in one transaction: nothing is half-written, and the API answers
//!   only after the audit entry is durable.
//! - High-rate, non-admin writes (sessions, refresh tokens, sign-in log, device posture,
//!   risk detections) have direct methods.
//!
//! [`AuditRecord`]: portcullis_core::AuditRecord

// Tests may unwrap: a panic there is a failed test, not a crashed server.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod change;
pub mod code_sends;
pub mod error;
pub mod filter;
pub mod grant_subject;
pub mod oauth_state;
pub mod page;
pub mod policy;
pub mod push_state;
pub mod reports;
pub mod security_epochs;
pub mod sign_in_state;
pub mod sql;
mod traits;

#[cfg(feature = "testsuite")]
pub mod testsuite;

pub use change::{Batch, Change, CommitReceipt};
pub use code_sends::{CodeSendStore, SendClaim, SendLimit};
pub use error::{StoreError, StoreResult};
pub use filter::{
    AuditField, Filter, FilterField, FilterValue, GroupField, RiskyUserField, SignInField,
    UserField, ValueKind,
};
pub use grant_subject::{
    GrantSubject, GrantSubjectStore, RefreshGrantRead, RefreshGrantSubject, SignInStepRead,
    SignInSubjectRead, SubjectKey,
};
pub use oauth_state::{OAuthRecord, OAuthStateStore};
pub use page::{
    AuditQuery, Cursor, ListQuery, MAX_PAGE_SIZE, Order, Page, SignInOutcome, SignInQuery,
};
pub use policy::{PolicyKind, PolicySnapshot, Precondition, SINGLETON_ID, StoredPolicy};
pub use security_epochs::{
    ConfigurationVersions, SecurityChanges, SecurityEpochStore, UserEpochChange,
};
pub use sign_in_state::{
    LoggedSignIn, NewSignInSession, RefreshRotation, SignInStateStore, SignInStepWrite,
    StoredSignInTransaction, StoredUserSignInState, TransactionSubject, TransactionWrite,
    UserStateWrite,
};
pub use traits::*;
