//! FIDO2 AAGUID and certificate restrictions, and planning which method to prompt next.

use portcullis_policy::strength::{
    AuthenticationMethodMode as Mode, AuthenticationStrength, Combination,
    CombinationConfiguration, MethodClass, MethodCredential, MethodDetail, RequirementsSatisfied,
    StrengthPolicyType, multifactor_authentication, passwordless_mfa, phishing_resistant_mfa,
    satisfies,
};
use uuid::Uuid;

const YUBIKEY_5: Uuid = Uuid::from_u128(0xcb69481e_8ff7_4039_93ec_0a2729a154a8);
const OTHER_KEY: Uuid = Uuid::from_u128(0x08987058_cadc_4b81_b6e1_30de50dcbe96);

fn combinations(texts: &[&str]) -> Vec<Combination> {
    texts
        .iter()
        .map(|text| Combination::parse(text).expect("parses"))
        .collect()
}

fn creds(modes: &[Mode]) -> Vec<MethodCredential> {
    modes.iter().cloned().map(MethodCredential::new).collect()
}

fn custom(
    allowed: &[&str],
    configurations: Vec<CombinationConfiguration>,
) -> AuthenticationStrength {
    AuthenticationStrength {
        id: "6a1f6b1e-0000-4000-8000-000000000001".into(),
        display_name: "Custom".into(),
        description: String::new(),
        policy_type: StrengthPolicyType::Custom,
        requirements_satisfied: RequirementsSatisfied::Mfa,
        allowed_combinations: combinations(allowed),
        combination_configurations: configurations,
    }
}

fn yubikeys_only() -> AuthenticationStrength {
    custom(
        &["fido2", "password,softwareOath"],
        vec![CombinationConfiguration::Fido2 {
            applies_to_combinations: combinations(&["fido2"]),
            allowed_aaguids: vec![YUBIKEY_5],
        }],
    )
}

#[test]
fn aaguid_allow_list_is_honoured() {
    let strength = yubikeys_only();
    assert!(strength.is_satisfied_by(&[MethodCredential::fido2(YUBIKEY_5)]));
    assert!(!strength.is_satisfied_by(&[MethodCredential::fido2(OTHER_KEY)]));
    // No AAGUID reported: a restriction never passes on missing evidence.
    assert!(!strength.is_satisfied_by(&creds(&[Mode::Fido2])));
    // One acceptable key among several used is enough.
    assert!(strength.is_satisfied_by(&[
        MethodCredential::fido2(OTHER_KEY),
        MethodCredential::fido2(YUBIKEY_5)
    ]));
    // The restriction applies to the fido2 combination only.
    assert!(strength.is_satisfied_by(&creds(&[Mode::Password, Mode::SoftwareOath])));
    // An empty allow-list restricts nothing.
    let open = custom(
        &["fido2"],
        vec![CombinationConfiguration::Fido2 {
            applies_to_combinations: combinations(&["fido2"]),
            allowed_aaguids: vec![],
        }],
    );
    assert!(open.is_satisfied_by(&[MethodCredential::fido2(OTHER_KEY)]));
    // The free function gives the same answers.
    assert!(!satisfies(
        &strength.allowed_combinations,
        &strength.combination_configurations,
        &[MethodCredential::fido2(OTHER_KEY)]
    ));
}

#[test]
fn certificate_restrictions_need_issuer_and_policy() {
    let strength = custom(
        &["x509CertificateMultiFactor"],
        vec![CombinationConfiguration::X509Certificate {
            applies_to_combinations: combinations(&["x509CertificateMultiFactor"]),
            allowed_issuer_skis: vec!["9A4248C6AC3FE11FB5D8C2E7F1B2D6D0C6A7B8C9".into()],
            allowed_policy_oids: vec!["1.2.3.4".into()],
        }],
    );
    let cert = |ski: &str, oids: &[&str]| {
        MethodCredential::x509_certificate(
            Mode::X509CertificateMultiFactor,
            Some(ski.into()),
            oids.iter().map(|oid| (*oid).to_owned()).collect(),
        )
    };
    let good_ski = "9a4248c6ac3fe11fb5d8c2e7f1b2d6d0c6a7b8c9";
    assert!(strength.is_satisfied_by(&[cert(good_ski, &["1.2.3.4"])]));
    assert!(
        !strength.is_satisfied_by(&[cert("00", &["1.2.3.4"])]),
        "wrong issuer"
    );
    assert!(
        !strength.is_satisfied_by(&[cert(good_ski, &["9.9"])]),
        "wrong policy"
    );
    // Only the first five OIDs in lexical order count.
    let many = ["1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.2.3.4"];
    assert!(!strength.is_satisfied_by(&[cert(good_ski, &many)]));
    let first_five = ["1.2.3.4", "1.9", "2.1", "2.2", "2.3", "2.4"];
    assert!(strength.is_satisfied_by(&[cert(good_ski, &first_five)]));
    // Without certificate detail the restriction fails.
    assert!(!strength.is_satisfied_by(&creds(&[Mode::X509CertificateMultiFactor])));
    assert_eq!(MethodCredential::new(Mode::Sms).detail, MethodDetail::None);
}

