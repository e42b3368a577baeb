//! Every built-in template: its identity, its instance with default parameters (report-only,
//! `templateId`, valid), and the configuration §9's table gives it.

use std::collections::HashSet;

use portcullis_policy::import::{export_json, import_policies};
use portcullis_policy::model::{
    BuiltInControl, ClientAppType, ConditionalAccessPolicy, DevicePlatform, FilterMode,
    GrantOperator, GuestOrExternalUserType, InsiderRiskLevel, PersistentBrowserMode, PolicyState,
    RiskLevel, SignInFrequencyInterval, UserAction,
};
use portcullis_policy::templates::{
    self, ADMIN_ROLES, DIRECTORY_SYNCHRONIZATION_ACCOUNTS_ROLE_ID, TemplateParameters,
    TemplateScenario,
};
use portcullis_policy::validate::{Rule, ValidationContext, validate};

fn instance(slug: &str) -> ConditionalAccessPolicy {
    templates::instantiate(slug, &TemplateParameters::new())
        .unwrap_or_else(|e| panic!("{slug}: {e}"))
}

fn strength_id(policy: &ConditionalAccessPolicy) -> Option<String> {
    policy
        .grant_controls
        .as_ref()?
        .authentication_strength
        .as_ref()?
        .id
        .clone()
}

fn controls(policy: &ConditionalAccessPolicy) -> Vec<BuiltInControl> {
    policy
        .grant_controls
        .as_ref()
        .map(|g| g.built_in_controls.clone())
        .unwrap_or_default()
}

#[test]
fn the_catalog_has_every_row_of_the_table_with_unique_ids_and_slugs() {
    let all = templates::all();
    assert_eq!(all.len(), 19, "17 table rows + 2 other common policies");
    let ids: HashSet<_> = all.iter().map(|t| t.id).collect();
    let slugs: HashSet<_> = all.iter().map(|t| t.slug).collect();
    assert_eq!(ids.len(), all.len());
    assert_eq!(slugs.len(), all.len());
    for template in &all {
        assert!(
            uuid::Uuid::try_parse(template.id).is_ok(),
            "{}",
            template.id
        );
        assert!(!template.description.is_empty());
    }
}

#[test]
fn microsoft_template_ids_are_the_published_ones() {
    let expected = [
        ("mfa-admins", "c7503427-338e-4c5e-902d-abe252abfb43"),
        (
            "securing-security-info-registration",
            "b8bda7f8-6584-4446-bce9-d871480e53fa",
        ),
        (
            "block-legacy-authentication",
            "0b2282f9-2862-4178-88b5-d79340b36cb8",
        ),
        ("mfa-all-users", "a3d0a415-b068-4326-9251-f9cdf9feeb64"),
    ];
    for (slug, id) in expected {
        let template = templates::find(slug).expect(slug);
        assert_eq!(template.id, id);
        assert!(template.microsoft_id);
        // Findable by ID and by display name too.
        assert_eq!(templates::find(id).map(|t| t.slug), Some(slug));
        assert_eq!(
            templates::find(&template.name.to_uppercase()).map(|t| t.slug),
            Some(slug)
        );
    }
    let microsoft = templates::all().iter().filter(|t| t.microsoft_id).count();
    assert_eq!(microsoft, 4);
}

#[test]
fn every_template_instantiates_in_report_only_with_its_template_id_and_validates() {
    for template in templates::all() {
        let policy = template
            .instantiate(&TemplateParameters::new())
            .unwrap_or_else(|e| panic!("{}: {e}", template.slug));
        assert_eq!(
            policy.state,
            Some(PolicyState::EnabledForReportingButNotEnforced),
            "{}",
            template.slug
        );
        assert_eq!(policy.template_id.as_deref(), Some(template.id));
        assert_eq!(policy.display_name, template.name);
        let findings = validate(&policy, &ValidationContext::offline());
        let errors: Vec<_> = findings.iter().filter(|f| f.is_error()).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", template.slug);
        // The only warning: report-only does not apply to user actions (documented).
        for finding in &findings {
            assert_eq!(
                finding.rule,
                Rule::ReportOnlyUserAction,
                "{}",
                template.slug
            );
            assert!(template.slug.contains("registration"), "{}", template.slug);
        }
        // And the instance survives export → import unchanged.
        let json = export_json(&policy).expect("exports");
        let back = import_policies(json.as_bytes()).expect("imports");
        assert_eq!(back, vec![policy], "{}", template.slug);
    }
}

