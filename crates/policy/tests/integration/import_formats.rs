//! Import accepts every encoding and shape Entra exports produce, keeps what an admin
//! wrote, drops OData annotations, and reports errors with positions.

use portcullis_policy::import::{
    Document, DocumentKind, ImportError, TextEncoding, decode, export_json, import_all,
    import_authentication_strengths, import_documents, import_named_locations, import_policies,
};
use portcullis_policy::model::{
    BuiltInControl, ClientAppType, ConditionalAccessPolicy, ExternalTenantsMembershipKind, FlagSet,
    GrantOperator, GuestOrExternalUserType, InsiderRiskLevel, NamedLocationKind, OpenEnum,
    PolicyState, RiskLevel, TransferMethod,
};

const MINIMAL: &str = r#"{
  "displayName": "Require MFA",
  "state": "enabled",
  "conditions": {
    "users": { "includeUsers": ["All"] },
    "applications": { "includeApplications": ["All"] },
    "clientAppTypes": ["all"]
  },
  "grantControls": { "operator": "OR", "builtInControls": ["mfa"] }
}"#;

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn utf16be(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFE, 0xFF] } else { Vec::new() };
    out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    out
}

fn only(bytes: &[u8]) -> ConditionalAccessPolicy {
    let mut policies = import_policies(bytes).expect("imports");
    assert_eq!(policies.len(), 1);
    policies.remove(0)
}

#[test]
fn every_encoding_gives_the_same_policy() {
    let reference = only(MINIMAL.as_bytes());
    assert_eq!(reference.display_name, "Require MFA");
    let crlf = MINIMAL.replace('\n', "\r\n");
    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend_from_slice(crlf.as_bytes());
    let cases: Vec<(Vec<u8>, TextEncoding)> = vec![
        (crlf.as_bytes().to_vec(), TextEncoding::Utf8),
        (utf8_bom, TextEncoding::Utf8Bom),
        (utf16le(&crlf, true), TextEncoding::Utf16Le),
        (utf16be(&crlf, true), TextEncoding::Utf16Be),
        (utf16le(&crlf, false), TextEncoding::Utf16Le),
        (utf16be(&crlf, false), TextEncoding::Utf16Be),
    ];
    for (bytes, encoding) in cases {
        assert_eq!(decode(&bytes).expect("decodes").1, encoding);
        assert_eq!(only(&bytes), reference, "{encoding:?}");
    }
}

#[test]
fn non_ascii_text_survives_utf16() {
    let text = MINIMAL.replace("Require MFA", "Exigir autenticación 多要素 🔐");
    let policy = only(&utf16le(&text, false));
    assert_eq!(policy.display_name, "Exigir autenticación 多要素 🔐");
}

#[test]
fn single_object_array_and_collection_are_accepted() {
    let array = format!("[{MINIMAL}, {MINIMAL}]");
    assert_eq!(import_policies(array.as_bytes()).expect("array").len(), 2);
    let collection = format!(
        r#"{{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies",
            "@odata.nextLink": "https://example.invalid/next",
            "value": [{MINIMAL}, {MINIMAL}, {MINIMAL}]}}"#
    );
    assert_eq!(
        import_policies(collection.as_bytes())
            .expect("collection")
            .len(),
        3
    );
    assert_eq!(import_policies(b"[]").expect("empty array").len(), 0);
}

