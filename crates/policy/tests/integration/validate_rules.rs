//! Every validation rule, with a policy that breaks it and a close one that does not.

use portcullis_policy::model::ConditionalAccessPolicy;
use portcullis_policy::validate::{
    Rule, Severity, ValidationContext, ValidationError, has_errors, validate,
};
use serde_json::{Value, json};

/// A valid, minimal policy: all users, all resources, MFA.
fn base() -> Value {
    json!({
        "displayName": "Require MFA",
        "state": "enabled",
        "conditions": {
            "users": { "includeUsers": ["All"], "excludeUsers": ["b1f0c1de-0000-4000-8000-000000000001"] },
            "applications": { "includeApplications": ["All"] },
            "clientAppTypes": ["all"]
        },
        "grantControls": { "operator": "OR", "builtInControls": ["mfa"] }
    })
}

/// RFC 7386 merge patch: objects merge, `null` removes, anything else replaces.
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(&key);
                } else {
                    merge(target.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

fn policy(patch: Value) -> ConditionalAccessPolicy {
    let mut value = base();
    merge(&mut value, patch);
    serde_json::from_value(value).expect("test policy deserializes")
}

fn check(patch: Value) -> Vec<ValidationError> {
    validate(&policy(patch), &ValidationContext::offline())
}

fn fired(findings: &[ValidationError], rule: Rule, severity: Severity) -> bool {
    findings
        .iter()
        .any(|f| f.rule == rule && f.severity == severity)
}

fn assert_fires(patch: Value, rule: Rule, severity: Severity) -> Vec<ValidationError> {
    let findings = check(patch);
    assert!(
        fired(&findings, rule, severity),
        "expected {severity:?} {rule}, got {findings:#?}"
    );
    findings
}

fn assert_quiet(patch: Value, rule: Rule) {
    let findings = check(patch);
    assert!(
        !findings.iter().any(|f| f.rule == rule),
        "unexpected {rule}: {findings:#?}"
    );
}

fn assert_clean(patch: Value) {
    let findings = check(patch);
    assert!(
        findings.is_empty(),
        "expected no findings, got {findings:#?}"
    );
}

#[test]
fn the_base_policy_is_clean() {
    assert_clean(json!({}));
}

#[test]
fn display_name_is_required() {
    assert_fires(
        json!({"displayName": " "}),
        Rule::DisplayNameRequired,
        Severity::Error,
    );
}

#[test]
fn state_is_required() {
    let findings = assert_fires(json!({"state": null}), Rule::StateRequired, Severity::Error);
    assert_eq!(findings[0].path, "state");
    assert_quiet(json!({"state": "disabled"}), Rule::StateRequired);
}

#[test]
fn conditions_and_applications_are_required() {
    assert_fires(
        json!({"conditions": null}),
        Rule::ConditionsRequired,
        Severity::Error,
    );
    assert_fires(
        json!({"conditions": {"applications": null}}),
        Rule::ApplicationsRequired,
        Severity::Error,
    );
}

#[test]
fn users_or_client_applications_are_required() {
    assert_fires(
        json!({"conditions": {"users": null}}),
        Rule::UsersOrClientApplicationsRequired,
        Severity::Error,
    );
    assert_quiet(
        json!({"conditions": {"users": null, "clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"]}}}),
        Rule::UsersOrClientApplicationsRequired,
    );
}

#[test]
fn a_policy_without_controls_is_empty() {
    assert_fires(
        json!({"grantControls": null}),
        Rule::EmptyPolicy,
        Severity::Error,
    );
    assert_fires(
        json!({"grantControls": {"builtInControls": []}}),
        Rule::EmptyPolicy,
        Severity::Error,
    );
    assert_clean(json!({
        "grantControls": null,
        "sessionControls": {"signInFrequency": {"isEnabled": true, "type": "hours", "value": 4, "frequencyInterval": "timeBased"}}
    }));
}