#[test]
fn every_listing_has_details_and_scenarios_as_a_flags_string() {
    for template in templates::all() {
        let listing = template.listing().expect("default details");
        let json = serde_json::to_value(&listing).expect("serializes");
        assert_eq!(json["id"], template.id);
        assert!(json["details"]["conditions"].is_object());
        if !template.scenarios.is_empty() {
            assert!(json["scenarios"].is_string(), "{json}");
        }
    }
    let mfa_admins = templates::find("mfa-admins").expect("exists");
    assert_eq!(
        serde_json::to_value(mfa_admins.listing().expect("lists")).expect("json")["scenarios"],
        "secureFoundation,zeroTrust,protectAdmins"
    );
    assert!(
        mfa_admins
            .scenarios
            .contains(&TemplateScenario::ProtectAdmins)
    );
}

#[test]
fn admin_templates_target_the_fifteen_admin_roles_by_default() {
    let roles: Vec<String> = ADMIN_ROLES
        .iter()
        .map(|r| r.template_id.to_owned())
        .collect();
    assert_eq!(roles.len(), 15);
    assert_eq!(roles[0], "62e90394-69f5-4237-9190-012177145e10");
    for slug in [
        "mfa-admins",
        "phishing-resistant-mfa-admins",
        "mfa-admin-portals",
        "compliant-or-hybrid-device-admins",
    ] {
        let policy = instance(slug);
        let users = policy.conditions.as_ref().and_then(|c| c.users.as_ref());
        assert_eq!(users.map(|u| u.include_roles.clone()), Some(roles.clone()));
        assert!(users.is_some_and(|u| u.include_users.is_empty()));
    }
}

#[test]
fn grant_controls_match_the_table() {
    assert_eq!(controls(&instance("mfa-admins")), [BuiltInControl::Mfa]);
    assert_eq!(
        strength_id(&instance("phishing-resistant-mfa-admins")).as_deref(),
        Some("00000000-0000-0000-0000-000000000004")
    );
    let portals = instance("mfa-admin-portals");
    assert_eq!(
        strength_id(&portals).as_deref(),
        Some("00000000-0000-0000-0000-000000000002")
    );
    assert_eq!(
        portals
            .conditions
            .as_ref()
            .and_then(|c| c.applications.as_ref())
            .map(|a| a.include_applications.clone()),
        Some(vec!["MicrosoftAdminPortals".to_owned()])
    );
    assert_eq!(
        controls(&instance("compliant-or-hybrid-device-admins")),
        [
            BuiltInControl::CompliantDevice,
            BuiltInControl::DomainJoinedDevice
        ]
    );
    assert_eq!(
        strength_id(&instance("mfa-all-users")).as_deref(),
        Some("00000000-0000-0000-0000-000000000002")
    );
    assert_eq!(controls(&instance("mfa-guests")), [BuiltInControl::Mfa]);
    assert_eq!(
        controls(&instance("compliant-hybrid-or-mfa-all-users")),
        [
            BuiltInControl::Mfa,
            BuiltInControl::CompliantDevice,
            BuiltInControl::DomainJoinedDevice
        ]
    );
    assert_eq!(
        controls(&instance("compliant-device-all-users")),
        [BuiltInControl::CompliantDevice]
    );
    let password = instance("password-change-high-risk-users");
    assert_eq!(
        controls(&password),
        [BuiltInControl::Mfa, BuiltInControl::PasswordChange]
    );
    assert_eq!(
        password
            .grant_controls
            .as_ref()
            .and_then(|g| g.operator.clone()),
        Some(GrantOperator::And)
    );
    for slug in [
        "block-legacy-authentication",
        "block-unknown-platforms",
        "block-insider-risk",
        "block-by-location",
    ] {
        assert_eq!(controls(&instance(slug)), [BuiltInControl::Block], "{slug}");
    }
}