#[test]
fn plan_prefers_phishing_resistant_then_passwordless_then_other_mfa() {
    let registered = creds(&[
        Mode::Password,
        Mode::Sms,
        Mode::SoftwareOath,
        Mode::DeviceBasedPush,
        Mode::Fido2,
    ]);
    let plan = multifactor_authentication().plan(&registered, &[]);
    let order: Vec<String> = plan
        .options
        .iter()
        .map(|option| option.combination.to_string())
        .collect();
    assert_eq!(
        order,
        [
            "fido2",
            "deviceBasedPush",
            "password,softwareOath",
            "password,sms"
        ]
    );
    assert_eq!(plan.options[0].class, MethodClass::PhishingResistant);
    assert_eq!(plan.options[1].class, MethodClass::Passwordless);
    assert_eq!(plan.options[2].class, MethodClass::Multifactor);
    assert_eq!(plan.next_prompt(), Some(&Mode::Fido2));
    assert!(!plan.is_satisfied());
    assert!(!plan.is_impossible());
    // Password combinations ask for the password first.
    assert_eq!(plan.options[3].remaining, [Mode::Password, Mode::Sms]);
}

#[test]
fn plan_after_a_password_offers_second_factors() {
    let registered = creds(&[Mode::Password, Mode::Sms, Mode::MicrosoftAuthenticatorPush]);
    let used = creds(&[Mode::Password]);
    let plan = multifactor_authentication().plan(&registered, &used);
    let order: Vec<(String, Vec<Mode>)> = plan
        .options
        .iter()
        .map(|option| (option.combination.to_string(), option.remaining.clone()))
        .collect();
    assert_eq!(
        order,
        [
            (
                "password,microsoftAuthenticatorPush".to_owned(),
                vec![Mode::MicrosoftAuthenticatorPush]
            ),
            ("password,sms".to_owned(), vec![Mode::Sms]),
        ]
    );
    assert_eq!(plan.next_prompt(), Some(&Mode::MicrosoftAuthenticatorPush));

    // After the second factor the plan is satisfied and prompts nothing.
    let done = creds(&[Mode::Password, Mode::Sms]);
    let plan = multifactor_authentication().plan(&registered, &done);
    assert!(plan.is_satisfied());
    assert_eq!(plan.next_prompt(), None);
}

#[test]
fn plan_with_only_single_factor_registrations_is_impossible_for_passwordless() {
    let registered = creds(&[Mode::Password, Mode::Sms, Mode::Email]);
    let plan = passwordless_mfa().plan(&registered, &creds(&[Mode::Password]));
    assert!(plan.is_impossible());
    assert_eq!(plan.next_prompt(), None);
    // Email is never offered, even in a custom strength that names it.
    let strength = custom(&["password,email"], vec![]);
    assert!(strength.plan(&registered, &[]).is_impossible());
    assert!(!strength.is_satisfied_by(&creds(&[Mode::Password, Mode::Email])));
}

#[test]
fn plan_honours_aaguid_restrictions_on_registered_keys() {
    let strength = yubikeys_only();
    let plan = strength.plan(&[MethodCredential::fido2(OTHER_KEY)], &[]);
    assert!(plan.is_impossible());
    let plan = strength.plan(&[MethodCredential::fido2(YUBIKEY_5)], &[]);
    assert_eq!(plan.next_prompt(), Some(&Mode::Fido2));
}

#[test]
fn windows_hello_is_only_offered_as_the_first_method() {
    let registered = creds(&[Mode::Password, Mode::WindowsHelloForBusiness, Mode::Fido2]);
    let fresh = phishing_resistant_mfa().plan(&registered, &[]);
    assert_eq!(
        fresh
            .options
            .iter()
            .map(|o| o.combination.to_string())
            .collect::<Vec<_>>(),
        ["fido2", "windowsHelloForBusiness"]
    );
    let after_password = phishing_resistant_mfa().plan(&registered, &creds(&[Mode::Password]));
    assert_eq!(
        after_password
            .options
            .iter()
            .map(|o| o.combination.to_string())
            .collect::<Vec<_>>(),
        ["fido2"]
    );
}

#[test]
fn temporary_access_pass_ranks_first_among_other_mfa() {
    let registered = creds(&[
        Mode::Password,
        Mode::Voice,
        Mode::TemporaryAccessPassOneTime,
    ]);
    let plan = multifactor_authentication().plan(&registered, &[]);
    assert_eq!(plan.next_prompt(), Some(&Mode::TemporaryAccessPassOneTime));
    // TAP satisfies MFA only.
    let tap = creds(&[Mode::TemporaryAccessPassOneTime]);
    assert!(multifactor_authentication().is_satisfied_by(&tap));
    assert!(!passwordless_mfa().is_satisfied_by(&tap));
    assert!(!phishing_resistant_mfa().is_satisfied_by(&tap));
}
