//! Sign-in log records in the essentials of the Graph `signIn` shape. The typed fields are
//! the ones stores index and filter on; everything else Graph defines travels in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::ids::{CorrelationId, SignInId, UserId};

/// Graph `signInStatus`. `error_code` 0 means success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInStatus {
    pub error_code: i32,
    pub failure_reason: Option<String>,
    pub additional_details: Option<String>,
}

impl SignInStatus {
    pub fn success() -> Self {
        SignInStatus {
            error_code: 0,
            failure_reason: None,
            additional_details: None,
        }
    }

    pub fn is_success(&self) -> bool {
        self.error_code == 0
    }
}

/// Graph `conditionalAccessStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConditionalAccessStatus {
    Success,
    Failure,
    NotApplied,
}

impl ConditionalAccessStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionalAccessStatus::Success => "success",
            ConditionalAccessStatus::Failure => "failure",
            ConditionalAccessStatus::NotApplied => "notApplied",
        }
    }
}

/// Graph `signInLocation`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInLocation {
    pub city: Option<String>,
    pub state: Option<String>,
    pub country_or_region: Option<String>,
    pub geo_coordinates: Option<Value>,
}

/// Graph `deviceDetail`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceDetail {
    pub device_id: Option<String>,
    pub display_name: Option<String>,
    pub operating_system: Option<String>,
    pub browser: Option<String>,
    pub is_compliant: Option<bool>,
    pub is_managed: Option<bool>,
    pub trust_type: Option<String>,
}

/// A sign-in log record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    pub id: SignInId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    pub correlation_id: Option<CorrelationId>,
    /// `None` when the user name did not resolve (the attempt is still logged).
    pub user_id: Option<UserId>,
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
    pub app_id: Option<String>,
    pub app_display_name: Option<String>,
    pub ip_address: Option<String>,
    pub client_app_used: Option<String>,
    pub user_agent: Option<String>,
    pub is_interactive: bool,
    pub status: SignInStatus,
    pub conditional_access_status: ConditionalAccessStatus,
    /// Graph `appliedConditionalAccessPolicy[]`, including report-only results.
    pub applied_conditional_access_policies: Value,
    /// `none`, `low`, `medium`, `high`, `hidden`.
    pub risk_level_during_sign_in: Option<String>,
    pub risk_level_aggregated: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub location: Option<SignInLocation>,
    pub device_detail: Option<DeviceDetail>,
    /// Graph (beta) `authenticationDetail[]`.
    pub authentication_details: Value,
    pub authentication_requirement: Option<String>,
    /// Any further Graph `signIn` properties, kept as given.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
