//! `conditionalAccessConditionSet` and its parts (entra.md §1.2–§1.5).
//!
//! Collections deserialize `null`, absent and `[]` alike to an empty `Vec` ("not
//! configured", entra.md §2.2) and serialize as `[]`. Sub-objects are `Option`s; `None`
//! serializes as `null`, as Graph does.

use serde::{Deserialize, Serialize};

use super::extra::{Extra, is_empty_vec, null_as_default};
use super::special;
use super::{
    ClientAppType, DevicePlatform, ExternalTenantsMembershipKind, FilterMode, FlagSet,
    GuestOrExternalUserType, InsiderRiskLevel, RiskLevel, TransferMethod, UserAction,
};

/// `conditionalAccessConditionSet`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionSet {
    /// Users, groups, roles and guests. The policy needs this or `clientApplications`.
    #[serde(default)]
    pub users: Option<Users>,
    /// Workload identities (service principals).
    #[serde(default)]
    pub client_applications: Option<ClientApplications>,
    /// Target resources (required by Graph).
    #[serde(default)]
    pub applications: Option<Applications>,
    /// Client app types; `[]` and `["all"]` both mean every client app type.
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_app_types: Vec<ClientAppType>,
    /// Device platforms.
    #[serde(default)]
    pub platforms: Option<Platforms>,
    /// Network (named locations).
    #[serde(default)]
    pub locations: Option<Locations>,
    /// Sign-in risk levels; empty means not evaluated.
    #[serde(default, deserialize_with = "null_as_default")]
    pub sign_in_risk_levels: Vec<RiskLevel>,
    /// User risk levels; empty means not evaluated.
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_risk_levels: Vec<RiskLevel>,
    /// Service principal risk levels; empty means not evaluated.
    #[serde(default, deserialize_with = "null_as_default")]
    pub service_principal_risk_levels: Vec<RiskLevel>,
    /// Insider risk levels (flags); empty (`null`) means not evaluated.
    #[serde(default)]
    pub insider_risk_levels: FlagSet<InsiderRiskLevel>,
    /// Device filter.
    #[serde(default)]
    pub devices: Option<Devices>,
    /// Authentication flows (device code, authentication transfer).
    #[serde(default)]
    pub authentication_flows: Option<AuthenticationFlows>,
    /// Properties this model does not name (beta `times`, `deviceStates`, `agents`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl ConditionSet {
    /// Whether the client-app-types condition restricts anything: `[]` and any list that
    /// contains `all` mean every client app type (entra.md §2.2).
    pub fn client_app_types_configured(&self) -> bool {
        !self.client_app_types.is_empty() && !self.client_app_types.contains(&ClientAppType::All)
    }

    /// Whether the device-platform condition is configured (has an include entry).
    pub fn platforms_configured(&self) -> bool {
        self.platforms
            .as_ref()
            .is_some_and(Platforms::is_configured)
    }

    /// Whether the network condition is configured (has an include entry).
    pub fn locations_configured(&self) -> bool {
        self.locations
            .as_ref()
            .is_some_and(Locations::is_configured)
    }

    /// The device filter, if one is configured (a filter with an empty rule is not).
    pub fn device_filter(&self) -> Option<&ConditionalAccessFilter> {
        self.devices
            .as_ref()
            .and_then(|devices| devices.device_filter.as_ref())
            .filter(|filter| filter.is_configured())
    }

    /// The transfer methods of the authentication-flows condition (empty = not evaluated).
    pub fn transfer_methods(&self) -> Option<&FlagSet<TransferMethod>> {
        self.authentication_flows
            .as_ref()
            .map(|flows| &flows.transfer_methods)
            .filter(|methods| !methods.is_empty())
    }

    /// Whether any risk condition (sign-in, user, service principal, insider) is set.
    pub fn any_risk_configured(&self) -> bool {
        !self.sign_in_risk_levels.is_empty()
            || !self.user_risk_levels.is_empty()
            || !self.service_principal_risk_levels.is_empty()
            || !self.insider_risk_levels.is_empty()
    }
}