#[test]
fn syntax_errors_name_line_and_column() {
    let broken = "{\n  \"displayName\": \"x\",\n  \"state\" \"enabled\"\n}";
    let error = import_policies(broken.as_bytes()).expect_err("invalid JSON");
    let ImportError::Json { line, column, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!((*line, *column), (3, 11));
    assert!(
        error
            .to_string()
            .starts_with("line 3, column 11: expected `:`"),
        "{error}"
    );
    assert!(!error.to_string().contains(" at line "), "{error}");
}

#[test]
fn type_errors_name_line_and_column_even_in_utf16() {
    let wrong = "{\r\n  \"displayName\": \"x\",\r\n  \"conditions\": {\"clientAppTypes\": 5}\r\n}";
    let error = import_policies(&utf16le(wrong, true)).expect_err("wrong type");
    let message = error.to_string();
    assert!(message.starts_with("line 3, column "), "{message}");
    assert!(
        message.contains("invalid type: integer `5`, expected a sequence"),
        "{message}"
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let text = "{\"displayName\": \"ééé\" , \"state\": 7}";
    let error = import_policies(text.as_bytes()).expect_err("state must be a string");
    let ImportError::Json { line, column, .. } = error else {
        panic!("unexpected error kind")
    };
    // serde_json reports the `7` at byte 37; it is character 34 (each `é` is two bytes).
    assert_eq!((line, column), (1, 34));
}

#[test]
fn encoding_errors_are_reported() {
    let odd = [0xFF, 0xFE, b'{', 0x00, b'}'];
    assert!(matches!(
        decode(&odd),
        Err(ImportError::Encoding {
            encoding: "UTF-16LE",
            ..
        })
    ));
    let lone_surrogate = [0xFF, 0xFE, b'{', 0, 0x00, 0xD8, b'}', 0];
    let error = decode(&lone_surrogate).expect_err("unpaired surrogate");
    assert_eq!(
        error.to_string(),
        "not valid UTF-16LE: unpaired surrogate 0xD800 at code unit 1"
    );
    let bad_utf8 = [b'{', 0xC3, 0x28, b'}'];
    assert_eq!(
        decode(&bad_utf8).expect_err("invalid UTF-8").to_string(),
        "not valid UTF-8: invalid byte sequence at byte offset 1"
    );
}

#[test]
fn empty_input_and_wrong_shapes_are_rejected() {
    assert_eq!(import_policies(b"").expect_err("empty"), ImportError::Empty);
    assert_eq!(
        import_policies(b" \r\n ").expect_err("blank"),
        ImportError::Empty
    );
    assert_eq!(
        import_policies(&[0xFF, 0xFE]).expect_err("only a BOM"),
        ImportError::Empty
    );
    let error = import_policies(b"\"a policy\"").expect_err("string");
    assert_eq!(
        error.to_string(),
        "expected an object, an array of objects or a {\"value\": [...]} collection, found a string"
    );
}

#[test]
fn annotations_are_dropped_and_unknown_properties_kept() {
    let text = r##"{
      "@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
      "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
      "displayName": "x",
      "state@odata.type": "#microsoft.graph.conditionalAccessPolicyState",
      "state": "disabled",
      "partialEnablementStrategy": null,
      "betaThing": {"@odata.type": "#microsoft.graph.thing", "@odata.id": "gone", "a@odata.type": "#Int32", "a": 1},
      "#microsoft.graph.restore": {"title": "microsoft.graph.restore"},
      "conditions": {
        "@odata.type": "#microsoft.graph.conditionalAccessConditionSet",
        "times": null,
        "applications": {"includeApplications@odata.type": "#Collection(String)", "includeApplications": ["All"]}
      }
    }"##;
    let policy = only(text.as_bytes());
    let keys: Vec<&str> = policy.extra.0.keys().map(String::as_str).collect();
    assert_eq!(keys, ["partialEnablementStrategy", "betaThing"]);
    // Inside a kept unknown object only the `@odata.type` discriminator survives.
    assert_eq!(
        policy.extra.get("betaThing"),
        Some(&serde_json::json!({"@odata.type": "#microsoft.graph.thing", "a": 1}))
    );
    let conditions = policy.conditions.as_ref().expect("conditions");
    assert_eq!(conditions.extra.0.keys().collect::<Vec<_>>(), ["times"]);
    let exported = export_json(&policy).expect("serializes");
    assert!(
        exported.contains("\"partialEnablementStrategy\": null"),
        "{exported}"
    );
    assert!(!exported.contains("@odata.context") && !exported.contains("#microsoft.graph.restore"));
    assert_eq!(only(exported.as_bytes()), policy);
}

#[test]
fn unknown_enum_values_are_kept_verbatim() {
    let text = MINIMAL
        .replace("\"enabled\"", "\"enabledForSomethingNew\"")
        .replace("[\"mfa\"]", "[\"mfa\", \"quantumProof\"]")
        .replace("[\"all\"]", "[\"all\", \"Browser\"]");
    let policy = only(text.as_bytes());
    let state = policy.state.clone().expect("state");
    assert!(!state.is_known());
    assert_eq!(state.as_str(), "enabledForSomethingNew");
    let grant = policy.grant_controls.as_ref().expect("grant");
    assert_eq!(grant.built_in_controls[0], BuiltInControl::Mfa);
    assert_eq!(grant.built_in_controls[1].as_str(), "quantumProof");
    // Enum matching is exact: "Browser" is not "browser".
    let client_apps = &policy
        .conditions
        .as_ref()
        .expect("conditions")
        .client_app_types;
    assert_eq!(client_apps[0], ClientAppType::All);
    assert!(!client_apps[1].is_known());
    let exported = export_json(&policy).expect("serializes");
    for kept in ["enabledForSomethingNew", "quantumProof", "\"Browser\""] {
        assert!(exported.contains(kept), "{kept} missing from {exported}");
    }
    assert_eq!(only(exported.as_bytes()), policy);
}

#[test]
fn flags_strings_parse_into_sets_and_serialize_back() {
    let text = r##"{"displayName": "x", "state": "enabled", "conditions": {
        "insiderRiskLevels": "elevated, minor",
        "authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"},
        "users": {"includeGuestsOrExternalUsers": {
            "guestOrExternalUserTypes": "b2bCollaborationGuest,internalGuest,someNewKind",
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                                "membershipKind": "enumerated", "members": ["t1", "t2"]}}}}}"##;
    let policy = only(text.as_bytes());
    let conditions = policy.conditions.as_ref().expect("conditions");
    assert_eq!(
        conditions.insider_risk_levels,
        [InsiderRiskLevel::Minor, InsiderRiskLevel::Elevated]
            .into_iter()
            .collect::<FlagSet<_>>()
    );
    assert_eq!(conditions.insider_risk_levels.to_wire(), "minor,elevated");
    let methods = conditions.transfer_methods().expect("configured");
    assert!(methods.contains(&TransferMethod::DeviceCodeFlow));
    assert!(methods.contains(&TransferMethod::AuthenticationTransfer));
    let guests = conditions
        .users
        .as_ref()
        .and_then(|users| users.include_guests_or_external_users.as_ref())
        .expect("guests");
    assert_eq!(
        guests.guest_or_external_user_types.to_wire(),
        "internalGuest,b2bCollaborationGuest,someNewKind"
    );
    assert!(
        guests
            .guest_or_external_user_types
            .contains(&GuestOrExternalUserType::InternalGuest)
    );
    let tenants = guests.external_tenants.as_ref().expect("tenants");
    assert_eq!(
        tenants.membership_kind,
        Some(ExternalTenantsMembershipKind::Enumerated)
    );
    assert!(tenants.covers("T2") && !tenants.covers("t3"));
    let exported = export_json(&policy).expect("serializes");
    assert!(
        exported.contains("conditionalAccessEnumeratedExternalTenants"),
        "{exported}"
    );
    assert_eq!(only(exported.as_bytes()), policy);
}

