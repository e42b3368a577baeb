//! Everything the evaluator judges a sign-in against, before precompilation.

use std::collections::BTreeMap;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::model::{AuthenticationStrengthPolicy, ConditionalAccessPolicy, NamedLocation};

/// The tenant's policy configuration.
///
/// JSON (camelCase): `{"policies":[…], "namedLocations":[…], "authenticationStrengths":[…],
/// "mfaTrustedIps":["203.0.113.0/24"], "applicationGroups":{"office365":[…],
/// "microsoftAdminPortals":[…]}, "securityDefaults":{"isEnabled":false, …},
/// "perUserMfa":{"<user id>":"enforced"}}`. Every field but `policies` may be omitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicySet {
    /// Conditional Access policies, in the order they are reported.
    pub policies: Vec<ConditionalAccessPolicy>,
    /// Named locations, referenced by ID from `conditions.locations`.
    pub named_locations: Vec<NamedLocation>,
    /// Custom authentication strengths, referenced by ID from `grantControls`. The three
    /// built-in strengths are always known.
    pub authentication_strengths: Vec<AuthenticationStrengthPolicy>,
    /// The legacy MFA service "trusted IPs" (entra.md §6.3). They count as `AllTrusted`
    /// and exempt per-user MFA.
    pub mfa_trusted_ips: Vec<IpNet>,
    /// Which concrete application IDs belong to the app groups.
    pub application_groups: ApplicationGroups,
    /// Security defaults (entra.md §6.1).
    pub security_defaults: SecurityDefaultsSettings,
    /// Legacy per-user MFA states by user ID (entra.md §6.2); absent users are `disabled`.
    pub per_user_mfa: BTreeMap<String, PerUserMfaState>,
}

/// The membership of the special application groups (entra.md §1.4).
///
/// Entra resolves `Office365` and `MicrosoftAdminPortals` to Microsoft's own first-party
/// apps; Portcullis has no such catalogue, so the operator says which of its registered
/// applications belong to each group. An app listed in neither group is matched by them
/// on no sign-in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApplicationGroups {
    /// Application IDs that `Office365` covers.
    pub office365: Vec<String>,
    /// Application IDs that `MicrosoftAdminPortals` covers.
    pub microsoft_admin_portals: Vec<String>,
}

/// `identitySecurityDefaultsEnforcementPolicy` plus the inputs its rules need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecurityDefaultsSettings {
    /// The tenant switch.
    pub is_enabled: bool,
    /// Application IDs of the Azure management plane ("privileged activities", entra.md
    /// §6.1 rule 5). Defaults to the Windows Azure Service Management API.
    pub azure_management_app_ids: Vec<String>,
    /// Whether the 14-day registration skip is offered. Entra is removing it for newer
    /// tenants (entra.md §6.1); `false` asks for registration at the first sign-in.
    pub registration_grace_enabled: bool,
}

/// The "Windows Azure Service Management API" application ID.
pub const AZURE_SERVICE_MANAGEMENT_APP_ID: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

impl Default for SecurityDefaultsSettings {
    fn default() -> Self {
        Self {
            is_enabled: false,
            azure_management_app_ids: vec![AZURE_SERVICE_MANAGEMENT_APP_ID.to_owned()],
            registration_grace_enabled: true,
        }
    }
}

/// Legacy per-user MFA state (entra.md §6.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PerUserMfaState {
    /// Not enrolled.
    #[default]
    Disabled,
    /// Enrolled; registration is asked at the next modern sign-in.
    Enabled,
    /// Enrolled and registered.
    Enforced,
}
