//! Assignment rules: user actions, authentication contexts, guests and external tenants
//! (entra.md §1.3, §1.4).

use super::value_has_entries;
use super::{Rule, ValidationError};
use crate::model::{
    BuiltInControl, ConditionSet, ConditionalAccessPolicy, ExternalTenants,
    ExternalTenantsMembershipKind, GuestsOrExternalUsers, UserAction, special,
};

pub(super) fn check(policy: &ConditionalAccessPolicy, findings: &mut Vec<ValidationError>) {
    let Some(conditions) = &policy.conditions else {
        return;
    };
    check_user_actions(policy, conditions, findings);
    check_authentication_context(conditions, findings);
    if let Some(users) = &conditions.users {
        if let Some(guests) = &users.include_guests_or_external_users {
            check_guests(
                guests,
                "conditions.users.includeGuestsOrExternalUsers",
                findings,
            );
        }
        if let Some(guests) = &users.exclude_guests_or_external_users {
            check_guests(
                guests,
                "conditions.users.excludeGuestsOrExternalUsers",
                findings,
            );
        }
    }
}

const USER_ACTIONS: &str = "conditions.applications.includeUserActions";

fn check_user_actions(
    policy: &ConditionalAccessPolicy,
    conditions: &ConditionSet,
    findings: &mut Vec<ValidationError>,
) {
    let Some(applications) = &conditions.applications else {
        return;
    };
    if !applications.targets_user_actions() {
        return;
    }
    // The portal offers "cloud apps", "user actions" and "authentication context" as one
    // exclusive choice, so a policy targets exactly one kind of resource. `None` and an
    // empty list are the absence of applications, not a selection.
    let selects_applications = applications
        .include_applications
        .iter()
        .any(|id| id != special::NONE)
        || !applications.exclude_applications.is_empty()
        || applications.application_filter.is_some();
    if selects_applications {
        findings.push(ValidationError::error(
            Rule::UserActionExclusive,
            USER_ACTIONS,
            "user actions cannot be combined with applications in one policy",
        ));
    }
    if applications.targets_authentication_contexts() {
        findings.push(ValidationError::error(
            Rule::UserActionExclusive,
            USER_ACTIONS,
            "user actions cannot be combined with authentication contexts in one policy",
        ));
    }
    // "Report-only mode does not apply to user actions": the policy is valid, but the
    // admin gets no report, so this is a warning.
    if policy.is_report_only() {
        findings.push(ValidationError::warning(
            Rule::ReportOnlyUserAction,
            "state",
            "report-only mode does not apply to user actions: this policy produces no report",
        ));
    }
    if applications
        .include_user_actions
        .contains(&UserAction::RegisterDevice)
    {
        check_register_device(policy, conditions, findings);
    }
}