#[test]
fn null_empty_and_absent_collections_are_equal() {
    let absent = only(br#"{"displayName": "x", "conditions": {"users": {}}}"#);
    let null = only(
        br#"{"displayName": "x", "conditions": {"users": {"includeUsers": null, "excludeGroups": null},
            "signInRiskLevels": null, "insiderRiskLevels": null, "clientAppTypes": null}}"#,
    );
    let empty = only(
        br#"{"displayName": "x", "conditions": {"users": {"includeUsers": [], "excludeGroups": []},
            "signInRiskLevels": [], "insiderRiskLevels": "", "clientAppTypes": []}}"#,
    );
    assert_eq!(absent, null);
    assert_eq!(absent, empty);
    let conditions = absent.conditions.as_ref().expect("conditions");
    assert!(!conditions.users.as_ref().expect("users").is_configured());
    assert!(!conditions.client_app_types_configured());
    assert!(!conditions.any_risk_configured());
}

#[test]
fn model_helpers_read_the_policy() {
    let policy = only(MINIMAL.as_bytes());
    assert!(policy.is_enabled() && policy.is_evaluated() && !policy.is_report_only());
    assert_eq!(policy.state, Some(PolicyState::Enabled));
    let conditions = policy.conditions.as_ref().expect("conditions");
    assert!(
        conditions
            .users
            .as_ref()
            .expect("users")
            .includes_all_users()
    );
    assert!(
        conditions
            .applications
            .as_ref()
            .expect("apps")
            .includes_all()
    );
    let grant = policy.configured_grant_controls().expect("grant");
    assert_eq!(grant.operator, Some(GrantOperator::Or));
    assert!(grant.has(&BuiltInControl::Mfa) && !grant.blocks());
    assert!(policy.configured_session_controls().is_none());
    let risky = only(br#"{"displayName": "x", "conditions": {"userRiskLevels": ["high"]}}"#);
    let risky_conditions = risky.conditions.as_ref().expect("conditions");
    assert_eq!(risky_conditions.user_risk_levels, [RiskLevel::High]);
    assert!(risky_conditions.any_risk_configured());
}

#[test]
fn named_locations_of_every_kind_import() {
    let text = r##"{"value": [
      {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "ip1", "displayName": "Office",
       "isTrusted": true, "ipRanges": [
         {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"},
         {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48"},
         {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "not-a-cidr"}]},
      {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "c1", "displayName": "EU",
       "countriesAndRegions": ["NL", "BE"], "includeUnknownCountriesAndRegions": true,
       "countryLookupMethod": "authenticatorAppGps"},
      {"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation", "id": "n1",
       "displayName": "GSA", "compliantNetworkType": "allTenantCompliantNetworks", "isTrusted": true},
      {"id": "ip2", "displayName": "No discriminator", "ipRanges": [{"cidrAddress": "198.51.100.7/32"}]}
    ]}"##;
    let locations = import_named_locations(text.as_bytes()).expect("imports");
    assert_eq!(locations.len(), 4);
    let NamedLocationKind::Ip(ip) = &locations[0].kind else {
        panic!("ip location")
    };
    assert!(ip.is_trusted && locations[0].is_trusted());
    assert_eq!(
        ip.ip_ranges[0].network(),
        Some("203.0.113.0/24".parse().expect("cidr"))
    );
    assert_eq!(
        ip.ip_ranges[1].network(),
        Some("2001:db8::/48".parse().expect("cidr"))
    );
    assert_eq!(ip.ip_ranges[2].network(), None);
    let NamedLocationKind::Country(country) = &locations[1].kind else {
        panic!("country")
    };
    assert_eq!(country.countries_and_regions, ["NL", "BE"]);
    assert!(country.include_unknown_countries_and_regions);
    assert_eq!(country.lookup_method().as_str(), "authenticatorAppGps");
    assert!(
        matches!(&locations[2].kind, NamedLocationKind::Other { odata_type: Some(t) }
        if t == "#microsoft.graph.compliantNetworkNamedLocation")
    );
    assert!(
        locations[2].is_trusted(),
        "an unknown kind's own isTrusted is honoured"
    );
    assert_eq!(
        locations[2].extra.get("compliantNetworkType"),
        Some(&serde_json::json!("allTenantCompliantNetworks"))
    );
    assert!(matches!(locations[3].kind, NamedLocationKind::Ip(_)));
    let exported = export_json(&locations).expect("serializes");
    assert_eq!(
        import_named_locations(exported.as_bytes()).expect("re-imports"),
        locations
    );
}

#[test]
fn authentication_strengths_import_with_combination_configurations() {
    let text = r##"[{
      "id": "b7c1f3a2-0000-4000-8000-000000000001", "displayName": "Keys from one vendor",
      "policyType": "custom", "requirementsSatisfied": "mfa",
      "allowedCombinations": ["fido2", "password,sms", "sms,password"],
      "combinationConfigurations": [{
        "@odata.type": "#microsoft.graph.fido2CombinationConfiguration", "id": "cfg1",
        "appliesToCombinations": ["fido2"],
        "allowedAAGUIDs": ["cb69481e-8ff7-4039-93ec-0a2729a154a8"]}]
    }]"##;
    let strengths = import_authentication_strengths(text.as_bytes()).expect("imports");
    let strength = &strengths[0];
    assert_eq!(strength.allowed_combinations.len(), 3);
    assert_eq!(
        strength.allowed_combinations[1],
        strength.allowed_combinations[2]
    );
    assert_eq!(strength.allowed_combinations[1].to_string(), "password,sms");
    let configuration = &strength.combination_configurations[0];
    assert_eq!(
        configuration.allowed_aaguids,
        ["cb69481e-8ff7-4039-93ec-0a2729a154a8"]
    );
    assert_eq!(
        configuration.kind(),
        portcullis_policy::model::CombinationConfigurationKind::Fido2
    );
    let exported = export_json(&strengths).expect("serializes");
    assert!(exported.contains("allowedAAGUIDs"), "{exported}");
    assert_eq!(
        import_authentication_strengths(exported.as_bytes()).expect("re-imports"),
        strengths
    );
}

