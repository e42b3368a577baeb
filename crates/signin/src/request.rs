//! What the edge knows about the request: protocol, target, network, device, risk. Fixed
//! for the whole transaction.

use std::net::IpAddr;

use portcullis_core::CorrelationId;
use portcullis_core::signin::{DeviceDetail, SignInLocation};
use portcullis_policy::device_filter::DeviceProperties;
use portcullis_policy::evaluate::SignInTarget;
use portcullis_policy::model::{DevicePlatform, RiskLevel, TransferMethod};
use serde::{Deserialize, Serialize};

use crate::protocol::Protocol;

/// One sign-in request as the edge sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestContext {
    pub protocol: Protocol,
    /// The application (or user action, or authentication context) being signed in to.
    pub target: SignInTarget,
    pub app_display_name: Option<String>,
    /// The client IP as resolved through the trusted-proxy list.
    pub ip_address: Option<IpAddr>,
    /// Geolocation of the IP (`countryOrRegion` is the ISO code policies match on).
    pub location: SignInLocation,
    pub device_platform: Option<DevicePlatform>,
    /// Device filter properties of a registered device; `None`: unregistered.
    pub device: Option<DeviceProperties>,
    /// `deviceDetail` for the log (browser and OS from the user agent).
    pub device_detail: DeviceDetail,
    pub user_agent: Option<String>,
    pub correlation_id: CorrelationId,
    pub risk: RiskInput,
    /// Non-interactive facts checked by grant controls.
    pub device_facts: DeviceFacts,
    /// Device code flow or authentication transfer, when the session came through one.
    pub authentication_flow: Option<TransferMethod>,
    /// The protocol can reach the user out of band (RADIUS with push approval), so a
    /// non-interactive protocol may still offer push instead of blocking.
    pub out_of_band_available: bool,
}

/// Risk as computed by the detector (a later issue); none by default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RiskInput {
    pub sign_in_risk_level: Option<RiskLevel>,
    /// `riskEventTypes_v2` of the detections behind the sign-in risk.
    pub sign_in_risk_reasons: Vec<String>,
    pub user_risk_level: Option<RiskLevel>,
    /// The user's `riskState` and `riskDetail` (Graph `riskyUser`) when the edge loaded
    /// them, for the log; `None`: the user's risk is not known.
    pub user_risk_state: Option<String>,
    pub user_risk_detail: Option<String>,
    /// The sign-in has unfamiliar properties for this user (security defaults ask for MFA).
    pub unfamiliar_sign_in_properties: bool,
}

/// Device and client app facts established without asking the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceFacts {
    pub device_compliant: bool,
    pub device_hybrid_joined: bool,
    pub approved_application: bool,
    pub app_protection_policy: bool,
}
