//! The admin templates (§9 rows 1–4): they target the admin roles.

use crate::model::{AuthenticationStrengthPolicy, BuiltInControl, GrantOperator, special};

use super::super::parameters::{ParameterKind, ParameterSpec};
use super::super::roles::ADMIN_ROLES;
use super::super::shape::{
    all_resources, applications, conditions, grant, mfa_strength, strength, users_in_roles,
};
use super::super::{TemplateDetails, TemplateError, TemplateParameters};

const ADMIN_ROLES_PARAMETER: &str = "adminRoles";

/// `adminRoles`, taken by every admin template.
pub(super) const PARAMETERS: [ParameterSpec; 1] = [ParameterSpec {
    name: ADMIN_ROLES_PARAMETER,
    kind: ParameterKind::Ids,
    description: "the directory role template IDs to target; default the 15 admin roles of entra.md §9",
}];

/// The `adminRoles` parameter, or §9's role table.
fn admin_roles(parameters: &TemplateParameters) -> Result<Vec<String>, TemplateError> {
    let given = parameters.ids(ADMIN_ROLES_PARAMETER)?;
    Ok(if given.is_empty() {
        ADMIN_ROLES
            .iter()
            .map(|role| role.template_id.to_owned())
            .collect()
    } else {
        given
    })
}

/// Require multifactor authentication for admins: admin roles, All resources, `mfa`.
pub(super) fn mfa_for_admins(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    Ok(TemplateDetails {
        conditions: conditions(users_in_roles(admin_roles(parameters)?), all_resources()),
        grant_controls: Some(grant(GrantOperator::Or, &[BuiltInControl::Mfa])),
        session_controls: None,
    })
}

/// Require phishing-resistant MFA for admins: admin roles, All resources, strength `…0004`.
pub(super) fn phishing_resistant_mfa_for_admins(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    Ok(TemplateDetails {
        conditions: conditions(users_in_roles(admin_roles(parameters)?), all_resources()),
        grant_controls: Some(strength(
            AuthenticationStrengthPolicy::BUILT_IN_PHISHING_RESISTANT_MFA_ID,
            "Phishing-resistant MFA",
        )),
        session_controls: None,
    })
}

/// MFA for admins on Microsoft admin portals: admin roles, `MicrosoftAdminPortals`,
/// strength `…0002`.
pub(super) fn mfa_for_admin_portals(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    Ok(TemplateDetails {
        conditions: conditions(
            users_in_roles(admin_roles(parameters)?),
            applications(&[special::MICROSOFT_ADMIN_PORTALS]),
        ),
        grant_controls: Some(mfa_strength()),
        session_controls: None,
    })
}

/// Compliant or hybrid joined device for admins: `compliantDevice` OR `domainJoinedDevice`.
pub(super) fn compliant_or_hybrid_device_for_admins(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    Ok(TemplateDetails {
        conditions: conditions(users_in_roles(admin_roles(parameters)?), all_resources()),
        grant_controls: Some(grant(
            GrantOperator::Or,
            &[
                BuiltInControl::CompliantDevice,
                BuiltInControl::DomainJoinedDevice,
            ],
        )),
        session_controls: None,
    })
}
