//! The Graph `conditionalAccess/evaluate` request body (entra.md §2.7).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::device_filter::DeviceProperties;
use crate::model::{
    ClientAppType, DevicePlatform, GuestOrExternalUserType, InsiderRiskLevel, RiskLevel,
    TransferMethod,
};

/// The request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluateRequest {
    /// `#microsoft.graph.userSignIn` or `#microsoft.graph.servicePrincipalSignIn`.
    pub sign_in_identity: SignInIdentityWire,
    /// `#microsoft.graph.applicationContext`, `userActionContext` or `authContext`.
    pub sign_in_context: SignInContextWire,
    /// The signals.
    #[serde(default)]
    pub sign_in_conditions: SignInConditions,
    /// Only return the policies that apply.
    #[serde(default)]
    pub applied_policies_only: bool,
}

/// `signInIdentity` (polymorphic through `@odata.type`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInIdentityWire {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    /// `userSignIn`: the user.
    pub user_id: Option<String>,
    /// `userSignIn`: the external user's home tenant.
    pub external_tenant_id: Option<String>,
    /// `userSignIn`: the guest or external user type.
    pub external_user_type: Option<GuestOrExternalUserType>,
    /// `servicePrincipalSignIn`: the service principal.
    pub service_principal_id: Option<String>,
}

/// `signInContext` (polymorphic through `@odata.type`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInContextWire {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    /// `applicationContext`: the app IDs.
    pub include_applications: Vec<String>,
    /// `userActionContext`: `registerSecurityInformation` or `registerOrJoinDevices`.
    pub user_action: Option<String>,
    /// `authContext`: e.g. `c37`.
    pub authentication_context_value: Option<String>,
}

/// `signInConditions`. Every field is optional; a policy whose condition needs an absent
/// signal does not apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInConditions {
    pub authentication_flow: Option<AuthenticationFlowWire>,
    pub client_app_type: Option<ClientAppType>,
    pub country: Option<String>,
    pub device_info: Option<DeviceProperties>,
    pub device_platform: Option<DevicePlatform>,
    pub insider_risk_level: Option<InsiderRiskLevel>,
    pub ip_address: Option<IpAddr>,
    pub service_principal_risk_level: Option<RiskLevel>,
    pub sign_in_risk_level: Option<RiskLevel>,
    pub user_risk_level: Option<RiskLevel>,
}

/// `authenticationFlow`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationFlowWire {
    pub transfer_method: Option<TransferMethod>,
}