#[test]
fn import_all_is_generic() {
    let values: Vec<serde_json::Value> = import_all(b"[1, 2]").expect("any deserializable type");
    assert_eq!(values.len(), 2);
}

#[test]
fn reference_only_strength_is_recognised() {
    let text = MINIMAL.replace(
        "\"builtInControls\": [\"mfa\"]",
        "\"authenticationStrength\": {\"id\": \"00000000-0000-0000-0000-000000000004\"}",
    );
    let policy = only(text.as_bytes());
    let strength = policy
        .grant_controls
        .as_ref()
        .and_then(|grant| grant.authentication_strength.as_ref())
        .expect("strength");
    assert!(strength.is_reference_only());
    assert_eq!(
        strength.id.as_deref(),
        Some("00000000-0000-0000-0000-000000000004")
    );
    assert!(
        export_json(&policy)
            .expect("serializes")
            .contains("\"authenticationStrength\": {\n")
    );
}

#[test]
fn operator_other_than_and_or_is_kept() {
    let policy = only(MINIMAL.replace("\"OR\"", "\"XOR\"").as_bytes());
    let operator = policy
        .grant_controls
        .as_ref()
        .and_then(|g| g.operator.clone())
        .expect("op");
    assert!(!operator.is_known());
    assert_eq!(operator.as_str(), "XOR");
}

