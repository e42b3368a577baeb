//! What re-judging a token grant reads about its user, in one call.
//!
//! A refresh grant is judged again at every use: the session (or the user's posture),
//! Conditional Access over the user's groups, roles, methods and risk, and the ID
//! token's profile. Read one by one, that is seven statements, each taking a pooled
//! connection of its own (on SQLite every statement, and every connection's return to
//! the pool, is a round trip to the connection's worker thread).
//! [`GrantSubjectStore::grant_subject`] reads them in one statement: the same rows, the
//! same freshness (nothing is cached), a seventh of the hand-offs.

use async_trait::async_trait;
use portcullis_core::{
    Credential, CredentialId, DirectoryRole, GroupId, RefreshToken, SecretHash, Session, SessionId,
    User, UserId, UserRisk,
};

use crate::error::StoreResult;
use crate::security_epochs::ConfigurationVersions;
use crate::sign_in_state::StoredUserSignInState;

/// A user's facts as a grant's re-judgement needs them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GrantSubject {
    /// `None`: the user is deleted (and nothing below but the session is read).
    pub user: Option<User>,
    /// Oldest first, as [`crate::CredentialStore::list_credentials`].
    pub credentials: Vec<Credential>,
    /// The stored risk row (`None`: no detections).
    pub risk: Option<UserRisk>,
    /// Transitive, sorted by id, as [`crate::GroupStore::transitive_groups_of_user`].
    pub groups: Vec<GroupId>,
    /// As [`crate::RoleStore::effective_roles_of_user`].
    pub roles: Vec<DirectoryRole>,
    /// The user's sign-in state row, if one was written.
    pub sign_in_state: Option<StoredUserSignInState>,
    /// The session asked for, if it exists (revoked or not: the caller judges it).
    /// `None` also when no session was asked for.
    pub session: Option<Session>,
}

#[async_trait]
pub trait GrantSubjectStore: Send + Sync {
    /// The user's facts (see [`GrantSubject`]) and, when `session` is given, that
    /// session, read together (one statement on the SQL backends).
    async fn grant_subject(
        &self,
        user: &UserId,
        session: Option<&SessionId>,
    ) -> StoreResult<GrantSubject>;

    /// A refresh grant's reads in one store call: the configuration versions (which
    /// client authentication checks its cached client against) and the refresh token
    /// whose hash is `token_hash` — used, revoked and expired ones too: the caller
    /// judges them — with its user's facts and the session it continues, all from one
    /// statement (one snapshot). A token without a user has an empty subject.
    async fn refresh_grant_subject(&self, token_hash: &SecretHash)
    -> StoreResult<RefreshGrantRead>;

    /// A sign-in step's reads in one store call: the configuration versions (the step
    /// judges with the policy at that version) and the facts of the user `key` names,
    /// found in the same statement (one snapshot). No session is read. When nobody
    /// matches the key, the subject is empty — at the cost of the same one statement,
    /// so the time a step takes tells nothing about whether a name exists.
    async fn sign_in_subject(&self, key: SubjectKey<'_>) -> StoreResult<SignInSubjectRead>;

    /// A sign-in step's reads when it continues a stored transaction: the transaction
    /// whose id hash is `transaction` (expired ones too: the caller judges them) and
    /// [`Self::sign_in_subject`]'s read for the subject its stored
    /// [`crate::TransactionSubject`] names — the user, else, with `credential`, that
    /// credential's owner (a username-less passkey), else the typed name — in one
    /// statement. No such transaction: `transaction: None` and an empty subject.
    async fn sign_in_step_read(
        &self,
        transaction: &SecretHash,
        credential: Option<&CredentialId>,
    ) -> StoreResult<SignInStepRead>;
}

/// See [`GrantSubjectStore::sign_in_step_read`].
#[derive(Debug, Clone, PartialEq)]
pub struct SignInStepRead {
    pub transaction: Option<crate::StoredSignInTransaction>,
    pub read: SignInSubjectRead,
}

/// Who a sign-in step is about, as the step knows them ([`GrantSubjectStore::sign_in_subject`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKey<'a> {
    /// Known from an earlier step.
    User(&'a UserId),
    /// The name the user typed, matched as [`crate::UserStore::find_user_by_upn`] does.
    Name(&'a str),
    /// The owner of a credential (a username-less passkey sign-in).
    CredentialOwner(&'a CredentialId),
}

/// See [`GrantSubjectStore::sign_in_subject`].
#[derive(Debug, Clone, PartialEq)]
pub struct SignInSubjectRead {
    /// As [`crate::SecurityEpochStore::configuration_versions`].
    pub versions: ConfigurationVersions,
    /// `user: None` when nobody matched the key (and nothing else is read).
    pub subject: GrantSubject,
}

/// See [`GrantSubjectStore::refresh_grant_subject`].
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshGrantRead {
    /// As [`crate::SecurityEpochStore::configuration_versions`].
    pub versions: ConfigurationVersions,
    /// `None`: no token has this hash.
    pub presented: Option<RefreshGrantSubject>,
}

/// A presented refresh token and its subject ([`RefreshGrantRead::presented`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshGrantSubject {
    pub token: RefreshToken,
    /// The token's user's facts, and the session named by the token.
    pub subject: GrantSubject,
}
