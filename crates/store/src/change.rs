//! Audited writes. Every change to directory or policy state is a [`Change`]; a [`Batch`]
//! of changes and the audit records describing them commits in one transaction, so either
//! all of it is stored, with its audit entries, or nothing is.

use portcullis_core::audit::ChainHead;
use portcullis_core::{
    Application, ApplicationId, ApplicationSecret, AuditRecord, Credential, CredentialId, Device,
    DeviceId, Group, GroupId, MemberRef, RiskEvent, RiskEventId, RoleAssignment, RoleAssignmentId,
    SecretId, SigningKey, User, UserId,
};
use serde_json::Value;
use time::OffsetDateTime;

use crate::policy::{PolicyKind, Precondition};

/// One write.
#[derive(Debug, Clone)]
pub enum Change {
    /// Conflict if the id or the userPrincipalName (case-insensitive) exists.
    CreateUser(User),
    /// Replaces the user; not found if absent; conflict on a duplicate userPrincipalName.
    UpdateUser(User),
    /// Also removes the user's memberships, role assignments, credentials, sessions and
    /// refresh tokens.
    DeleteUser(UserId),
    CreateGroup(Group),
    UpdateGroup(Group),
    /// Also removes its memberships (both directions) and role assignments.
    DeleteGroup(GroupId),
    /// Conflict if already a member or if nesting would create a cycle.
    AddMember {
        group: GroupId,
        member: MemberRef,
    },
    RemoveMember {
        group: GroupId,
        member: MemberRef,
    },
    /// Conflict if the principal already holds the role.
    AssignRole(RoleAssignment),
    UnassignRole(RoleAssignmentId),
    /// Conflict on a duplicate client id.
    CreateApplication(Application),
    UpdateApplication(Application),
    /// Also removes its secrets and role assignments.
    DeleteApplication(ApplicationId),
    AddApplicationSecret(ApplicationSecret),
    RemoveApplicationSecret {
        application: ApplicationId,
        key_id: SecretId,
    },
    /// Creates or replaces a policy object (version +1) and bumps `policy_version`.
    PutPolicy {
        kind: PolicyKind,
        id: String,
        json: Value,
        precondition: Precondition,
        at: OffsetDateTime,
    },
    /// Bumps `policy_version`.
    DeletePolicy {
        kind: PolicyKind,
        id: String,
    },
    /// Sets a key/value setting.
    PutSetting {
        key: String,
        value: Value,
    },
    DeleteSetting {
        key: String,
    },
    AddCredential(Credential),
    /// Replaces the credential if its stored revision equals `credential.revision`;
    /// the stored revision becomes `credential.revision + 1`. Conflict otherwise.
    UpdateCredential(Credential),
    DeleteCredential(CredentialId),
    /// Revokes every active session and refresh token of the user.
    RevokeUserSessions {
        user: UserId,
        at: OffsetDateTime,
    },
    /// Admin action on a risk detection (confirm compromised / safe, dismiss).
    SetRiskState {
        id: RiskEventId,
        risk_state: String,
        risk_detail: Option<String>,
    },
    /// An audited risk detection (an admin's "confirm compromised"); recomputes the
    /// user's risk like [`crate::RiskStore::append_risk_event`].
    AddRiskEvent(RiskEvent),
    /// Ends every open detection of the user (remediation by a secure password change,
    /// an admin's dismissal): each gets `risk_state` and `risk_detail`, and the user's
    /// risk is recomputed as of `at`. A user without open detections is left as is.
    ResolveUserRisk {
        user: UserId,
        risk_state: String,
        risk_detail: String,
        at: OffsetDateTime,
    },
    /// Creates or replaces a signing key (rotation).
    PutSigningKey(SigningKey),
    /// Admin update of a device (disable, compliance override).
    UpdateDevice(Device),
    DeleteDevice(DeviceId),
    /// Retention: deletes the oldest audit records, those up to the last one whose
    /// `activityDateTime` is before `before`, and remembers the last deleted record's
    /// position as the chain's new verification start. Only a prefix of the chain is ever
    /// removed, so what remains still verifies end to end.
    PruneAuditLog {
        before: OffsetDateTime,
    },
    /// Marks the user as a break-glass (emergency-access) account; marking one already
    /// marked keeps the first time. The mark goes with the user when it is deleted.
    MarkBreakGlass {
        user: UserId,
        at: OffsetDateTime,
    },
    /// Removes the mark; `NotFound` when the user is not marked.
    UnmarkBreakGlass(UserId),
    /// An admin's revision-checked write of a user's sign-in state (an unlock), so it
    /// commits with its audit record; `Conflict` when a sign-in wrote it since it was read.
    PutUserSignInState(crate::sign_in_state::UserStateWrite),
}

impl Change {
    /// Whether the change alters what Conditional Access evaluation reads.
    pub fn touches_policy(&self) -> bool {
        // Break-glass marks travel with the policy configuration the sign-in pipeline
        // caches per version, so their sign-ins are told apart without a query.
        matches!(
            self,
            Change::PutPolicy { .. }
                | Change::DeletePolicy { .. }
                | Change::MarkBreakGlass { .. }
                | Change::UnmarkBreakGlass(_)
        )
    }
}

/// Changes plus the audit records that describe them.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub changes: Vec<Change>,
    pub audit: Vec<AuditRecord>,
}

impl Batch {
    pub fn new() -> Self {
        Batch::default()
    }

    /// A batch of one change and its audit record.
    pub fn single(change: Change, audit: AuditRecord) -> Self {
        Batch {
            changes: vec![change],
            audit: vec![audit],
        }
    }

    pub fn change(mut self, change: Change) -> Self {
        self.changes.push(change);
        self
    }

    pub fn audit(mut self, record: AuditRecord) -> Self {
        self.audit.push(record);
        self
    }
}

/// What a committed batch produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitReceipt {
    /// The chain position of each audit record, in batch order.
    pub audit: Vec<ChainHead>,
    /// The store-wide policy version after the commit.
    pub policy_version: i64,
}
