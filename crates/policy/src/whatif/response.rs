//! Graph's `whatIfAnalysisResult`: the policy as it is plus `policyApplies` and
//! `analysisReasons`.

use serde::Serialize;
use serde_json::Value;

/// `whatIfAnalysisReasons` members Portcullis reports (one per result: Graph's UI shows
/// the first unmet condition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AnalysisReason {
    /// The policy applies.
    NotSet,
    /// A condition needs a signal the request lacks.
    NotEnoughInformation,
    /// A condition cannot be evaluated (a device filter that does not parse).
    InvalidCondition,
    Users,
    WorkloadIdentities,
    Application,
    UserActions,
    AuthenticationContext,
    DevicePlatform,
    Devices,
    ClientApps,
    Location,
    SignInRisk,
    /// The policy has neither grant nor session controls.
    EmptyPolicy,
    /// The policy has no conditions.
    InvalidPolicy,
    /// The policy is disabled.
    PolicyNotEnabled,
    UserRisk,
    InsiderRisk,
    AuthenticationFlow,
}

/// One `whatIfAnalysisResult`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfAnalysisResult {
    /// The policy's JSON, as the policy set holds it.
    #[serde(flatten)]
    pub policy: serde_json::Map<String, Value>,
    /// Whether the policy applies.
    pub policy_applies: bool,
    /// `notSet` when it applies, else why not.
    pub analysis_reasons: AnalysisReason,
}

/// `{"value":[whatIfAnalysisResult…]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIfResponse {
    /// The results, in the policy set's order.
    pub value: Vec<WhatIfAnalysisResult>,
}
