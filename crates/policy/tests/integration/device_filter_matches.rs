//! Evaluating device filter rules: every operator on null and non-null properties, case
//! insensitivity, collections, and the Graph `deviceInfo` shape.

use portcullis_policy::device_filter::{DeviceProperties, parse};

fn matches(rule: &str, device: &DeviceProperties) -> bool {
    parse(rule)
        .unwrap_or_else(|error| panic!("{rule:?}: {error}"))
        .matches(device)
}

fn unregistered() -> DeviceProperties {
    DeviceProperties::default()
}

fn surface() -> DeviceProperties {
    DeviceProperties {
        device_id: Some("AAAAAAAA-0000-1111-2222-BBBBBBBBBBBB".into()),
        display_name: Some("DESKTOP-Contoso-42".into()),
        device_ownership: Some("Company".into()),
        enrollment_profile_name: Some("AutoPilot Profile Sales".into()),
        is_compliant: Some(true),
        manufacturer: Some("Microsoft Corporation".into()),
        model: Some("Surface Laptop 5".into()),
        operating_system: Some("Windows".into()),
        operating_system_version: Some("10.0.22631".into()),
        mdm_app_id: Some("0000000a-0000-0000-c000-000000000000".into()),
        physical_ids: Some(vec!["[ZTDId]:abc123".into(), "[OrderId]:Sales".into()]),
        profile_type: Some("RegisteredDevice".into()),
        system_labels: Some(vec!["M365Managed".into()]),
        trust_type: Some("AzureAD".into()),
        extension_attribute1: Some("SAW".into()),
        extension_attribute15: Some("last".into()),
        ..DeviceProperties::default()
    }
}

