//! Template parameters: exclusions, roles, locations, state, and every kind of bad input.

use portcullis_policy::model::{BuiltInControl, DevicePlatform, PolicyState, RiskLevel};
use portcullis_policy::templates::{self, TemplateError, TemplateParameters};

const BREAK_GLASS_GROUP: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const ADMIN: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const BREAK_GLASS_USER: &str = "cccccccc-0000-4000-8000-000000000003";

fn params(pairs: &[&str]) -> TemplateParameters {
    TemplateParameters::parse(pairs).expect("well-formed pairs")
}

#[test]
fn exclusions_are_added_to_the_users_assignment() {
    let policy = templates::instantiate(
        "mfa-all-users",
        &params(&[
            &format!("breakGlassGroup={BREAK_GLASS_GROUP}"),
            &format!("excludeUsers={ADMIN},{BREAK_GLASS_USER}"),
            // Repeats add up and duplicates are dropped.
            &format!("excludeUsers={ADMIN}"),
        ]),
    )
    .expect("instantiates");
    let users = policy.conditions.and_then(|c| c.users).expect("users");
    assert_eq!(users.include_users, ["All"]);
    assert_eq!(users.exclude_groups, [BREAK_GLASS_GROUP]);
    assert_eq!(users.exclude_users, [ADMIN, BREAK_GLASS_USER]);
}

#[test]
fn exclusions_keep_what_the_template_already_excludes() {
    let policy = templates::instantiate(
        "compliant-device-all-users",
        &params(&["excludeRoles=62e90394-69f5-4237-9190-012177145e10"]),
    )
    .expect("instantiates");
    let users = policy.conditions.and_then(|c| c.users).expect("users");
    assert_eq!(
        users.exclude_roles,
        [
            "d29b2b05-8046-44ba-8758-1e26182fcf32",
            "62e90394-69f5-4237-9190-012177145e10"
        ]
    );
}

#[test]
fn admin_roles_can_be_narrowed() {
    let policy = templates::instantiate(
        "mfa-admins",
        &params(&["adminRoles=62e90394-69f5-4237-9190-012177145e10"]),
    )
    .expect("instantiates");
    let users = policy.conditions.and_then(|c| c.users).expect("users");
    assert_eq!(
        users.include_roles,
        ["62e90394-69f5-4237-9190-012177145e10"]
    );
}

#[test]
fn state_and_display_name_can_be_chosen() {
    let policy = templates::instantiate(
        "block-legacy-authentication",
        &params(&["state=enabled", "displayName=CA002 Block legacy"]),
    )
    .expect("instantiates");
    assert_eq!(policy.state, Some(PolicyState::Enabled));
    assert_eq!(policy.display_name, "CA002 Block legacy");
    let policy =
        templates::instantiate("mfa-guests", &params(&["state=reportOnly"])).expect("instantiates");
    assert_eq!(
        policy.state,
        Some(PolicyState::EnabledForReportingButNotEnforced)
    );
}

#[test]
fn template_specific_parameters_change_the_policy() {
    let policy = templates::instantiate(
        "mfa-all-users",
        &params(&[
            "skipTrustedLocations=true",
            "excludeApplications=Office365,0000000a-0000-0000-c000-000000000000",
        ]),
    )
    .expect("instantiates");
    let conditions = policy.conditions.expect("conditions");
    assert_eq!(
        conditions.locations.map(|l| l.exclude_locations),
        Some(vec!["AllTrusted".to_owned()])
    );
    assert_eq!(
        conditions.applications.map(|a| a.exclude_applications),
        Some(vec![
            "Office365".to_owned(),
            "0000000a-0000-0000-c000-000000000000".to_owned()
        ])
    );

    let policy = templates::instantiate(
        "securing-security-info-registration",
        &params(&["trustedLocationsOnly=true"]),
    )
    .expect("instantiates");
    assert_eq!(
        policy.grant_controls.map(|g| g.built_in_controls),
        Some(vec![BuiltInControl::Block])
    );

    let policy = templates::instantiate(
        "mfa-azure-management",
        &params(&["azureManagementAppId=11111111-2222-4333-8444-555555555555"]),
    )
    .expect("instantiates");
    assert_eq!(
        policy
            .conditions
            .and_then(|c| c.applications)
            .map(|a| a.include_applications),
        Some(vec!["11111111-2222-4333-8444-555555555555".to_owned()])
    );

    let policy = templates::instantiate(
        "block-unknown-platforms",
        &params(&["platformsInUse=windows,macOS,linux"]),
    )
    .expect("instantiates");
    assert_eq!(
        policy
            .conditions
            .and_then(|c| c.platforms)
            .map(|p| p.exclude_platforms),
        Some(vec![
            DevicePlatform::Windows,
            DevicePlatform::MacOs,
            DevicePlatform::Linux
        ])
    );

    let policy = templates::instantiate("mfa-risky-sign-ins", &params(&["signInRiskLevels=high"]))
        .expect("instantiates");
    assert_eq!(
        policy.conditions.map(|c| c.sign_in_risk_levels),
        Some(vec![RiskLevel::High])
    );

    let policy = templates::instantiate(
        "no-persistent-browser",
        &params(&["signInFrequencyHours=4"]),
    )
    .expect("instantiates");
    assert_eq!(
        policy
            .session_controls
            .and_then(|s| s.sign_in_frequency)
            .and_then(|f| f.period_seconds()),
        Some(4 * 3600)
    );

    let location = "185c993e-10a9-44fa-98d1-230c8f72f497";
    let policy = templates::instantiate(
        "block-by-location",
        &params(&[&format!("allowedLocations={location}")]),
    )
    .expect("instantiates");
    assert_eq!(
        policy
            .conditions
            .and_then(|c| c.locations)
            .map(|l| l.exclude_locations),
        Some(vec![location.to_owned()])
    );
}