/// `conditionalAccessUsers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Users {
    /// User object IDs, or `All`, `None`, `GuestsOrExternalUsers`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub include_users: Vec<String>,
    /// User object IDs, or `GuestsOrExternalUsers`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub exclude_users: Vec<String>,
    /// Group IDs (transitive membership).
    #[serde(default, deserialize_with = "null_as_default")]
    pub include_groups: Vec<String>,
    /// Group IDs (transitive membership).
    #[serde(default, deserialize_with = "null_as_default")]
    pub exclude_groups: Vec<String>,
    /// Directory role template IDs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub include_roles: Vec<String>,
    /// Directory role template IDs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub exclude_roles: Vec<String>,
    /// Guest and external user types to include.
    #[serde(default)]
    pub include_guests_or_external_users: Option<GuestsOrExternalUsers>,
    /// Guest and external user types to exclude.
    #[serde(default)]
    pub exclude_guests_or_external_users: Option<GuestsOrExternalUsers>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Users {
    /// `includeUsers` contains `All`.
    pub fn includes_all_users(&self) -> bool {
        self.include_users.iter().any(|id| id == special::ALL)
    }

    /// Whether anything is included: a user other than `None`, a group, a role, or guest
    /// types. A policy whose only include is `None` targets nobody (workload-identity
    /// policies are written that way).
    pub fn has_includes(&self) -> bool {
        self.include_users.iter().any(|id| id != special::NONE)
            || !self.include_groups.is_empty()
            || !self.include_roles.is_empty()
            || self
                .include_guests_or_external_users
                .as_ref()
                .is_some_and(GuestsOrExternalUsers::is_configured)
    }

    /// Whether anything is excluded.
    pub fn has_exclusions(&self) -> bool {
        !self.exclude_users.is_empty()
            || !self.exclude_groups.is_empty()
            || !self.exclude_roles.is_empty()
            || self
                .exclude_guests_or_external_users
                .as_ref()
                .is_some_and(GuestsOrExternalUsers::is_configured)
    }

    /// Whether the users assignment says anything at all (includes or excludes).
    pub fn is_configured(&self) -> bool {
        self.has_includes() || self.has_exclusions()
    }
}

/// `conditionalAccessGuestsOrExternalUsers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuestsOrExternalUsers {
    /// Guest and external user types (flags).
    #[serde(default)]
    pub guest_or_external_user_types: FlagSet<GuestOrExternalUserType>,
    /// Which external tenants; only allowed when the types are non-empty.
    #[serde(default)]
    pub external_tenants: Option<ExternalTenants>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl GuestsOrExternalUsers {
    /// Whether at least one guest type is selected (`none` alone selects nobody).
    pub fn is_configured(&self) -> bool {
        self.guest_or_external_user_types
            .iter()
            .any(|kind| *kind != GuestOrExternalUserType::None)
    }
}

/// `conditionalAccessExternalTenants`: polymorphic, either
/// `#microsoft.graph.conditionalAccessAllExternalTenants` (`membershipKind: "all"`) or
/// `#microsoft.graph.conditionalAccessEnumeratedExternalTenants`
/// (`membershipKind: "enumerated"`, `members`). `membershipKind` is the semantic field;
/// the `@odata.type` discriminator is kept as written so export can send it back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalTenants {
    /// The OData discriminator as written, if any.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// `all` or `enumerated`.
    #[serde(default)]
    pub membership_kind: Option<ExternalTenantsMembershipKind>,
    /// Tenant IDs (enumerated kind only).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "is_empty_vec"
    )]
    pub members: Vec<String>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ExternalTenants {
    /// The discriminator Graph uses for all external tenants.
    pub const ALL_ODATA_TYPE: &'static str = "#microsoft.graph.conditionalAccessAllExternalTenants";
    /// The discriminator Graph uses for an enumerated list of tenants.
    pub const ENUMERATED_ODATA_TYPE: &'static str =
        "#microsoft.graph.conditionalAccessEnumeratedExternalTenants";

    /// Whether `tenant_id` is covered: every tenant for `all`, the listed ones for
    /// `enumerated`, none for an unknown kind (the restrictive reading).
    pub fn covers(&self, tenant_id: &str) -> bool {
        match self.membership_kind {
            Some(ExternalTenantsMembershipKind::All) => true,
            Some(ExternalTenantsMembershipKind::Enumerated) => self
                .members
                .iter()
                .any(|member| member.eq_ignore_ascii_case(tenant_id)),
            _ => false,
        }
    }
}

