//! The repository traits, grouped by resource. A backend implements all of them;
//! [`Store`] bundles them so services hold one `Arc<dyn Store>`.
//!
//! Reads return [`StoreError::NotFound`] for a missing id where an object is expected, and
//! `Ok(None)` for lookups by another key. Audited writes go through [`Store::commit`].

use async_trait::async_trait;
use portcullis_core::audit::ChainHead;
use portcullis_core::{
    Application, ApplicationId, ApplicationSecret, AuditRecord, ChainedAuditRecord, ClientId,
    Credential, CredentialId, Device, DeviceId, DirectoryRole, Group, GroupId, MemberRef,
    RefreshToken, RefreshTokenId, RiskEvent, RoleAssignment, Session, SessionId, SignIn,
    SigningKey, TransitiveMembers, User, UserId, UserRisk,
};
use portcullis_core::{Principal, SecretHash};
use serde_json::Value;
use time::OffsetDateTime;

use crate::change::{Batch, CommitReceipt};
use crate::error::StoreResult;
use crate::filter::{Filter, GroupField, RiskyUserField, UserField};
use crate::page::{AuditQuery, ListQuery, Page, SignInQuery};
use crate::policy::{PolicyKind, PolicySnapshot, StoredPolicy};
use crate::reports::ReportStore;

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn get_user(&self, id: &UserId) -> StoreResult<User>;
    /// Case-insensitive.
    async fn find_user_by_upn(&self, user_principal_name: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self, query: &ListQuery<UserField>) -> StoreResult<Page<User>>;
    async fn count_users(&self, filter: Option<&Filter<UserField>>) -> StoreResult<u64>;
    /// The users marked as break-glass accounts, oldest mark first.
    async fn list_break_glass_accounts(&self) -> StoreResult<Vec<BreakGlassAccount>>;
}

/// A user marked as a break-glass (emergency-access) account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassAccount {
    pub user_id: UserId,
    pub marked_date_time: OffsetDateTime,
}

#[async_trait]
pub trait GroupStore: Send + Sync {
    async fn get_group(&self, id: &GroupId) -> StoreResult<Group>;
    async fn list_groups(&self, query: &ListQuery<GroupField>) -> StoreResult<Page<Group>>;
    /// Direct members, users first, each sorted by id.
    async fn list_members(&self, group: &GroupId) -> StoreResult<Vec<MemberRef>>;
    /// Groups the user or group is a direct member of.
    async fn list_member_of(&self, member: &MemberRef) -> StoreResult<Vec<GroupId>>;
    /// Every group the user belongs to through any depth of nesting, sorted by id.
    async fn transitive_groups_of_user(&self, user: &UserId) -> StoreResult<Vec<GroupId>>;
    /// Every user and group below the group through any depth of nesting, sorted by id.
    async fn transitive_members(&self, group: &GroupId) -> StoreResult<TransitiveMembers>;
}

/// Filter for role assignment listings; `None` fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleAssignmentFilter {
    pub principal: Option<Principal>,
    pub role: Option<DirectoryRole>,
}

#[async_trait]
pub trait RoleStore: Send + Sync {
    async fn list_role_assignments(
        &self,
        filter: &RoleAssignmentFilter,
    ) -> StoreResult<Vec<RoleAssignment>>;
    /// Roles held directly or through any (transitive) group membership, deduplicated.
    async fn effective_roles_of_user(&self, user: &UserId) -> StoreResult<Vec<DirectoryRole>>;
    /// Roles assigned to an application.
    async fn roles_of_application(
        &self,
        application: &ApplicationId,
    ) -> StoreResult<Vec<DirectoryRole>>;
}

#[async_trait]
pub trait ApplicationStore: Send + Sync {
    async fn get_application(&self, id: &ApplicationId) -> StoreResult<Application>;
    async fn find_application_by_client_id(
        &self,
        client_id: &ClientId,
    ) -> StoreResult<Option<Application>>;
    async fn list_applications(&self) -> StoreResult<Vec<Application>>;
    async fn list_application_secrets(
        &self,
        application: &ApplicationId,
    ) -> StoreResult<Vec<ApplicationSecret>>;
}