#[test]
fn bad_parameters_are_refused_with_a_reason() {
    let error = |slug: &str, pairs: &[&str]| {
        templates::instantiate(slug, &params(pairs)).expect_err("refused")
    };
    assert!(matches!(
        error("mfa-admins", &["trustedLocationsOnly=true"]),
        TemplateError::UnknownParameter { name, accepted, .. }
            if name == "trustedLocationsOnly" && accepted.contains("adminRoles")
    ));
    assert!(matches!(
        error("mfa-admins", &["breakGlassGroup=Break Glass"]),
        TemplateError::InvalidValue { name, reason } if name == "breakGlassGroup" && reason.contains("not an object ID")
    ));
    assert!(matches!(
        error("mfa-admins", &[&format!("breakGlassGroup={BREAK_GLASS_GROUP}"), &format!("breakGlassGroup={BREAK_GLASS_GROUP}")]),
        TemplateError::Repeated(name) if name == "breakGlassGroup"
    ));
    assert!(matches!(
        error("mfa-all-users", &["skipTrustedLocations=maybe"]),
        TemplateError::InvalidValue { .. }
    ));
    assert!(matches!(
        error("mfa-all-users", &["state=on"]),
        TemplateError::InvalidValue { .. }
    ));
    assert!(matches!(
        error("mfa-all-users", &["excludeUsers=,"]),
        TemplateError::InvalidValue { .. }
    ));
    assert!(matches!(
        error("block-unknown-platforms", &["platformsInUse=all"]),
        TemplateError::InvalidValue { .. }
    ));
    assert!(matches!(
        error("mfa-risky-sign-ins", &["signInRiskLevels=none"]),
        TemplateError::InvalidValue { .. }
    ));
    assert!(matches!(
        error("no-persistent-browser", &["signInFrequencyHours=24"]),
        TemplateError::InvalidValue { .. }
    ));
    assert!(matches!(
        error("mfa-all-users", &["displayName="]),
        TemplateError::InvalidValue { .. }
    ));
    assert!(matches!(
        TemplateParameters::parse(["excludeUsers"]),
        Err(TemplateError::MalformedParameter(_))
    ));
    assert!(matches!(
        TemplateParameters::parse(["=x"]),
        Err(TemplateError::MalformedParameter(_))
    ));
    assert!(matches!(
        templates::instantiate("no-such-template", &TemplateParameters::new()),
        Err(TemplateError::UnknownTemplate(_))
    ));
}

#[test]
fn every_template_instantiates_in_every_state() {
    // Parameters are checked before the policy is built, so no accepted combination can
    // produce an instance that breaks a documented constraint; the post-build validation
    // in `instantiate` is the safety net for that promise.
    for template in templates::all() {
        for state in ["enabled", "disabled", "enabledForReportingButNotEnforced"] {
            let result = template.instantiate(&params(&[&format!("state={state}")]));
            assert!(result.is_ok(), "{} {state}: {result:?}", template.slug);
        }
    }
}
