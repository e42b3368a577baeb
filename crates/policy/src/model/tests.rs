//! Unit tests for the model's building blocks and helpers.

use super::*;
use crate::strength::AuthenticationMethodMode;
use serde_json::json;

fn known_round_trip<T: OpenEnum + PartialEq>() {
    let mut seen = std::collections::HashSet::new();
    for wire in T::KNOWN {
        assert!(seen.insert(*wire), "{} lists '{wire}' twice", T::GRAPH_TYPE);
        let value = T::from_wire(wire);
        assert!(value.is_known(), "{wire}");
        assert_eq!(value.as_str(), *wire);
    }
}

#[test]
fn every_known_member_round_trips_and_is_unique() {
    known_round_trip::<PolicyState>();
    known_round_trip::<ClientAppType>();
    known_round_trip::<DevicePlatform>();
    known_round_trip::<RiskLevel>();
    known_round_trip::<InsiderRiskLevel>();
    known_round_trip::<FilterMode>();
    known_round_trip::<TransferMethod>();
    known_round_trip::<GuestOrExternalUserType>();
    known_round_trip::<ExternalTenantsMembershipKind>();
    known_round_trip::<UserAction>();
    known_round_trip::<BuiltInControl>();
    known_round_trip::<GrantOperator>();
    known_round_trip::<CloudAppSecurityType>();
    known_round_trip::<SignInFrequencyType>();
    known_round_trip::<SignInFrequencyAuthenticationType>();
    known_round_trip::<SignInFrequencyInterval>();
    known_round_trip::<PersistentBrowserMode>();
    known_round_trip::<ContinuousAccessEvaluationMode>();
    known_round_trip::<CountryLookupMethod>();
    known_round_trip::<AuthenticationStrengthPolicyType>();
    known_round_trip::<AuthenticationStrengthRequirement>();
    known_round_trip::<AuthenticationMethodMode>();
}

#[test]
fn unknown_members_keep_their_exact_text_and_sort_last() {
    let unknown = RiskLevel::from_wire("Severe ");
    assert!(!unknown.is_known());
    assert_eq!(unknown.to_string(), "Severe ");
    assert!(RiskLevel::UnknownFutureValue < unknown);
    assert_eq!(
        serde_json::to_value(&unknown).expect("serializes"),
        json!("Severe ")
    );
    let parsed: RiskLevel = serde_json::from_value(json!("high")).expect("deserializes");
    assert_eq!(parsed, RiskLevel::High);
    let not_a_string = serde_json::from_value::<RiskLevel>(json!(3)).expect_err("number");
    assert!(
        not_a_string.to_string().contains("a riskLevel string"),
        "{not_a_string}"
    );
}

#[test]
fn flag_sets_tolerate_spaces_duplicates_and_empty_pieces() {
    let set = FlagSet::<TransferMethod>::parse(
        " authenticationTransfer ,, deviceCodeFlow,deviceCodeFlow,",
    );
    assert_eq!(set.len(), 2);
    assert_eq!(set.to_wire(), "deviceCodeFlow,authenticationTransfer");
    assert!(FlagSet::<TransferMethod>::parse("").is_empty());
    assert!(FlagSet::<TransferMethod>::parse(" , ").is_empty());
    assert_eq!(
        serde_json::to_value(FlagSet::<TransferMethod>::new()).expect("serializes"),
        json!(null)
    );
    assert_eq!(
        serde_json::to_value(&set).expect("serializes"),
        json!("deviceCodeFlow,authenticationTransfer")
    );
    let small: FlagSet<TransferMethod> = [TransferMethod::DeviceCodeFlow].into_iter().collect();
    assert!(small.is_subset(&set) && !set.is_subset(&small));
}

