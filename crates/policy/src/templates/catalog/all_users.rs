//! Templates for every user (and guests): legacy authentication, MFA, Azure management,
//! registration, location.

use crate::model::{BuiltInControl, ClientAppType, GrantOperator, UserAction, Users, special};

use super::super::parameters::{ParameterKind, ParameterSpec};
use super::super::shape::{
    ALL_GUEST_TYPES, all_resources, all_users, any_location_except, applications, block,
    conditions, grant, guests_of, mfa_strength, user_action,
};
use super::super::{TemplateDetails, TemplateError, TemplateParameters};

/// The "Windows Azure Service Management API" application ID (Azure Resource Manager,
/// the Azure portal, Azure CLI and PowerShell; entra.md §1.4).
pub const AZURE_SERVICE_MANAGEMENT_APP_ID: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

const SKIP_TRUSTED_LOCATIONS: &str = "skipTrustedLocations";
const EXCLUDE_APPLICATIONS: &str = "excludeApplications";
const AZURE_MANAGEMENT_APP_ID: &str = "azureManagementAppId";
const TRUSTED_LOCATIONS_ONLY: &str = "trustedLocationsOnly";
const ALLOWED_LOCATIONS: &str = "allowedLocations";

/// Block legacy authentication: All users, All resources, Exchange ActiveSync and other
/// clients, `block`.
pub(super) fn block_legacy_authentication(
    _: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    let mut conditions = conditions(all_users(), all_resources());
    conditions.client_app_types = vec![
        ClientAppType::ExchangeActiveSync,
        ClientAppType::OtherClients,
    ];
    Ok(TemplateDetails {
        conditions,
        grant_controls: Some(block()),
        session_controls: None,
    })
}

/// Parameters of [`mfa_for_all_users`].
pub(super) const MFA_FOR_ALL_USERS_PARAMETERS: [ParameterSpec; 2] = [
    ParameterSpec {
        name: SKIP_TRUSTED_LOCATIONS,
        kind: ParameterKind::Bool,
        description: "true: apply only outside trusted locations (any location minus AllTrusted); default false",
    },
    ParameterSpec {
        name: EXCLUDE_APPLICATIONS,
        kind: ParameterKind::Applications,
        description: "applications to leave out; default none",
    },
];

/// MFA for all users: All users, All resources (optionally minus some), the built-in
/// MFA strength; optionally only outside trusted locations.
pub(super) fn mfa_for_all_users(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    let mut resources = all_resources();
    resources.exclude_applications = parameters.applications(EXCLUDE_APPLICATIONS)?;
    let mut conditions = conditions(all_users(), resources);
    if parameters.flag(SKIP_TRUSTED_LOCATIONS)?.unwrap_or(false) {
        conditions.locations = Some(any_location_except(vec![special::ALL_TRUSTED.to_owned()]));
    }
    Ok(TemplateDetails {
        conditions,
        grant_controls: Some(mfa_strength()),
        session_controls: None,
    })
}

/// MFA for guest access: every guest and external user type from every tenant, `mfa`.
pub(super) fn mfa_for_guests(_: &TemplateParameters) -> Result<TemplateDetails, TemplateError> {
    let users = Users {
        include_guests_or_external_users: Some(guests_of(&ALL_GUEST_TYPES)),
        ..Users::default()
    };
    Ok(TemplateDetails {
        conditions: conditions(users, all_resources()),
        grant_controls: Some(grant(GrantOperator::Or, &[BuiltInControl::Mfa])),
        session_controls: None,
    })
}

/// Parameters of [`mfa_for_azure_management`].
pub(super) const AZURE_MANAGEMENT_PARAMETERS: [ParameterSpec; 1] = [ParameterSpec {
    name: AZURE_MANAGEMENT_APP_ID,
    kind: ParameterKind::Id,
    description: "the management application to protect; default Windows Azure Service Management API (797f4846-ba00-4fd7-ba43-dac1f8f63013)",
}];

/// MFA for Azure management: All users, the management application, `mfa`.
pub(super) fn mfa_for_azure_management(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    let application = parameters
        .id(AZURE_MANAGEMENT_APP_ID)?
        .unwrap_or_else(|| AZURE_SERVICE_MANAGEMENT_APP_ID.to_owned());
    Ok(TemplateDetails {
        conditions: conditions(all_users(), applications(&[&application])),
        grant_controls: Some(grant(GrantOperator::Or, &[BuiltInControl::Mfa])),
        session_controls: None,
    })
}

/// Parameters of [`securing_security_info_registration`].
pub(super) const SECURITY_INFO_PARAMETERS: [ParameterSpec; 1] = [ParameterSpec {
    name: TRUSTED_LOCATIONS_ONLY,
    kind: ParameterKind::Bool,
    description: "true: block registration outside trusted locations (the older variant); default false: require the MFA strength there (a Temporary Access Pass counts)",
}];

/// Securing security info registration: All users minus every guest type, the user
/// action "register security information", outside trusted locations, the built-in MFA
/// strength (or `block` with `trustedLocationsOnly=true`).
pub(super) fn securing_security_info_registration(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    let users = Users {
        exclude_guests_or_external_users: Some(guests_of(&ALL_GUEST_TYPES)),
        ..all_users()
    };
    let mut conditions = conditions(users, user_action(UserAction::RegisterSecurityInfo));
    conditions.locations = Some(any_location_except(vec![special::ALL_TRUSTED.to_owned()]));
    let grant_controls = if parameters.flag(TRUSTED_LOCATIONS_ONLY)?.unwrap_or(false) {
        block()
    } else {
        mfa_strength()
    };
    Ok(TemplateDetails {
        conditions,
        grant_controls: Some(grant_controls),
        session_controls: None,
    })
}

/// MFA for device registration: All users, the user action "register or join devices",
/// `mfa` (the only controls that action allows are MFA and a strength).
pub(super) fn mfa_for_device_registration(
    _: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    Ok(TemplateDetails {
        conditions: conditions(all_users(), user_action(UserAction::RegisterDevice)),
        grant_controls: Some(grant(GrantOperator::Or, &[BuiltInControl::Mfa])),
        session_controls: None,
    })
}

/// Parameters of [`block_by_location`].
pub(super) const BLOCK_BY_LOCATION_PARAMETERS: [ParameterSpec; 1] = [ParameterSpec {
    name: ALLOWED_LOCATIONS,
    kind: ParameterKind::Locations,
    description: "the named locations sign-ins are allowed from; default AllTrusted",
}];

/// Block access by location: All users, All resources, any location minus the allowed
/// ones, `block`.
pub(super) fn block_by_location(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    let mut allowed = parameters.locations(ALLOWED_LOCATIONS)?;
    if allowed.is_empty() {
        allowed.push(special::ALL_TRUSTED.to_owned());
    }
    let mut conditions = conditions(all_users(), all_resources());
    conditions.locations = Some(any_location_except(allowed));
    Ok(TemplateDetails {
        conditions,
        grant_controls: Some(block()),
        session_controls: None,
    })
}
