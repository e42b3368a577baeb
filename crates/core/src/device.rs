//! Registered devices and their reported posture.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{DeviceId, UserId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub id: DeviceId,
    pub display_name: String,
    pub operating_system: Option<String>,
    pub operating_system_version: Option<String>,
    /// Graph `trustType`: `Workplace`, `AzureAd`, `ServerAd`.
    pub trust_type: Option<String>,
    pub is_compliant: bool,
    pub is_managed: bool,
    pub owner_user_id: Option<UserId>,
    /// The device-bound public key (JWK) the agent signs its assertions with.
    pub public_key: Option<serde_json::Value>,
    /// Last reported posture (disk encryption, firewall, …).
    pub posture: serde_json::Value,
    /// Risk raised by an endpoint-protection product: `none`, `low`, `medium`, `high`.
    pub risk_level: Option<String>,
    pub account_enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub registration_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub last_seen_date_time: Option<OffsetDateTime>,
}