/// `conditionalAccessApplications` ("target resources").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Applications {
    /// App IDs, or `All`, `None`, `Office365`, `MicrosoftAdminPortals`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub include_applications: Vec<String>,
    /// App IDs, or `Office365`, `MicrosoftAdminPortals`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub exclude_applications: Vec<String>,
    /// User actions.
    #[serde(default, deserialize_with = "null_as_default")]
    pub include_user_actions: Vec<UserAction>,
    /// Authentication context IDs (`c1` … `c99`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub include_authentication_context_class_references: Vec<String>,
    /// Filter over custom security attributes of the application.
    #[serde(default)]
    pub application_filter: Option<ConditionalAccessFilter>,
    /// Properties this model does not name (beta `networkAccess`, `globalSecureAccess`).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Applications {
    /// `includeApplications` contains `All` ("All resources").
    pub fn includes_all(&self) -> bool {
        self.include_applications
            .iter()
            .any(|id| id == special::ALL)
    }

    /// Whether the policy targets user actions instead of applications.
    pub fn targets_user_actions(&self) -> bool {
        !self.include_user_actions.is_empty()
    }

    /// Whether the policy targets authentication contexts.
    pub fn targets_authentication_contexts(&self) -> bool {
        !self
            .include_authentication_context_class_references
            .is_empty()
    }

    /// Whether anything is excluded (an app or an exclude-mode filter).
    pub fn has_exclusions(&self) -> bool {
        !self.exclude_applications.is_empty()
            || self.application_filter.as_ref().is_some_and(|filter| {
                filter.is_configured() && filter.mode == Some(FilterMode::Exclude)
            })
    }

    /// Whether anything is targeted: an application other than `None`, a user action,
    /// an authentication context, or an include-mode application filter.
    pub fn has_includes(&self) -> bool {
        self.include_applications
            .iter()
            .any(|id| id != special::NONE)
            || self.targets_user_actions()
            || self.targets_authentication_contexts()
            || self.application_filter.as_ref().is_some_and(|filter| {
                filter.is_configured() && filter.mode == Some(FilterMode::Include)
            })
    }
}

/// `conditionalAccessClientApplications` (workload identities).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientApplications {
    /// Service principal object IDs, or `ServicePrincipalsInMyTenant`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub include_service_principals: Vec<String>,
    /// Service principal object IDs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub exclude_service_principals: Vec<String>,
    /// Filter over custom security attributes of the service principal.
    #[serde(default)]
    pub service_principal_filter: Option<ConditionalAccessFilter>,
    /// Beta: agent identities to include (`All` or IDs). Not written when empty.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "is_empty_vec"
    )]
    pub include_agent_id_service_principals: Vec<String>,
    /// Beta: agent identities to exclude. Not written when empty.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "is_empty_vec"
    )]
    pub exclude_agent_id_service_principals: Vec<String>,
    /// Beta: filter over agent identities. Not written when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id_service_principal_filter: Option<ConditionalAccessFilter>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ClientApplications {
    /// Whether any workload identity (or agent identity) is included.
    pub fn has_includes(&self) -> bool {
        !self.include_service_principals.is_empty()
            || !self.include_agent_id_service_principals.is_empty()
            || self
                .service_principal_filter
                .as_ref()
                .is_some_and(|filter| {
                    filter.is_configured() && filter.mode == Some(FilterMode::Include)
                })
            || self
                .agent_id_service_principal_filter
                .as_ref()
                .is_some_and(|filter| {
                    filter.is_configured() && filter.mode == Some(FilterMode::Include)
                })
    }
}

/// `conditionalAccessPlatforms`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Platforms {
    /// Platforms to include (`all` for any).
    #[serde(default, deserialize_with = "null_as_default")]
    pub include_platforms: Vec<DevicePlatform>,
    /// Platforms to exclude.
    #[serde(default, deserialize_with = "null_as_default")]
    pub exclude_platforms: Vec<DevicePlatform>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Platforms {
    /// Whether the condition restricts anything (has an include entry).
    pub fn is_configured(&self) -> bool {
        !self.include_platforms.is_empty()
    }
}

/// `conditionalAccessLocations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Locations {
    /// Named-location IDs, or `All`, `AllTrusted`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub include_locations: Vec<String>,
    /// Named-location IDs, or `AllTrusted`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub exclude_locations: Vec<String>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Locations {
    /// Whether the condition restricts anything (has an include entry).
    pub fn is_configured(&self) -> bool {
        !self.include_locations.is_empty()
    }
}

/// `conditionalAccessDevices`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Devices {
    /// The device filter.
    #[serde(default)]
    pub device_filter: Option<ConditionalAccessFilter>,
    /// Properties this model does not name (beta `includeDevices`, `includeDeviceStates`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `conditionalAccessFilter`: device, application and service-principal filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessFilter {
    /// Whether matching objects are in (`include`) or out (`exclude`) of scope.
    #[serde(default)]
    pub mode: Option<FilterMode>,
    /// The rule text (entra.md §2.6 grammar for device filters).
    #[serde(default, deserialize_with = "null_as_default")]
    pub rule: String,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ConditionalAccessFilter {
    /// A filter with an empty rule filters nothing.
    pub fn is_configured(&self) -> bool {
        !self.rule.trim().is_empty()
    }
}

/// `conditionalAccessAuthenticationFlows`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationFlows {
    /// Transfer methods (flags).
    #[serde(default)]
    pub transfer_methods: FlagSet<TransferMethod>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}
