//! Risk detections in the Graph `riskDetection` shape (essentials).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{RiskEventId, SignInId, UserId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskEvent {
    pub id: RiskEventId,
    pub user_id: Option<UserId>,
    pub user_principal_name: Option<String>,
    /// `unfamiliarFeatures`, `impossibleTravel`, `anonymizedIPAddress`, `passwordSpray`, …
    pub risk_event_type: String,
    /// `low`, `medium`, `high`.
    pub risk_level: String,
    /// `atRisk`, `confirmedCompromised`, `confirmedSafe`, `dismissed`, `remediated`.
    pub risk_state: String,
    pub risk_detail: Option<String>,
    /// `realtime` or `offline`.
    pub detection_timing_type: String,
    #[serde(with = "time::serde::rfc3339")]
    pub detected_date_time: OffsetDateTime,
    pub ip_address: Option<String>,
    pub sign_in_id: Option<SignInId>,
    pub additional_info: serde_json::Value,
}