#[test]
fn client_app_types_configured_only_without_all() {
    let mut conditions = ConditionSet::default();
    assert!(!conditions.client_app_types_configured());
    conditions.client_app_types = vec![ClientAppType::All];
    assert!(!conditions.client_app_types_configured());
    conditions.client_app_types = vec![
        ClientAppType::ExchangeActiveSync,
        ClientAppType::OtherClients,
    ];
    assert!(conditions.client_app_types_configured());
}

#[test]
fn device_filter_with_empty_rule_is_not_configured() {
    let mut conditions: ConditionSet = serde_json::from_value(
        json!({"devices": {"deviceFilter": {"mode": "include", "rule": "  "}}}),
    )
    .expect("deserializes");
    assert!(conditions.device_filter().is_none());
    if let Some(filter) = conditions
        .devices
        .as_mut()
        .and_then(|d| d.device_filter.as_mut())
    {
        filter.rule = "device.isCompliant -eq True".to_owned();
    }
    assert!(conditions.device_filter().is_some());
}

#[test]
fn application_includes_and_exclusions() {
    let applications: Applications = serde_json::from_value(json!({
        "includeApplications": ["None"],
        "applicationFilter": {"mode": "exclude", "rule": "CustomSecurityAttribute.x -eq \"y\""}
    }))
    .expect("deserializes");
    assert!(!applications.has_includes());
    assert!(applications.has_exclusions());
    assert!(!applications.includes_all());
}

#[test]
fn external_tenants_of_unknown_kind_cover_nobody() {
    let tenants: ExternalTenants =
        serde_json::from_value(json!({"membershipKind": "partnersOnly", "members": ["t1"]}))
            .expect("deserializes");
    assert!(!tenants.covers("t1"));
}

#[test]
fn sign_in_frequency_period() {
    let mut frequency = SignInFrequencySessionControl {
        is_enabled: true,
        frequency_type: Some(SignInFrequencyType::Days),
        value: Some(7),
        ..SignInFrequencySessionControl::default()
    };
    assert_eq!(frequency.period_seconds(), Some(7 * 86_400));
    frequency.frequency_type = Some(SignInFrequencyType::Hours);
    assert_eq!(frequency.period_seconds(), Some(7 * 3_600));
    frequency.value = Some(0);
    assert_eq!(frequency.period_seconds(), None);
    frequency.value = Some(i32::MAX);
    assert_eq!(
        frequency.period_seconds(),
        Some(i64::from(i32::MAX) * 3_600)
    );
}

#[test]
fn session_controls_count_beta_controls_in_extra() {
    let mut session = SessionControls::default();
    assert!(!session.is_configured());
    session
        .extra
        .0
        .insert("globalSecureAccessFilteringProfile".to_owned(), json!(null));
    assert!(!session.is_configured());
    session.extra.0.insert(
        "globalSecureAccessFilteringProfile".to_owned(),
        json!({"isEnabled": true}),
    );
    assert!(session.is_configured());
    let disabled_resilience = SessionControls {
        disable_resilience_defaults: Some(false),
        ..SessionControls::default()
    };
    assert!(!disabled_resilience.is_configured());
}

#[test]
fn annotation_keys() {
    for key in [
        "@odata.context",
        "@microsoft.graph.tips",
        "state@odata.type",
        "#microsoft.graph.restore",
    ] {
        assert!(is_odata_annotation(key), "{key}");
    }
    for key in ["state", "odata", "includeUsers"] {
        assert!(!is_odata_annotation(key), "{key}");
    }
}

#[test]
fn ip_range_new_picks_the_family() {
    assert_eq!(
        IpRange::new("203.0.113.0/24").odata_type.as_deref(),
        Some(IpRange::IPV4_ODATA_TYPE)
    );
    assert_eq!(
        IpRange::new("2001:db8::/32").odata_type.as_deref(),
        Some(IpRange::IPV6_ODATA_TYPE)
    );
    let invalid = IpRange::new("nope");
    assert!(invalid.odata_type.is_none() && invalid.network().is_none());
}