#[async_trait]
pub trait PolicyStore: Send + Sync {
    /// The store-wide counter bumped by every policy-object change. Caches on any node key
    /// on it: read it (one indexed row) and reload when it moved.
    async fn policy_version(&self) -> StoreResult<i64>;
    async fn get_policy(&self, kind: PolicyKind, id: &str) -> StoreResult<StoredPolicy>;
    async fn list_policies(&self, kind: PolicyKind) -> StoreResult<Vec<StoredPolicy>>;
    /// Every policy object and the version they belong to, read consistently.
    async fn policy_snapshot(&self) -> StoreResult<PolicySnapshot>;
}

#[async_trait]
pub trait SettingStore: Send + Sync {
    async fn get_setting(&self, key: &str) -> StoreResult<Option<Value>>;
}

#[async_trait]
pub trait CredentialStore: Send + Sync {
    async fn get_credential(&self, id: &CredentialId) -> StoreResult<Credential>;
    /// Sorted by creation time.
    async fn list_credentials(&self, user: &UserId) -> StoreResult<Vec<Credential>>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &Session) -> StoreResult<()>;
    async fn find_session_by_token_hash(
        &self,
        token_hash: &SecretHash,
    ) -> StoreResult<Option<Session>>;
    async fn get_session(&self, id: &SessionId) -> StoreResult<Session>;
    /// Records activity (and, after a step-up, new authentication facts).
    async fn update_session(&self, session: &Session) -> StoreResult<()>;
    /// Sign-out of one session; not audited (the user's own action is in the sign-in log).
    async fn revoke_session(&self, id: &SessionId, at: OffsetDateTime) -> StoreResult<()>;
    /// Newest first.
    async fn list_sessions(&self, user: &UserId) -> StoreResult<Vec<Session>>;
    /// Deletes sessions that expired before `before`; returns how many.
    async fn purge_expired_sessions(&self, before: OffsetDateTime) -> StoreResult<u64>;
}

/// The outcome of presenting a refresh token for rotation.
#[derive(Debug, Clone, PartialEq)]
pub enum RefreshTokenUse {
    /// First use: the token is now marked used; issue its successor.
    Fresh(Box<RefreshToken>),
    /// Already used (or revoked): reuse detected, the whole family is now revoked.
    Reused { family: RefreshTokenId },
    /// Unknown or expired.
    Invalid,
}

#[async_trait]
pub trait RefreshTokenStore: Send + Sync {
    async fn insert_refresh_token(&self, token: &RefreshToken) -> StoreResult<()>;
    /// Atomically marks the token used. Exactly one of several concurrent callers with
    /// the same token gets `Fresh`.
    async fn use_refresh_token(
        &self,
        token_hash: &SecretHash,
        at: OffsetDateTime,
    ) -> StoreResult<RefreshTokenUse>;
    async fn revoke_refresh_token_family(
        &self,
        family: &RefreshTokenId,
        at: OffsetDateTime,
    ) -> StoreResult<u64>;
}

#[async_trait]
pub trait DeviceStore: Send + Sync {
    /// Registration and posture reports from the device agent (not audited).
    async fn upsert_device(&self, device: &Device) -> StoreResult<()>;
    async fn get_device(&self, id: &DeviceId) -> StoreResult<Device>;
    async fn list_devices(&self, owner: Option<&UserId>) -> StoreResult<Vec<Device>>;
}