#[test]
fn conditions_match_the_table() {
    let legacy = instance("block-legacy-authentication");
    assert_eq!(
        legacy
            .conditions
            .as_ref()
            .map(|c| c.client_app_types.clone()),
        Some(vec![
            ClientAppType::ExchangeActiveSync,
            ClientAppType::OtherClients
        ])
    );

    let guests = instance("mfa-guests");
    let types = guests
        .conditions
        .as_ref()
        .and_then(|c| c.users.as_ref())
        .and_then(|u| u.include_guests_or_external_users.as_ref())
        .map(|g| g.guest_or_external_user_types.len());
    assert_eq!(types, Some(6));

    let azure = instance("mfa-azure-management");
    assert_eq!(
        azure
            .conditions
            .as_ref()
            .and_then(|c| c.applications.as_ref())
            .map(|a| a.include_applications.clone()),
        Some(vec!["797f4846-ba00-4fd7-ba43-dac1f8f63013".to_owned()])
    );

    let registration = instance("securing-security-info-registration");
    let conditions = registration.conditions.as_ref().expect("conditions");
    assert_eq!(
        conditions
            .applications
            .as_ref()
            .map(|a| a.include_user_actions.clone()),
        Some(vec![UserAction::RegisterSecurityInfo])
    );
    let locations = conditions.locations.as_ref().expect("locations");
    assert_eq!(locations.include_locations, ["All"]);
    assert_eq!(locations.exclude_locations, ["AllTrusted"]);
    assert!(
        conditions
            .users
            .as_ref()
            .and_then(|u| u.exclude_guests_or_external_users.as_ref())
            .is_some()
    );

    for slug in [
        "compliant-hybrid-or-mfa-all-users",
        "compliant-device-all-users",
    ] {
        let policy = instance(slug);
        let users = policy.conditions.as_ref().and_then(|c| c.users.as_ref());
        assert_eq!(
            users.map(|u| u.exclude_roles.clone()),
            Some(vec![DIRECTORY_SYNCHRONIZATION_ACCOUNTS_ROLE_ID.to_owned()])
        );
    }

    let platforms = instance("block-unknown-platforms");
    let platforms = platforms
        .conditions
        .as_ref()
        .and_then(|c| c.platforms.clone())
        .expect("platforms");
    assert_eq!(platforms.include_platforms, [DevicePlatform::All]);
    assert_eq!(
        platforms.exclude_platforms,
        [
            DevicePlatform::Android,
            DevicePlatform::IOs,
            DevicePlatform::Windows,
            DevicePlatform::MacOs
        ]
    );

    let browser = instance("no-persistent-browser");
    let filter = browser
        .conditions
        .as_ref()
        .and_then(|c| c.device_filter())
        .expect("device filter");
    assert_eq!(filter.mode, Some(FilterMode::Include));
    assert_eq!(
        filter.rule,
        r#"device.trustType -ne "ServerAD" -or device.isCompliant -ne True"#
    );
    let session = browser.session_controls.as_ref().expect("session");
    assert_eq!(
        session
            .persistent_browser
            .as_ref()
            .and_then(|p| p.mode.clone()),
        Some(PersistentBrowserMode::Never)
    );
    assert_eq!(
        session
            .sign_in_frequency
            .as_ref()
            .and_then(|f| f.period_seconds()),
        Some(3600)
    );
    assert!(browser.grant_controls.is_none());

    let restrictions = instance("app-enforced-restrictions");
    let conditions = restrictions.conditions.as_ref().expect("conditions");
    assert_eq!(
        conditions.device_filter().and_then(|f| f.mode.clone()),
        Some(FilterMode::Exclude)
    );
    assert!(
        restrictions
            .session_controls
            .as_ref()
            .and_then(|s| s.application_enforced_restrictions.as_ref())
            .is_some_and(|c| c.is_enabled)
    );

    let risky = instance("mfa-risky-sign-ins");
    assert_eq!(
        risky
            .conditions
            .as_ref()
            .map(|c| c.sign_in_risk_levels.clone()),
        Some(vec![RiskLevel::High, RiskLevel::Medium])
    );
    for slug in ["mfa-risky-sign-ins", "password-change-high-risk-users"] {
        let frequency = instance(slug)
            .session_controls
            .and_then(|s| s.sign_in_frequency)
            .and_then(|f| f.frequency_interval);
        assert_eq!(
            frequency,
            Some(SignInFrequencyInterval::EveryTime),
            "{slug}"
        );
    }

    let insider = instance("block-insider-risk");
    let conditions = insider.conditions.as_ref().expect("conditions");
    assert!(
        conditions
            .insider_risk_levels
            .contains(&InsiderRiskLevel::Elevated)
    );
    let excluded = conditions
        .users
        .as_ref()
        .and_then(|u| u.exclude_guests_or_external_users.as_ref())
        .expect("excluded guests");
    assert_eq!(excluded.guest_or_external_user_types.len(), 3);
    assert!(
        excluded
            .guest_or_external_user_types
            .contains(&GuestOrExternalUserType::ServiceProvider)
    );
}

#[test]
fn every_instance_compiles_for_the_evaluator_without_warnings() {
    let set = portcullis_policy::evaluate::PolicySet {
        policies: templates::all()
            .iter()
            .map(|t| t.instantiate(&TemplateParameters::new()).expect("instance"))
            .collect(),
        ..Default::default()
    };
    let compiled = set.compile();
    assert_eq!(compiled.len(), 19);
    let warnings: Vec<String> = compiled
        .warnings()
        .iter()
        .map(|w| format!("{}: {}", w.subject, w.message))
        .collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
}