#[test]
fn a_policy_that_includes_nobody_is_a_warning() {
    let findings = assert_fires(
        json!({"conditions": {"users": {"includeUsers": ["None"]}}}),
        Rule::TargetsNoIdentity,
        Severity::Warning,
    );
    assert!(!has_errors(&findings));
    // Beta agent conditions (kept in `extra`) count as identities, as in the corpus.
    assert_quiet(
        json!({"conditions": {"users": {"includeUsers": ["None"]}, "agents": {"includeAgentUsers": ["All"], "excludeAgentUsers": []}}}),
        Rule::TargetsNoIdentity,
    );
    assert_quiet(
        json!({"conditions": {"users": {"includeUsers": [], "includeRoles": ["62e90394-69f5-4237-9190-012177145e10"]}}}),
        Rule::TargetsNoIdentity,
    );
}

#[test]
fn a_policy_that_targets_no_resource_is_a_warning() {
    assert_fires(
        json!({"conditions": {"applications": {"includeApplications": ["None"]}}}),
        Rule::TargetsNoResource,
        Severity::Warning,
    );
    assert_quiet(
        json!({"conditions": {"applications": {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c1"]}}}),
        Rule::TargetsNoResource,
    );
}

#[test]
fn special_values_in_the_wrong_place() {
    assert_fires(
        json!({"conditions": {"users": {"includeUsers": ["All", "b1f0c1de-0000-4000-8000-000000000002"]}}}),
        Rule::SpecialValue,
        Severity::Warning,
    );
    let findings = assert_fires(
        json!({"conditions": {"applications": {"excludeApplications": ["All"]}}}),
        Rule::SpecialValue,
        Severity::Error,
    );
    assert_eq!(
        findings[0].path,
        "conditions.applications.excludeApplications[0]"
    );
    assert_quiet(
        json!({"conditions": {"applications": {"excludeApplications": ["Office365"]}}}),
        Rule::SpecialValue,
    );
}

#[test]
fn operator_must_be_and_or_or() {
    let findings = assert_fires(
        json!({"grantControls": {"operator": "XOR"}}),
        Rule::InvalidOperator,
        Severity::Error,
    );
    assert_eq!(
        findings.len(),
        1,
        "no extra unknown-enum warning: {findings:#?}"
    );
    assert_eq!(
        findings[0].to_string(),
        "grantControls.operator: operator must be 'AND' or 'OR', not 'XOR'"
    );
    assert_fires(
        json!({"grantControls": {"operator": null, "builtInControls": ["mfa", "compliantDevice"]}}),
        Rule::InvalidOperator,
        Severity::Error,
    );
    assert_clean(json!({"grantControls": {"operator": null}}));
    assert_clean(
        json!({"grantControls": {"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]}}),
    );
}

#[test]
fn block_with_other_controls_is_noted() {
    let findings = assert_fires(
        json!({"grantControls": {"builtInControls": ["block", "mfa"]}}),
        Rule::BlockCombined,
        Severity::Warning,
    );
    assert!(!has_errors(&findings));
    assert_clean(json!({"grantControls": {"builtInControls": ["block"]}}));
}

#[test]
fn mfa_and_authentication_strength_are_exclusive() {
    let findings = assert_fires(
        json!({"grantControls": {"authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}}),
        Rule::MfaWithAuthenticationStrength,
        Severity::Error,
    );
    assert!(
        findings[0].to_string().starts_with(
            "grantControls.builtInControls: 'mfa' cannot be combined with authenticationStrength"
        ),
        "{}",
        findings[0]
    );
    assert_clean(
        json!({"grantControls": {"builtInControls": [], "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}}),
    );
}

/// Microsoft's "secure password change for high user risk" policy.
fn password_change() -> Value {
    json!({
        "conditions": {"userRiskLevels": ["high"]},
        "grantControls": {"operator": "AND", "builtInControls": ["mfa", "passwordChange"]},
        "sessionControls": {"signInFrequency": {"isEnabled": true, "frequencyInterval": "everyTime", "authenticationType": "primaryAndSecondaryAuthentication"}}
    })
}

fn password_change_with(patch: Value) -> Value {
    let mut value = password_change();
    merge(&mut value, patch);
    value
}

#[test]
fn password_change_composition() {
    assert_clean(password_change());
    assert_clean(password_change_with(
        json!({"grantControls": {"builtInControls": ["passwordChange"],
        "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002"}}}),
    ));
    let broken = [
        json!({"grantControls": {"operator": "OR"}}),
        json!({"grantControls": {"builtInControls": ["passwordChange"]}}),
        json!({"grantControls": {"builtInControls": ["mfa", "passwordChange", "compliantDevice"]}}),
        json!({"grantControls": {"termsOfUse": ["a1b2c3d4-0000-4000-8000-000000000000"]}}),
        json!({"conditions": {"userRiskLevels": []}}),
        json!({"conditions": {"applications": {"includeApplications": ["Office365"]}}}),
        json!({"conditions": {"applications": {"excludeApplications": ["Office365"]}}}),
        json!({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}}),
        json!({"conditions": {"signInRiskLevels": ["high"]}}),
        json!({"conditions": {"clientAppTypes": ["browser"]}}),
        json!({"conditions": {"platforms": {"includePlatforms": ["all"]}}}),
    ];
    for patch in broken {
        let findings = check(password_change_with(patch.clone()));
        assert!(
            fired(&findings, Rule::PasswordChangeComposition, Severity::Error),
            "{patch}: {findings:#?}"
        );
    }
}

#[test]
fn persistent_browser_needs_all_resources() {
    let session = json!({"sessionControls": {"persistentBrowser": {"isEnabled": true, "mode": "never"}}, "grantControls": null});
    assert_clean(session.clone());
    let mut specific = session.clone();
    merge(
        &mut specific,
        json!({"conditions": {"applications": {"includeApplications": ["Office365"]}}}),
    );
    assert_fires(specific, Rule::PersistentBrowserScope, Severity::Error);
    let mut excluded = session.clone();
    merge(
        &mut excluded,
        json!({"conditions": {"applications": {"excludeApplications": ["Office365"]}}}),
    );
    assert_fires(excluded, Rule::PersistentBrowserScope, Severity::Warning);
    let mut disabled = session;
    merge(
        &mut disabled,
        json!({"sessionControls": {"persistentBrowser": {"isEnabled": false}},
        "conditions": {"applications": {"includeApplications": ["Office365"]}}}),
    );
    assert_quiet(disabled, Rule::PersistentBrowserScope);
}

#[test]
fn every_time_is_for_risk_and_intune_enrollment() {
    let every_time = json!({"sessionControls": {"signInFrequency": {"isEnabled": true, "frequencyInterval": "everyTime"}}});
    let findings = assert_fires(every_time.clone(), Rule::EveryTimeScope, Severity::Error);
    assert_eq!(
        findings[0].path,
        "sessionControls.signInFrequency.frequencyInterval"
    );
    for allowed in [
        json!({"conditions": {"signInRiskLevels": ["medium", "high"]}}),
        json!({"conditions": {"userRiskLevels": ["high"]}}),
        json!({"conditions": {"applications": {"includeApplications": ["d4ebce55-015a-49b5-a083-c84d1797ae8c"]}}}),
        json!({"grantControls": {"builtInControls": ["riskRemediation"]}}),
    ] {
        let mut value = every_time.clone();
        merge(&mut value, allowed.clone());
        assert_quiet(value, Rule::EveryTimeScope);
    }
    let mut mixed = every_time;
    merge(
        &mut mixed,
        json!({"conditions": {"applications": {"includeApplications":
        ["d4ebce55-015a-49b5-a083-c84d1797ae8c", "00000003-0000-0ff1-ce00-000000000000"]}}}),
    );
    assert_fires(mixed, Rule::EveryTimeScope, Severity::Error);
}

#[test]
fn time_based_frequency_needs_type_and_value() {
    let frequency = |settings: Value| json!({"sessionControls": {"signInFrequency": settings}});
    assert_clean(frequency(
        json!({"isEnabled": true, "type": "days", "value": 7, "frequencyInterval": "timeBased"}),
    ));
    assert_fires(
        frequency(json!({"isEnabled": true, "value": 7})),
        Rule::SignInFrequencySettings,
        Severity::Error,
    );
    assert_fires(
        frequency(json!({"isEnabled": true, "type": "hours"})),
        Rule::SignInFrequencySettings,
        Severity::Error,
    );
    assert_fires(
        frequency(json!({"isEnabled": true, "type": "hours", "value": 0})),
        Rule::SignInFrequencySettings,
        Severity::Error,
    );
    assert_fires(
        frequency(json!({"isEnabled": true, "type": "hours", "value": 48})),
        Rule::SignInFrequencySettings,
        Severity::Warning,
    );
    assert_quiet(
        frequency(json!({"isEnabled": false})),
        Rule::SignInFrequencySettings,
    );
}

fn register_device(patch: Value) -> Value {
    let mut value = json!({"conditions": {"applications": {"includeApplications": [], "includeUserActions": ["urn:user:registerdevice"]}}});
    merge(&mut value, patch);
    value
}

#[test]
fn user_actions_are_exclusive_with_applications_and_contexts() {
    assert_clean(register_device(json!({})));
    assert_fires(
        register_device(json!({"conditions": {"applications": {"includeApplications": ["All"]}}})),
        Rule::UserActionExclusive,
        Severity::Error,
    );
    assert_fires(
        register_device(
            json!({"conditions": {"applications": {"includeAuthenticationContextClassReferences": ["c1"]}}}),
        ),
        Rule::UserActionExclusive,
        Severity::Error,
    );
    assert_quiet(
        register_device(json!({"conditions": {"applications": {"includeApplications": ["None"]}}})),
        Rule::UserActionExclusive,
    );
}

#[test]
fn register_device_allows_only_mfa_or_a_strength() {
    assert_fires(
        register_device(json!({"grantControls": {"builtInControls": ["compliantDevice"]}})),
        Rule::RegisterDeviceControls,
        Severity::Error,
    );
    assert_fires(
        register_device(
            json!({"grantControls": {"operator": "AND", "termsOfUse": ["a1b2c3d4-0000-4000-8000-000000000000"]}}),
        ),
        Rule::RegisterDeviceControls,
        Severity::Error,
    );
    let mut session_only = register_device(
        json!({"sessionControls": {"signInFrequency": {"isEnabled": true, "type": "hours", "value": 1}}}),
    );
    // `null` in the patch removes the base policy's grant.
    session_only["grantControls"] = Value::Null;
    assert_fires(session_only, Rule::RegisterDeviceControls, Severity::Error);
    assert_clean(register_device(
        json!({"grantControls": {"builtInControls": [],
        "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}}),
    ));
    // The rule is specific to "register or join devices".
    let mut security_info =
        register_device(json!({"grantControls": {"builtInControls": ["compliantDevice"]}}));
    merge(
        &mut security_info,
        json!({"conditions": {"applications": {"includeUserActions": ["urn:user:registersecurityinfo"]}}}),
    );
    assert_clean(security_info);
}

#[test]
fn register_device_cannot_use_client_apps_device_filter_or_device_states() {
    for patch in [
        json!({"conditions": {"clientAppTypes": ["browser"]}}),
        json!({"conditions": {"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}}}),
        json!({"conditions": {"deviceStates": {"includeStates": ["All"], "excludeStates": ["Compliant"]}}}),
    ] {
        let findings = check(register_device(patch.clone()));
        assert!(
            fired(&findings, Rule::RegisterDeviceConditions, Severity::Error),
            "{patch}: {findings:#?}"
        );
    }
    assert_clean(register_device(
        json!({"conditions": {"clientAppTypes": ["all"], "devices": null,
        "deviceStates": {"includeStates": [], "excludeStates": []}}}),
    ));
}

#[test]
fn report_only_does_not_apply_to_user_actions() {
    assert_fires(
        register_device(json!({"state": "enabledForReportingButNotEnforced"})),
        Rule::ReportOnlyUserAction,
        Severity::Warning,
    );
    assert_clean(json!({"state": "enabledForReportingButNotEnforced"}));
}

#[test]
fn authentication_context_not_with_workload_identities() {
    let context = json!({"conditions": {"applications": {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c1"]}}});
    assert_clean(context.clone());
    let mut workload = context;
    merge(
        &mut workload,
        json!({"conditions": {"users": {"includeUsers": ["None"]},
        "clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"]}}}),
    );
    assert_fires(
        workload,
        Rule::AuthenticationContextWithWorkloadIdentities,
        Severity::Error,
    );
}

fn device_filter(mode: Value, rule: &str) -> Value {
    json!({"conditions": {"devices": {"deviceFilter": {"mode": mode, "rule": rule}}}})
}

#[test]
fn device_filter_length_grammar_and_mode() {
    assert_clean(device_filter(
        json!("exclude"),
        "device.isCompliant -eq True -and device.deviceOwnership -eq \"Company\"",
    ));
    let clause = "device.displayName -eq \"abcdefghijklmnopqrstuvwxyz\" -or ";
    let long = format!(
        "{}device.isCompliant -eq True",
        clause.repeat(3072 / clause.len() + 1)
    );
    let findings = assert_fires(
        device_filter(json!("include"), &long),
        Rule::InvalidFilter,
        Severity::Error,
    );
    assert!(
        findings[0].message.contains("at most 3072"),
        "{}",
        findings[0]
    );
    let findings = assert_fires(
        device_filter(json!("include"), "device.isCompliant -eq"),
        Rule::InvalidFilter,
        Severity::Error,
    );
    assert_eq!(findings[0].path, "conditions.devices.deviceFilter.rule");
    assert!(
        findings[0]
            .message
            .starts_with("invalid device filter rule: column "),
        "{}",
        findings[0]
    );
    assert_fires(
        device_filter(json!("include"), "device.deviceId -startsWith \"a\""),
        Rule::InvalidFilter,
        Severity::Error,
    );
    assert_fires(
        device_filter(Value::Null, "device.isCompliant -eq True"),
        Rule::InvalidFilter,
        Severity::Error,
    );
    assert_fires(
        device_filter(json!("exclude"), ""),
        Rule::InvalidFilter,
        Severity::Warning,
    );
}

#[test]
fn application_filter_needs_a_mode() {
    assert_fires(
        json!({"conditions": {"applications": {"applicationFilter": {"rule": "CustomSecurityAttribute.Sensitivity_Level -eq \"High\""}}}}),
        Rule::InvalidFilter,
        Severity::Error,
    );
    assert_clean(json!({"conditions": {"applications": {"applicationFilter":
        {"mode": "exclude", "rule": "CustomSecurityAttribute.Sensitivity_Level -eq \"High\""}}}}));
}

#[test]
fn device_filter_cannot_be_combined_with_device_states() {
    let mut value = device_filter(json!("exclude"), "device.isCompliant -eq True");
    merge(
        &mut value,
        json!({"conditions": {"deviceStates": {"includeStates": ["All"]}}}),
    );
    assert_fires(value, Rule::DeviceFilterWithDeviceStates, Severity::Error);
    let mut unused = device_filter(json!("exclude"), "device.isCompliant -eq True");
    merge(
        &mut unused,
        json!({"conditions": {"deviceStates": {"includeStates": [], "excludeStates": []}}}),
    );
    assert_clean(unused);
}

fn guests(value: Value) -> Value {
    json!({"conditions": {"users": {"includeUsers": [], "includeGuestsOrExternalUsers": value}}})
}

#[test]
fn external_tenants_rules() {
    assert_clean(guests(
        json!({"guestOrExternalUserTypes": "b2bCollaborationGuest",
        "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}}),
    ));
    assert_clean(guests(
        json!({"guestOrExternalUserTypes": "b2bCollaborationGuest",
        "externalTenants": {"membershipKind": "enumerated", "members": ["72f988bf-86f1-41af-91ab-2d7cd011db47"]}}),
    ));
    let findings = assert_fires(
        guests(
            json!({"guestOrExternalUserTypes": null, "externalTenants": {"membershipKind": "all"}}),
        ),
        Rule::ExternalTenants,
        Severity::Error,
    );
    assert!(fired(&findings, Rule::GuestTypesRequired, Severity::Error));
    assert_fires(
        guests(
            json!({"guestOrExternalUserTypes": "internalGuest", "externalTenants": {"membershipKind": "enumerated"}}),
        ),
        Rule::ExternalTenants,
        Severity::Error,
    );
    assert_fires(
        guests(
            json!({"guestOrExternalUserTypes": "internalGuest", "externalTenants": {
            "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "enumerated", "members": ["t"]}}),
        ),
        Rule::ExternalTenants,
        Severity::Error,
    );
    assert_fires(
        guests(
            json!({"guestOrExternalUserTypes": "internalGuest", "externalTenants": {"membershipKind": "all", "members": ["t"]}}),
        ),
        Rule::ExternalTenants,
        Severity::Warning,
    );
    assert_fires(
        guests(json!({"guestOrExternalUserTypes": ""})),
        Rule::GuestTypesRequired,
        Severity::Error,
    );
}

#[test]
fn macos_and_linux_with_app_grants() {
    let app_grant = |platforms: Value, grant: Value| json!({"conditions": {"platforms": {"includePlatforms": platforms}}, "grantControls": grant});
    let only = json!({"operator": "OR", "builtInControls": ["compliantApplication"]});
    assert_fires(
        app_grant(json!(["macOS"]), only.clone()),
        Rule::PlatformGrantIncompatible,
        Severity::Error,
    );
    assert_fires(
        app_grant(json!(["android", "linux"]), only.clone()),
        Rule::PlatformGrantIncompatible,
        Severity::Error,
    );
    assert_fires(
        app_grant(
            json!(["macOS"]),
            json!({"operator": "AND", "builtInControls": ["compliantApplication", "mfa"]}),
        ),
        Rule::PlatformGrantIncompatible,
        Severity::Error,
    );
    assert_clean(app_grant(
        json!(["macOS"]),
        json!({"operator": "OR", "builtInControls": ["compliantApplication", "mfa"]}),
    ));
    assert_clean(app_grant(json!(["android", "iOS"]), only.clone()));
    assert_clean(app_grant(json!(["all"]), only));
}

#[test]
fn references_are_checked_only_when_known() {
    let value = json!({
        "conditions": {
            "users": {"includeGroups": ["AAAAAAAA-0000-4000-8000-000000000001"], "excludeRoles": ["62e90394-69f5-4237-9190-012177145e10"]},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted", "185c993e-10a9-44fa-98d1-230c8f72f497"]},
            "applications": {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c1", "c9"]}
        },
        "grantControls": {"builtInControls": [], "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}
    });
    let policy = policy(value);
    assert!(validate(&policy, &ValidationContext::offline()).is_empty());
    let everything_known = ValidationContext {
        named_locations: ValidationContext::ids(["185c993e-10a9-44fa-98d1-230c8f72f497"]),
        groups: ValidationContext::ids(["aaaaaaaa-0000-4000-8000-000000000001"]),
        roles: ValidationContext::ids(["62E90394-69F5-4237-9190-012177145E10"]),
        authentication_strengths: ValidationContext::ids(["00000000-0000-0000-0000-000000000004"]),
        authentication_contexts: ValidationContext::ids(["c1", "c9"]),
    };
    assert!(validate(&policy, &everything_known).is_empty());
    let nothing_known = ValidationContext {
        named_locations: ValidationContext::ids(Vec::<&str>::new()),
        groups: ValidationContext::ids(Vec::<&str>::new()),
        roles: ValidationContext::ids(Vec::<&str>::new()),
        authentication_strengths: ValidationContext::ids(Vec::<&str>::new()),
        authentication_contexts: ValidationContext::ids(["c1"]),
    };
    let paths: Vec<String> = validate(&policy, &nothing_known)
        .into_iter()
        .inspect(|f| {
            assert_eq!(
                (f.rule, f.severity),
                (Rule::UnknownReference, Severity::Error)
            )
        })
        .map(|f| f.path)
        .collect();
    assert_eq!(
        paths,
        [
            "conditions.users.includeGroups[0]",
            "conditions.users.excludeRoles[0]",
            "conditions.locations.excludeLocations[1]",
            "conditions.applications.includeAuthenticationContextClassReferences[1]",
            "grantControls.authenticationStrength.id",
        ]
    );
}

#[test]
fn unknown_enum_values_are_warnings_with_a_hint() {
    let findings = assert_fires(
        json!({"conditions": {"clientAppTypes": ["Browser"], "userRiskLevels": ["extreme"],
            "insiderRiskLevels": "minor,severe"},
            "grantControls": {"builtInControls": ["mfa", "quantumProof"]}}),
        Rule::UnknownEnumValue,
        Severity::Warning,
    );
    assert!(!has_errors(&findings), "{findings:#?}");
    assert_eq!(findings.len(), 4, "{findings:#?}");
    assert_eq!(
        findings[0].to_string(),
        "conditions.clientAppTypes[0]: unknown conditionalAccessClientApp value 'Browser' (kept as written); did you mean 'browser'?"
    );
    assert_eq!(findings[2].path, "conditions.insiderRiskLevels");
    assert_eq!(findings[3].path, "grantControls.builtInControls[1]");
    assert_fires(
        json!({"state": "enabledLater"}),
        Rule::UnknownEnumValue,
        Severity::Warning,
    );
}

#[test]
fn unknown_methods_in_an_embedded_strength_are_warnings() {
    let findings = assert_fires(
        json!({"grantControls": {"builtInControls": [], "authenticationStrength": {
            "id": "b7c1f3a2-0000-4000-8000-000000000001", "policyType": "custom",
            "allowedCombinations": ["fido2", "password,retinaScan"]}}}),
        Rule::UnknownEnumValue,
        Severity::Warning,
    );
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        findings[0].path,
        "grantControls.authenticationStrength.allowedCombinations[1]"
    );
}

#[test]
fn deprecated_values_are_warnings() {
    assert_fires(
        json!({"conditions": {"clientAppTypes": ["easUnsupported"]}}),
        Rule::Deprecated,
        Severity::Warning,
    );
    assert_fires(
        json!({"grantControls": {"builtInControls": ["approvedApplication"]}}),
        Rule::Deprecated,
        Severity::Warning,
    );
}

#[test]
fn all_findings_are_reported_at_once() {
    let findings = check(
        json!({"displayName": "", "state": null, "grantControls": {"operator": "XOR",
        "builtInControls": ["mfa"], "authenticationStrength": {"id": "x"}}}),
    );
    let rules: Vec<Rule> = findings.iter().map(|f| f.rule).collect();
    for rule in [
        Rule::DisplayNameRequired,
        Rule::StateRequired,
        Rule::InvalidOperator,
        Rule::MfaWithAuthenticationStrength,
    ] {
        assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
    }
}

#[test]
fn rule_codes_are_stable_camel_case() {
    assert_eq!(
        Rule::MfaWithAuthenticationStrength.code(),
        "mfaWithAuthenticationStrength"
    );
    assert_eq!(Rule::EveryTimeScope.to_string(), "everyTimeScope");
}