#[async_trait]
pub trait SignInLog: Send + Sync {
    /// Durable on return: a sign-in is answered only after this.
    async fn append_sign_in(&self, record: &SignIn) -> StoreResult<()>;
    async fn get_sign_in(&self, id: &portcullis_core::SignInId) -> StoreResult<SignIn>;
    /// Newest first.
    async fn query_sign_ins(&self, query: &SignInQuery) -> StoreResult<Page<SignIn>>;
    /// The time of the newest sign-in (any outcome) of each of `users` that has one, in
    /// one query over the `(user_id, created_at)` index: a page listing a few accounts
    /// with their last use (break-glass accounts) costs one round trip, not one per row.
    /// At most [`MAX_LAST_SIGN_IN_USERS`] users; more is `Invalid`.
    async fn last_sign_in_times(
        &self,
        users: &[UserId],
    ) -> StoreResult<Vec<(UserId, OffsetDateTime)>>;
}

/// How many users [`SignInLog::last_sign_in_times`] takes at once (far below every
/// backend's bound-parameter limit).
pub const MAX_LAST_SIGN_IN_USERS: usize = 1000;

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Newest first.
    async fn query_audit(&self, query: &AuditQuery) -> StoreResult<Page<AuditRecord>>;
    /// Chained records with `seq > after_seq`, oldest first, for verification and export.
    async fn read_audit_chain(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<ChainedAuditRecord>>;
    /// Where verification starts: genesis, or the head of the pruned part.
    async fn audit_chain_start(&self) -> StoreResult<ChainHead>;
    /// The last record's position.
    async fn audit_chain_head(&self) -> StoreResult<ChainHead>;
}

#[async_trait]
pub trait RiskStore: Send + Sync {
    async fn append_risk_event(&self, event: &RiskEvent) -> StoreResult<()>;
    /// Newest first; `user: None` lists all users'.
    async fn list_risk_events(
        &self,
        user: Option<&UserId>,
        since: Option<OffsetDateTime>,
        limit: u32,
    ) -> StoreResult<Vec<RiskEvent>>;
    /// The user's risk as last computed from their detections (one indexed read; the
    /// caller applies [`UserRisk::at`] for aging). `None`: no detection ever.
    ///
    /// Every write of a detection (appending one, [`crate::Change::AddRiskEvent`],
    /// [`crate::Change::SetRiskState`], [`crate::Change::ResolveUserRisk`]) recomputes
    /// the user's row in the same transaction with [`portcullis_core::user_risk::aggregate`],
    /// so no writer can leave it stale.
    async fn get_user_risk(&self, user: &UserId) -> StoreResult<Option<UserRisk>>;
    /// Users with a risk row (`riskyUsers`), by id unless ordered, as they stand at
    /// `now` ([`UserRisk::at`]): a row whose low risk aged out reads (and filters) as
    /// level, state and detail `none`, without any write.
    async fn list_user_risks(
        &self,
        query: &ListQuery<RiskyUserField>,
        now: OffsetDateTime,
    ) -> StoreResult<Page<UserRisk>>;
}

#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    /// Newest first.
    async fn list_signing_keys(&self) -> StoreResult<Vec<SigningKey>>;
}

/// Everything a backend provides.
#[async_trait]
pub trait Store:
    UserStore
    + GroupStore
    + RoleStore
    + ApplicationStore
    + PolicyStore
    + SettingStore
    + CredentialStore
    + SessionStore
    + RefreshTokenStore
    + DeviceStore
    + SignInLog
    + AuditLog
    + RiskStore
    + SigningKeyStore
    + ReportStore
    + crate::security_epochs::SecurityEpochStore
    + crate::grant_subject::GrantSubjectStore
    + crate::oauth_state::OAuthStateStore
    + crate::sign_in_state::SignInStateStore
    + crate::push_state::PushStateStore
    + crate::code_sends::CodeSendStore
    + Send
    + Sync
{
    /// Applies every change and appends every audit record in one transaction, then
    /// commits. On any error nothing is stored. Commits are serialised store-wide (the
    /// audit chain head is locked), so the chain stays linear across nodes.
    async fn commit(&self, batch: Batch) -> StoreResult<CommitReceipt>;

    /// `"sqlite"` or `"postgres"`.
    fn backend_name(&self) -> &'static str;

    /// Cheap liveness check for readiness probes.
    async fn ping(&self) -> StoreResult<()>;
}
