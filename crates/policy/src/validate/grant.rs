//! Grant-control rules (entra.md §1.6).

use super::value_has_entries;
use super::{Rule, ValidationError};
use crate::model::{
    BuiltInControl, ConditionSet, ConditionalAccessPolicy, DevicePlatform, GrantControls,
    GrantOperator,
};

const BUILT_IN: &str = "grantControls.builtInControls";

pub(super) fn check(policy: &ConditionalAccessPolicy, findings: &mut Vec<ValidationError>) {
    let Some(grant) = &policy.grant_controls else {
        return;
    };
    check_operator(grant, findings);
    if grant.blocks() && grant.control_count() > 1 {
        findings.push(ValidationError::warning(
            Rule::BlockCombined,
            BUILT_IN,
            "'block' is combined with other controls: the result is always block",
        ));
    }
    if grant.has(&BuiltInControl::Mfa) && grant.requires_authentication_strength() {
        findings.push(ValidationError::error(
            Rule::MfaWithAuthenticationStrength,
            BUILT_IN,
            "'mfa' cannot be combined with authenticationStrength (the built-in \"Multifactor authentication\" strength is the same requirement)",
        ));
    }
    if grant.has(&BuiltInControl::PasswordChange) {
        check_password_change(policy, grant, findings);
    }
    if grant.has(&BuiltInControl::ApprovedApplication) {
        findings.push(ValidationError::warning(
            Rule::Deprecated,
            BUILT_IN,
            "'approvedApplication' is retiring (March 2026); use 'compliantApplication' (app protection policy)",
        ));
    }
    if let Some(conditions) = &policy.conditions {
        check_platforms(grant, conditions, findings);
    }
}

/// Only `AND` and `OR` are documented. With several controls the operator decides the
/// outcome, so it must be there; with one it makes no difference.
fn check_operator(grant: &GrantControls, findings: &mut Vec<ValidationError>) {
    match &grant.operator {
        Some(GrantOperator::Other(value)) => findings.push(ValidationError::error(
            Rule::InvalidOperator,
            "grantControls.operator",
            format!("operator must be 'AND' or 'OR', not '{value}'"),
        )),
        None if grant.control_count() > 1 => findings.push(ValidationError::error(
            Rule::InvalidOperator,
            "grantControls.operator",
            "operator ('AND' or 'OR') is required when more than one control is set",
        )),
        _ => {}
    }
}

/// "`passwordChange` must be combined with `mfa` using AND; the policy must contain
/// `userRiskLevels` and target All apps with no exclusions; no other condition is
/// allowed, and it cannot be combined with other controls." The Microsoft risky-user
/// template combines it with the built-in MFA *strength* instead of `mfa`, so either
/// satisfies the "with MFA" part. Users (with exclusions) are allowed; session controls
/// are not grant controls and are allowed (the same template adds sign-in frequency
/// "every time").
fn check_password_change(
    policy: &ConditionalAccessPolicy,
    grant: &GrantControls,
    findings: &mut Vec<ValidationError>,
) {
    let error = |path: &str, message: &str| {
        ValidationError::error(Rule::PasswordChangeComposition, path, message)
    };
    if !grant.has(&BuiltInControl::Mfa) && !grant.requires_authentication_strength() {
        findings.push(error(
            BUILT_IN,
            "'passwordChange' must be combined with 'mfa' (or an authentication strength)",
        ));
    } else if grant.operator != Some(GrantOperator::And) {
        findings.push(error(
            "grantControls.operator",
            "'passwordChange' must be combined with 'mfa' using 'AND'",
        ));
    }
    let others: Vec<&str> = grant
        .built_in_controls
        .iter()
        .filter(|c| !matches!(c, BuiltInControl::PasswordChange | BuiltInControl::Mfa))
        .map(BuiltInControl::as_str)
        .collect();
    if !others.is_empty()
        || !grant.custom_authentication_factors.is_empty()
        || !grant.terms_of_use.is_empty()
    {
        let named = others
            .iter()
            .map(|name| format!("'{name}'"))
            .collect::<Vec<_>>();
        let what = if named.is_empty() {
            "custom controls or terms of use".to_owned()
        } else {
            named.join(", ")
        };
        findings.push(error(
            BUILT_IN,
            &format!("'passwordChange' cannot be combined with other controls ({what})"),
        ));
    }
    let Some(conditions) = &policy.conditions else {
        return;
    };
    if conditions.user_risk_levels.is_empty() {
        findings.push(error(
            "conditions.userRiskLevels",
            "a policy with 'passwordChange' must have a user risk condition",
        ));
    }
    match &conditions.applications {
        Some(applications) if applications.includes_all() => {
            if applications.has_exclusions() {
                findings.push(error(
                    "conditions.applications.excludeApplications",
                    "a policy with 'passwordChange' must target All resources with no exclusions",
                ));
            }
        }
        _ => findings.push(error(
            "conditions.applications.includeApplications",
            "a policy with 'passwordChange' must target All resources",
        )),
    }
    for path in other_conditions(conditions) {
        findings.push(error(
            &path,
            "a policy with 'passwordChange' may only use users, All resources and user risk",
        ));
    }
}

