//! Policy objects as the store keeps them: their Graph JSON plus versions. The Conditional
//! Access model lives in `portcullis-policy`; the store never interprets the JSON.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

/// The kinds of policy object. Every change to any of them bumps the store-wide
/// `policy_version` in the same transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyKind {
    /// Graph `conditionalAccessPolicy`.
    ConditionalAccessPolicy,
    /// Graph `namedLocation` (ip or country).
    NamedLocation,
    /// Graph `authenticationStrengthPolicy`.
    AuthenticationStrength,
    /// Graph `identitySecurityDefaultsEnforcementPolicy` (a singleton).
    SecurityDefaults,
    /// Graph `authenticationMethodsPolicy` (a singleton).
    AuthenticationMethodsPolicy,
}

impl PolicyKind {
    pub const ALL: &'static [PolicyKind] = &[
        PolicyKind::ConditionalAccessPolicy,
        PolicyKind::NamedLocation,
        PolicyKind::AuthenticationStrength,
        PolicyKind::SecurityDefaults,
        PolicyKind::AuthenticationMethodsPolicy,
    ];

    /// The value stored in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::ConditionalAccessPolicy => "conditionalAccessPolicy",
            PolicyKind::NamedLocation => "namedLocation",
            PolicyKind::AuthenticationStrength => "authenticationStrength",
            PolicyKind::SecurityDefaults => "securityDefaults",
            PolicyKind::AuthenticationMethodsPolicy => "authenticationMethodsPolicy",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == value)
    }
}

/// The id singletons are stored under.
pub const SINGLETON_ID: &str = "default";

/// A stored policy object.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPolicy {
    pub kind: PolicyKind,
    pub id: String,
    pub json: Value,
    /// Starts at 1, +1 on every replace; for optimistic concurrency (`If-Match`).
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub modified_at: OffsetDateTime,
}

/// Every policy object at one `policy_version`, read in one transaction, for caches.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySnapshot {
    pub policy_version: i64,
    pub objects: Vec<StoredPolicy>,
}

/// What must hold before a policy object is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// Create or replace.
    None,
    /// Create only; conflict if it exists.
    MustNotExist,
    /// Replace only if the stored version is this one; conflict otherwise.
    Version(i64),
}