/// (rule, matches the Surface above, matches an unregistered device)
const STRING_OPERATOR_CASES: &[(&str, bool, bool)] = &[
    (r#"device.model -eq "Surface Laptop 5""#, true, false),
    (r#"device.model -eq "Surface""#, false, false),
    (r#"device.model -ne "Surface Laptop 5""#, false, true),
    (r#"device.model -ne "Surface""#, true, true),
    (r#"device.model -startsWith "Surface""#, true, false),
    (r#"device.model -startsWith "Laptop""#, false, false),
    (r#"device.model -notStartsWith "Surface""#, false, true),
    (r#"device.model -notStartsWith "Laptop""#, true, true),
    (r#"device.model -endsWith "Laptop 5""#, true, false),
    (r#"device.model -endsWith "Surface""#, false, false),
    (r#"device.model -notEndsWith "Laptop 5""#, false, true),
    (r#"device.model -notEndsWith "Surface""#, true, true),
    (r#"device.model -contains "Laptop""#, true, false),
    (r#"device.model -contains "Book""#, false, false),
    (r#"device.model -notContains "Laptop""#, false, true),
    (r#"device.model -notContains "Book""#, true, true),
    (
        r#"device.model -in ["Surface Pro", "Surface Laptop 5"]"#,
        true,
        false,
    ),
    (r#"device.model -in ["Surface Pro"]"#, false, false),
    (
        r#"device.model -notIn ["Surface Pro", "Surface Laptop 5"]"#,
        false,
        true,
    ),
    (r#"device.model -notIn ["Surface Pro"]"#, true, true),
];

#[test]
fn string_operators_on_present_and_null_properties() {
    for &(rule, on_surface, on_unregistered) in STRING_OPERATOR_CASES {
        assert_eq!(matches(rule, &surface()), on_surface, "{rule} on a Surface");
        assert_eq!(
            matches(rule, &unregistered()),
            on_unregistered,
            "{rule} on an unregistered device"
        );
    }
}

#[test]
fn string_operators_ignore_case() {
    let device = surface();
    for rule in [
        r#"device.model -eq "surface laptop 5""#,
        r#"device.model -startsWith "SURFACE""#,
        r#"device.model -endsWith "LAPTOP 5""#,
        r#"device.model -contains "lApToP""#,
        r#"device.model -in ["SURFACE LAPTOP 5"]"#,
        r#"device.trustType -eq "azuread""#,
        r#"device.deviceId -eq "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb""#,
        r#"device.systemLabels -contains "m365managed""#,
    ] {
        assert!(matches(rule, &device), "{rule}");
    }
}

#[test]
fn boolean_property_with_null() {
    let compliant = surface();
    let non_compliant = DeviceProperties {
        is_compliant: Some(false),
        ..surface()
    };
    let cases = [
        ("device.isCompliant -eq True", true, false, false),
        ("device.isCompliant -eq False", false, true, false),
        ("device.isCompliant -ne True", false, true, true),
        ("device.isCompliant -ne False", true, false, true),
    ];
    for (rule, on_compliant, on_non_compliant, on_unregistered) in cases {
        assert_eq!(matches(rule, &compliant), on_compliant, "{rule}");
        assert_eq!(matches(rule, &non_compliant), on_non_compliant, "{rule}");
        assert_eq!(matches(rule, &unregistered()), on_unregistered, "{rule}");
    }
}

#[test]
fn collections_test_whole_elements() {
    let device = surface();
    // Whole-element equality, not substring: "[ZTDId]" alone is not an element.
    assert!(matches(
        r#"device.physicalIds -contains "[ZTDId]:abc123""#,
        &device
    ));
    assert!(!matches(
        r#"device.physicalIds -contains "[ZTDId]""#,
        &device
    ));
    assert!(matches(
        r#"device.physicalIds -notContains "[ZTDId]""#,
        &device
    ));
    assert!(!matches(r#"device.systemLabels -contains "M365""#, &device));
    // Null and empty collections: positive never matches, negative always does.
    let empty = DeviceProperties {
        system_labels: Some(Vec::new()),
        ..DeviceProperties::default()
    };
    for device in [unregistered(), empty] {
        assert!(!matches(
            r#"device.systemLabels -contains "M365Managed""#,
            &device
        ));
        assert!(matches(
            r#"device.systemLabels -notContains "M365Managed""#,
            &device
        ));
    }
}

#[test]
fn every_property_reads_its_own_field() {
    let device = surface();
    let cases = [
        r#"device.deviceId -eq "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb""#,
        r#"device.displayName -startsWith "DESKTOP-""#,
        r#"device.deviceOwnership -eq "Company""#,
        r#"device.enrollmentProfileName -endsWith "Sales""#,
        r#"device.manufacturer -contains "Microsoft""#,
        r#"device.operatingSystem -eq "Windows""#,
        r#"device.operatingSystemVersion -startsWith "10.0""#,
        r#"device.mdmAppId -in ["0000000a-0000-0000-c000-000000000000"]"#,
        r#"device.profileType -eq "RegisteredDevice""#,
        r#"device.trustType -eq "AzureAD""#,
        r#"device.extensionAttribute1 -eq "SAW""#,
        r#"device.extensionAttribute15 -eq "last""#,
    ];
    for rule in cases {
        assert!(matches(rule, &device), "{rule}");
        assert!(!matches(rule, &unregistered()), "{rule}");
    }
    // A property the device lacks does not borrow another field's value.
    assert!(!matches(r#"device.extensionAttribute2 -eq "SAW""#, &device));
    assert!(matches(r#"device.extensionAttribute2 -ne "SAW""#, &device));
}

#[test]
fn microsoft_examples_behave_as_documented() {
    let hybrid_compliant = DeviceProperties {
        trust_type: Some("ServerAD".into()),
        is_compliant: Some(true),
        ..DeviceProperties::default()
    };
    let rule = r#"device.trustType -ne "ServerAD" -or device.isCompliant -ne True"#;
    assert!(!matches(rule, &hybrid_compliant));
    assert!(matches(rule, &surface()));
    assert!(matches(rule, &unregistered()));

    let rule = r#"device.isCompliant -eq True -and device.trustType -eq "ServerAD""#;
    assert!(matches(rule, &hybrid_compliant));
    assert!(!matches(rule, &surface()));
    assert!(!matches(rule, &unregistered()));

    // "exclude devices that aren't marked as SAW devices": unregistered devices match the
    // negative operator, so they are excluded too.
    let rule = r#"device.extensionAttribute1 -ne "SAW""#;
    assert!(!matches(rule, &surface()));
    assert!(matches(rule, &unregistered()));
}

#[test]
fn fixture_rules_behave_as_the_baseline_intends() {
    // CA202/CA206 exclude managed devices: company-owned or compliant.
    let rule = r#"device.deviceOwnership -eq "Company" -or device.isCompliant -eq True"#;
    let personal_compliant = DeviceProperties {
        device_ownership: Some("Personal".into()),
        is_compliant: Some(true),
        ..DeviceProperties::default()
    };
    let personal_unmanaged = DeviceProperties {
        device_ownership: Some("Personal".into()),
        is_compliant: Some(false),
        ..DeviceProperties::default()
    };
    assert!(matches(rule, &surface()));
    assert!(matches(rule, &personal_compliant));
    assert!(!matches(rule, &personal_unmanaged));
    assert!(!matches(rule, &unregistered()));

    // CA005/CA006 exclude devices that are both.
    let rule = r#"device.isCompliant -eq True -and device.deviceOwnership -eq "Company""#;
    assert!(matches(rule, &surface()));
    assert!(!matches(rule, &personal_compliant));
    assert!(!matches(rule, &unregistered()));
}

#[test]
fn not_negates_including_on_null() {
    assert!(matches(r#"-not (device.model -eq "x")"#, &unregistered()));
    assert!(!matches(r#"-not (device.model -ne "x")"#, &unregistered()));
    assert!(matches(
        r#"-not -not (device.model -ne "x")"#,
        &unregistered()
    ));
}

#[test]
fn deserializes_the_graph_device_info_shape() {
    let json = r##"{
        "@odata.type": "#microsoft.graph.deviceInfo",
        "deviceId": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb",
        "displayName": "kiosk-1",
        "ownership": "Company",
        "isCompliant": false,
        "operatingSystem": "Windows",
        "physicalIds": ["[ZTDId]:abc"],
        "systemLabels": [],
        "trustType": "ServerAD",
        "extensionAttribute7": "Kiosk",
        "profileType": null,
        "someFutureField": 1
    }"##;
    let device: DeviceProperties = serde_json::from_str(json).expect("deserializes");
    assert_eq!(device.device_ownership.as_deref(), Some("Company"));
    assert_eq!(device.is_compliant, Some(false));
    assert_eq!(device.physical_ids, Some(vec!["[ZTDId]:abc".to_owned()]));
    assert_eq!(device.system_labels, Some(vec![]));
    assert_eq!(device.profile_type, None);
    assert_eq!(device.extension_attribute7.as_deref(), Some("Kiosk"));
    assert!(matches(
        r#"device.deviceOwnership -eq "Company" -and device.extensionAttribute7 -eq "kiosk""#,
        &device
    ));

    // The filter's own name is accepted too, and serialization uses Graph's `ownership`.
    let device: DeviceProperties =
        serde_json::from_str(r#"{"deviceOwnership": "Personal"}"#).expect("deserializes");
    assert_eq!(device.device_ownership.as_deref(), Some("Personal"));
    let written = serde_json::to_value(&device).expect("serializes");
    assert_eq!(written, serde_json::json!({"ownership": "Personal"}));

    let empty: DeviceProperties = serde_json::from_str("{}").expect("deserializes");
    assert_eq!(empty, DeviceProperties::default());
}