/// Paths of conditions other than users, applications and user risk that are set.
fn other_conditions(conditions: &ConditionSet) -> Vec<String> {
    let mut paths = Vec::new();
    let mut flag = |set: bool, path: &str| {
        if set {
            paths.push(path.to_owned());
        }
    };
    flag(
        conditions
            .client_applications
            .as_ref()
            .is_some_and(|c| c.has_includes()),
        "conditions.clientApplications",
    );
    flag(
        conditions.client_app_types_configured(),
        "conditions.clientAppTypes",
    );
    flag(conditions.platforms_configured(), "conditions.platforms");
    flag(conditions.locations_configured(), "conditions.locations");
    flag(
        !conditions.sign_in_risk_levels.is_empty(),
        "conditions.signInRiskLevels",
    );
    flag(
        !conditions.service_principal_risk_levels.is_empty(),
        "conditions.servicePrincipalRiskLevels",
    );
    flag(
        !conditions.insider_risk_levels.is_empty(),
        "conditions.insiderRiskLevels",
    );
    flag(
        conditions.device_filter().is_some(),
        "conditions.devices.deviceFilter",
    );
    flag(
        conditions.transfer_methods().is_some(),
        "conditions.authenticationFlows",
    );
    for (key, value) in &conditions.extra.0 {
        flag(value_has_entries(value), &format!("conditions.{key}"));
    }
    paths
}

/// "macOS and Linux cannot be selected when approved app or app protection is the only
/// grant, or with AND." Only explicitly listed platforms count: `all` is not "selecting"
/// macOS or Linux in the portal's sense.
fn check_platforms(
    grant: &GrantControls,
    conditions: &ConditionSet,
    findings: &mut Vec<ValidationError>,
) {
    let is_app_grant = |control: &BuiltInControl| {
        matches!(
            control,
            BuiltInControl::ApprovedApplication | BuiltInControl::CompliantApplication
        )
    };
    if !grant.built_in_controls.iter().any(is_app_grant) {
        return;
    }
    let only_app_grants = grant.built_in_controls.iter().all(is_app_grant)
        && grant.custom_authentication_factors.is_empty()
        && grant.terms_of_use.is_empty()
        && !grant.requires_authentication_strength();
    let with_and = grant.operator == Some(GrantOperator::And) && grant.control_count() > 1;
    if !only_app_grants && !with_and {
        return;
    }
    let Some(platforms) = &conditions.platforms else {
        return;
    };
    for (index, platform) in platforms.include_platforms.iter().enumerate() {
        if matches!(platform, DevicePlatform::MacOs | DevicePlatform::Linux) {
            findings.push(ValidationError::error(
                Rule::PlatformGrantIncompatible,
                format!("conditions.platforms.includePlatforms[{index}]"),
                format!(
                    "'{platform}' cannot be selected when approved app or app protection is the only grant, or combined with AND"
                ),
            ));
        }
    }
}
