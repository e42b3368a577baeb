//! Method names and combinations: parsing, printing, errors, validation, serde.

use portcullis_policy::strength::{
    AuthenticationMethodMode as Mode, Combination, MethodClass, StrengthError,
    validate_allowed_combinations,
};
use proptest::prelude::*;

#[test]
fn every_known_mode_round_trips_its_graph_name() {
    let names = [
        "password",
        "voice",
        "hardwareOath",
        "softwareOath",
        "sms",
        "fido2",
        "windowsHelloForBusiness",
        "microsoftAuthenticatorPush",
        "deviceBasedPush",
        "temporaryAccessPassOneTime",
        "temporaryAccessPassMultiUse",
        "email",
        "x509CertificateSingleFactor",
        "x509CertificateMultiFactor",
        "federatedSingleFactor",
        "federatedMultiFactor",
        "qrCodePin",
    ];
    let known: Vec<String> = Mode::known().map(|mode| mode.to_string()).collect();
    assert_eq!(known, names);
    for name in names {
        let mode: Mode = name.parse().expect("known");
        assert!(!matches!(mode, Mode::Other(_)), "{name}");
        assert_eq!(mode.to_string(), name);
    }
}

#[test]
fn unknown_modes_are_kept_verbatim() {
    let mode: Mode = "someFutureMethod".parse().expect("parses");
    assert_eq!(mode, Mode::Other("someFutureMethod".into()));
    assert_eq!(mode.to_string(), "someFutureMethod");
    let combination = Combination::parse("password,someFutureMethod").expect("parses");
    assert_eq!(combination.to_string(), "password,someFutureMethod");
}

#[test]
fn mode_names_ignore_case_and_spaces() {
    // Microsoft's own sample writes "x509CertificateMultifactor".
    assert_eq!(
        "x509CertificateMultifactor".parse::<Mode>(),
        Ok(Mode::X509CertificateMultiFactor)
    );
    assert_eq!(" SMS ".parse::<Mode>(), Ok(Mode::Sms));
}

#[test]
fn combinations_are_order_insensitive_sets() {
    let a = Combination::parse("password,sms").expect("parses");
    let b = Combination::parse("sms, password").expect("parses");
    assert_eq!(a, b);
    assert_eq!(b.to_string(), "password,sms");
    assert_eq!(
        Combination::parse("federatedSingleFactor, microsoftAuthenticatorPush")
            .expect("parses")
            .to_string(),
        "microsoftAuthenticatorPush,federatedSingleFactor"
    );
    let c: Combination = "fido2".parse().expect("parses");
    assert_eq!(c.len(), 1);
    assert!(c.contains(&Mode::Fido2));
    assert!(!c.is_empty());
}

#[test]
fn bad_combinations_say_what_is_wrong() {
    assert_eq!(
        Combination::parse("").expect_err("empty").to_string(),
        r#"combination "" has an empty method name; write methods as "password,sms""#
    );
    assert_eq!(
        Combination::parse("password,")
            .expect_err("trailing comma")
            .to_string(),
        r#"combination "password," has an empty method name; write methods as "password,sms""#
    );
    assert_eq!(
        Combination::parse("password,Password")
            .expect_err("twice")
            .to_string(),
        r#"combination "password,Password" names password more than once"#
    );
    assert_eq!(
        Combination::parse("password sms")
            .expect_err("space")
            .to_string(),
        r#"authentication method name "password sms" is empty or contains spaces or commas"#
    );
}

#[test]
fn combination_classes() {
    let class = |text: &str| Combination::parse(text).expect("parses").class();
    assert_eq!(class("fido2"), MethodClass::PhishingResistant);
    assert_eq!(
        class("windowsHelloForBusiness"),
        MethodClass::PhishingResistant
    );
    assert_eq!(
        class("password,x509CertificateMultiFactor"),
        MethodClass::PhishingResistant
    );
    assert_eq!(class("deviceBasedPush"), MethodClass::Passwordless);
    assert_eq!(
        class("temporaryAccessPassOneTime"),
        MethodClass::Multifactor
    );
    assert_eq!(class("password,sms"), MethodClass::Multifactor);
    assert_eq!(class("password"), MethodClass::SingleFactor);
    assert_eq!(class("email"), MethodClass::SingleFactor);
    assert!(MethodClass::PhishingResistant < MethodClass::Passwordless);
    assert!(MethodClass::Passwordless < MethodClass::Multifactor);
    assert!(MethodClass::Multifactor < MethodClass::SingleFactor);
}

#[test]
fn custom_strength_lists_are_validated() {
    let parse = |texts: &[&str]| -> Vec<Combination> {
        texts
            .iter()
            .map(|t| Combination::parse(t).expect("parses"))
            .collect()
    };
    assert_eq!(
        validate_allowed_combinations(&parse(&["fido2", "password,sms"])),
        Ok(())
    );
    assert_eq!(
        validate_allowed_combinations(&[]),
        Err(StrengthError::NoCombinations)
    );
    assert_eq!(
        validate_allowed_combinations(&parse(&["fido2", "password,email"]))
            .expect_err("email")
            .to_string(),
        "combination password,email uses email, and email one-time passcodes cannot be used in an authentication strength"
    );
    assert_eq!(
        validate_allowed_combinations(&parse(&["password,sms", "sms,password"]))
            .expect_err("duplicate")
            .to_string(),
        "combination password,sms is listed more than once"
    );
}

#[test]
fn serde_uses_graph_strings() {
    let combinations: Vec<Combination> =
        serde_json::from_str(r#"["password, sms", "fido2"]"#).expect("deserializes");
    assert_eq!(
        serde_json::to_string(&combinations).expect("serializes"),
        r#"["password,sms","fido2"]"#
    );
    assert!(serde_json::from_str::<Combination>(r#""password,,sms""#).is_err());
    let mode: Mode = serde_json::from_str(r#""deviceBasedPush""#).expect("deserializes");
    assert_eq!(mode, Mode::DeviceBasedPush);
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        4 => prop::sample::select(Mode::known().collect::<Vec<_>>()),
        1 => "[a-zA-Z][a-zA-Z0-9]{0,12}".prop_map(|name| name.parse::<Mode>().expect("a plain name parses")),
    ]
}

proptest! {
    #[test]
    fn combination_text_round_trips(modes in proptest::collection::btree_set(mode(), 1..5)) {
        let text = modes.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        let combination = Combination::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(combination.len(), modes.len());
        prop_assert_eq!(Combination::parse(&combination.to_string()), Ok(combination));
    }

    #[test]
    fn combination_parse_never_panics(text in "\\PC{0,60}") {
        let _ = Combination::parse(&text);
    }
}