#[test]
fn deeply_nested_input_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let error = import_policies(deep.as_bytes()).expect_err("too deep");
    assert!(
        error.to_string().contains("recursion limit exceeded"),
        "{error}"
    );
    let nested_extra = format!(
        "{{\"displayName\": \"x\", \"betaThing\": {}1{}}}",
        "{\"a\":".repeat(50_000),
        "}".repeat(50_000)
    );
    let error = import_policies(nested_extra.as_bytes()).expect_err("too deep");
    assert!(
        error.to_string().contains("recursion limit exceeded"),
        "{error}"
    );
}

#[test]
fn documents_of_any_kind_are_told_apart() {
    let mixed = format!(
        r##"{{"value": [
            {MINIMAL},
            {{"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "EU", "countriesAndRegions": ["NL"]}},
            {{"displayName": "Keys", "allowedCombinations": ["fido2"]}},
            {{"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation", "displayName": "GSA"}}
        ]}}"##
    );
    let kinds: Vec<DocumentKind> = import_documents(mixed.as_bytes())
        .expect("imports")
        .iter()
        .map(Document::kind)
        .collect();
    assert_eq!(
        kinds,
        [
            DocumentKind::Policy,
            DocumentKind::NamedLocation,
            DocumentKind::AuthenticationStrength,
            DocumentKind::NamedLocation
        ]
    );
    assert_eq!(import_documents(b"[]").expect("empty"), []);
}

#[test]
fn document_errors_keep_positions_or_name_the_item() {
    // One kind: positions as for a typed import.
    let error =
        import_documents(b"[{\"displayName\": \"x\",\n \"state\": 7}]").expect_err("bad state");
    assert!(error.to_string().starts_with("line 2, column "), "{error}");
    // Mixed kinds: the item is named.
    let mixed = br#"[{"displayName": "x", "state": "enabled"}, {"ipRanges": 5}]"#;
    let error = import_documents(mixed).expect_err("bad ranges");
    assert!(
        error
            .to_string()
            .starts_with("item 2: invalid type: integer `5`"),
        "{error}"
    );
    let unknown = import_documents(br#"[{"state": "enabled"}, {"displayName": "what am I"}]"#)
        .expect_err("unknown");
    assert_eq!(
        unknown.to_string(),
        "item 2: cannot tell whether this is a policy, a named location or an authentication strength"
    );
}
