//! The `conditionalAccessPolicy` entity (entra.md §1.1).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::extra::{Extra, null_as_default};
use super::{ConditionSet, GrantControls, PolicyState, SessionControls};

/// A Conditional Access policy in the Graph v1.0 shape (plus beta extras kept in
/// `extra`).
///
/// Fields Graph requires (`state`, `conditions`) are `Option`s so that an incomplete file
/// still imports and [`crate::validate::validate`] can say what is missing; the evaluator
/// only sees validated policies. Equality is structural on this parsed model: `null`,
/// absent and `[]` collections are equal, flag sets compare as sets, and OData
/// annotations are ignored, so export → import gives back an equal policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessPolicy {
    /// Read-only policy ID. Not written when absent (a create body has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name (non-null in Graph; `null` reads as empty and validation reports it).
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Read-only creation time (UTC).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_date_time: Option<OffsetDateTime>,
    /// Read-only modification time (UTC).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified_date_time: Option<OffsetDateTime>,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced` (required).
    #[serde(default)]
    pub state: Option<PolicyState>,
    /// The template the policy was created from.
    #[serde(default)]
    pub template_id: Option<String>,
    /// Assignments and conditions (required).
    #[serde(default)]
    pub conditions: Option<ConditionSet>,
    /// Grant controls.
    #[serde(default)]
    pub grant_controls: Option<GrantControls>,
    /// Session controls.
    #[serde(default)]
    pub session_controls: Option<SessionControls>,
    /// Properties this model does not name (`deletedDateTime`,
    /// `partialEnablementStrategy`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl ConditionalAccessPolicy {
    /// `state` is `enabled`.
    pub fn is_enabled(&self) -> bool {
        self.state == Some(PolicyState::Enabled)
    }

    /// `state` is `enabledForReportingButNotEnforced`.
    pub fn is_report_only(&self) -> bool {
        self.state == Some(PolicyState::EnabledForReportingButNotEnforced)
    }

    /// Whether the policy is evaluated at all (enabled or report-only).
    pub fn is_evaluated(&self) -> bool {
        self.is_enabled() || self.is_report_only()
    }

    /// The grant controls, if any control is set.
    pub fn configured_grant_controls(&self) -> Option<&GrantControls> {
        self.grant_controls
            .as_ref()
            .filter(|grant| grant.is_configured())
    }

    /// The session controls, if any control is set.
    pub fn configured_session_controls(&self) -> Option<&SessionControls> {
        self.session_controls
            .as_ref()
            .filter(|session| session.is_configured())
    }
}