/// "With Register or join devices, only `mfa` or an authentication strength may be used;
/// client apps, device filter and device state conditions are unavailable."
/// Read restrictively: the grant must require `mfa` or a strength, and nothing else.
fn check_register_device(
    policy: &ConditionalAccessPolicy,
    conditions: &ConditionSet,
    findings: &mut Vec<ValidationError>,
) {
    let grant = policy.configured_grant_controls();
    let others: Vec<&str> = grant
        .map(|grant| {
            grant
                .built_in_controls
                .iter()
                .filter(|control| **control != BuiltInControl::Mfa)
                .map(BuiltInControl::as_str)
                .collect()
        })
        .unwrap_or_default();
    let has_extras = grant.is_some_and(|grant| {
        !grant.custom_authentication_factors.is_empty() || !grant.terms_of_use.is_empty()
    });
    let requires_mfa = grant.is_some_and(|grant| {
        grant.has(&BuiltInControl::Mfa) || grant.requires_authentication_strength()
    });
    if !others.is_empty() {
        findings.push(ValidationError::error(
            Rule::RegisterDeviceControls,
            "grantControls.builtInControls",
            format!(
                "'register or join devices' allows only 'mfa' or an authentication strength, not {}",
                others.iter().map(|name| format!("'{name}'")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if has_extras {
        findings.push(ValidationError::error(
            Rule::RegisterDeviceControls,
            "grantControls",
            "'register or join devices' allows only 'mfa' or an authentication strength, not custom controls or terms of use",
        ));
    }
    if !requires_mfa {
        findings.push(ValidationError::error(
            Rule::RegisterDeviceControls,
            "grantControls",
            "'register or join devices' must require 'mfa' or an authentication strength",
        ));
    }
    if conditions.client_app_types_configured() {
        findings.push(ValidationError::error(
            Rule::RegisterDeviceConditions,
            "conditions.clientAppTypes",
            "the client apps condition is not available with 'register or join devices'",
        ));
    }
    if conditions.device_filter().is_some() {
        findings.push(ValidationError::error(
            Rule::RegisterDeviceConditions,
            "conditions.devices.deviceFilter",
            "the device filter condition is not available with 'register or join devices'",
        ));
    }
    if conditions
        .extra
        .get("deviceStates")
        .is_some_and(value_has_entries)
    {
        findings.push(ValidationError::error(
            Rule::RegisterDeviceConditions,
            "conditions.deviceStates",
            "the device state condition is not available with 'register or join devices'",
        ));
    }
}

/// "An authentication context can be used with users or with workload identities, but
/// not both in one policy": a policy with an authentication context must not target
/// workload identities.
fn check_authentication_context(conditions: &ConditionSet, findings: &mut Vec<ValidationError>) {
    let Some(applications) = &conditions.applications else {
        return;
    };
    if !applications.targets_authentication_contexts() {
        return;
    }
    if conditions
        .client_applications
        .as_ref()
        .is_some_and(|clients| clients.has_includes())
    {
        findings.push(ValidationError::error(
            Rule::AuthenticationContextWithWorkloadIdentities,
            "conditions.applications.includeAuthenticationContextClassReferences",
            "an authentication context cannot be used in a policy that targets workload identities",
        ));
    }
}

fn check_guests(guests: &GuestsOrExternalUsers, path: &str, findings: &mut Vec<ValidationError>) {
    let types_set = !guests.guest_or_external_user_types.is_empty();
    if !types_set {
        findings.push(ValidationError::error(
            Rule::GuestTypesRequired,
            format!("{path}.guestOrExternalUserTypes"),
            "at least one guest or external user type is required",
        ));
    }
    if let Some(tenants) = &guests.external_tenants {
        check_external_tenants(
            tenants,
            types_set,
            &format!("{path}.externalTenants"),
            findings,
        );
    }
}

fn check_external_tenants(
    tenants: &ExternalTenants,
    types_set: bool,
    path: &str,
    findings: &mut Vec<ValidationError>,
) {
    if !types_set {
        findings.push(ValidationError::error(
            Rule::ExternalTenants,
            path,
            "externalTenants can only be set when guestOrExternalUserTypes is non-empty",
        ));
    }
    match &tenants.membership_kind {
        None => findings.push(ValidationError::error(
            Rule::ExternalTenants,
            format!("{path}.membershipKind"),
            "membershipKind is required: all or enumerated",
        )),
        Some(ExternalTenantsMembershipKind::Enumerated) if tenants.members.is_empty() => {
            findings.push(ValidationError::error(
                Rule::ExternalTenants,
                format!("{path}.members"),
                "an enumerated externalTenants needs at least one tenant ID in members",
            ));
        }
        Some(ExternalTenantsMembershipKind::All) if !tenants.members.is_empty() => {
            findings.push(ValidationError::warning(
                Rule::ExternalTenants,
                format!("{path}.members"),
                "members is ignored when membershipKind is 'all'",
            ));
        }
        _ => {}
    }
    let expected_type = match tenants.membership_kind {
        Some(ExternalTenantsMembershipKind::All) => Some(ExternalTenants::ALL_ODATA_TYPE),
        Some(ExternalTenantsMembershipKind::Enumerated) => {
            Some(ExternalTenants::ENUMERATED_ODATA_TYPE)
        }
        _ => None,
    };
    if let (Some(expected), Some(written)) = (expected_type, tenants.odata_type.as_deref())
        && expected != written
    {
        findings.push(ValidationError::error(
            Rule::ExternalTenants,
            format!("{path}.@odata.type"),
            format!("'{written}' does not match membershipKind (expected '{expected}')"),
        ));
    }
}
