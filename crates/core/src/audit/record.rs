//! One audit record, in the Graph `directoryAudit` JSON shape.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{AuditId, CorrelationId};
use crate::timestamp::to_stored_precision;

/// Graph `directoryAudit.category` values Portcullis uses.
pub mod category {
    pub const USER_MANAGEMENT: &str = "UserManagement";
    pub const GROUP_MANAGEMENT: &str = "GroupManagement";
    pub const ROLE_MANAGEMENT: &str = "RoleManagement";
    pub const APPLICATION_MANAGEMENT: &str = "ApplicationManagement";
    pub const POLICY: &str = "Policy";
    pub const USER_AUTHENTICATION_METHOD: &str = "UserManagement";
    pub const DEVICE: &str = "Device";
    pub const IDENTITY_PROTECTION: &str = "IdentityProtection";
    pub const KEY_MANAGEMENT: &str = "KeyManagement";
    pub const DIRECTORY_MANAGEMENT: &str = "DirectoryManagement";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuditResult {
    Success,
    Failure,
    Timeout,
}

impl AuditResult {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditResult::Success => "success",
            AuditResult::Failure => "failure",
            AuditResult::Timeout => "timeout",
        }
    }
}

/// Graph `userIdentity` as used in `initiatedBy.user`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub ip_address: Option<String>,
}

/// Graph `appIdentity` as used in `initiatedBy.app`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppIdentity {
    pub app_id: String,
    pub display_name: Option<String>,
    pub service_principal_id: Option<String>,
    pub service_principal_name: Option<String>,
}

/// Graph `auditActivityInitiator`: a user, an app, or (for the offline CLI) neither.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitiatedBy {
    pub user: Option<UserIdentity>,
    pub app: Option<AppIdentity>,
}

/// Graph `modifiedProperty`; old and new values are JSON text, as in Graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifiedProperty {
    pub display_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

impl ModifiedProperty {
    /// Records `name` in `changes` when `old` and `new` differ (unchanged properties are
    /// not listed, as in Graph).
    pub fn push_if_changed(
        changes: &mut Vec<ModifiedProperty>,
        name: &str,
        old: Option<String>,
        new: Option<String>,
    ) {
        if old != new {
            changes.push(ModifiedProperty {
                display_name: name.to_owned(),
                old_value: old,
                new_value: new,
            });
        }
    }
}

/// Graph `targetResource`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetResource {
    pub id: String,
    pub display_name: Option<String>,
    /// `User`, `Group`, `Role`, `App`, `Policy`, `Device`, `Directory` or `Other`.
    #[serde(rename = "type")]
    pub resource_type: String,
    pub user_principal_name: Option<String>,
    pub modified_properties: Vec<ModifiedProperty>,
}

/// Graph `keyValue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

/// A `directoryAudit` record. Every field is serialised (absent values as `null`) in a
/// fixed order, which makes the JSON a canonical form for the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub id: AuditId,
    pub category: String,
    pub correlation_id: Option<CorrelationId>,
    pub result: AuditResult,
    pub result_reason: String,
    pub activity_display_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub activity_date_time: OffsetDateTime,
    pub logged_by_service: String,
    /// `Add`, `Update`, `Delete`, `Assign`, `Unassign`, …
    pub operation_type: String,
    pub initiated_by: InitiatedBy,
    pub target_resources: Vec<TargetResource>,
    pub additional_details: Vec<KeyValue>,
}

impl AuditRecord {
    /// A successful record logged by "Core Directory"; add targets and details after.
    /// The time is cut to microseconds so it reads back identically from any backend.
    pub fn new(
        id: AuditId,
        at: OffsetDateTime,
        category: &str,
        activity_display_name: &str,
        operation_type: &str,
        initiated_by: InitiatedBy,
    ) -> Self {
        AuditRecord {
            id,
            category: category.to_owned(),
            correlation_id: None,
            result: AuditResult::Success,
            result_reason: String::new(),
            activity_display_name: activity_display_name.to_owned(),
            activity_date_time: to_stored_precision(at),
            logged_by_service: "Core Directory".to_owned(),
            operation_type: operation_type.to_owned(),
            initiated_by,
            target_resources: Vec::new(),
            additional_details: Vec::new(),
        }
    }

    pub fn with_target(mut self, target: TargetResource) -> Self {
        self.target_resources.push(target);
        self
    }

    pub fn with_correlation_id(mut self, id: CorrelationId) -> Self {
        self.correlation_id = Some(id);
        self
    }

    pub fn with_detail(mut self, key: &str, value: &str) -> Self {
        self.additional_details.push(KeyValue {
            key: key.to_owned(),
            value: value.to_owned(),
        });
        self
    }

    /// The canonical bytes the chain hash covers.
    pub fn canonical_json(&self) -> Vec<u8> {
        // Serialising plain structs, strings and enums cannot fail; fall back to an empty
        // body rather than panic (such a record would then fail verification loudly).
        serde_json::to_vec(self).unwrap_or_default()
    }
}
