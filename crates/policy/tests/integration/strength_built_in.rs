//! The built-in strengths and whether realistic sets of used methods satisfy them.

use portcullis_policy::strength::{
    AuthenticationMethodMode as Mode, AuthenticationStrength, Combination,
    MULTIFACTOR_AUTHENTICATION_ID, MethodCredential, PASSWORDLESS_MFA_ID,
    PHISHING_RESISTANT_MFA_ID, RequirementsSatisfied, StrengthPolicyType, built_in_strength,
    built_in_strengths, multifactor_authentication, passwordless_mfa, phishing_resistant_mfa,
};
use uuid::Uuid;

fn used(modes: &[Mode]) -> Vec<MethodCredential> {
    modes.iter().cloned().map(MethodCredential::new).collect()
}

fn texts(strength: &AuthenticationStrength) -> Vec<String> {
    strength
        .allowed_combinations
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// (methods used, satisfies MFA, passwordless MFA, phishing-resistant MFA)
fn cases() -> Vec<(Vec<Mode>, bool, bool, bool)> {
    use Mode::*;
    vec![
        (vec![Password, SoftwareOath], true, false, false),
        (vec![Password, HardwareOath], true, false, false),
        (vec![Password, Sms], true, false, false),
        (vec![Password, Voice], true, false, false),
        (
            vec![Password, MicrosoftAuthenticatorPush],
            true,
            false,
            false,
        ),
        (
            vec![Password, X509CertificateSingleFactor],
            true,
            false,
            false,
        ),
        (vec![Fido2], true, true, true),
        (vec![Password, Fido2], true, true, true),
        (vec![WindowsHelloForBusiness], true, true, true),
        (vec![X509CertificateMultiFactor], true, true, true),
        (vec![DeviceBasedPush], true, true, false),
        (vec![TemporaryAccessPassOneTime], true, false, false),
        (vec![TemporaryAccessPassMultiUse], true, false, false),
        (vec![FederatedMultiFactor], true, false, false),
        (vec![FederatedSingleFactor, Sms], true, false, false),
        (
            vec![FederatedSingleFactor, MicrosoftAuthenticatorPush],
            true,
            false,
            false,
        ),
        // Single-factor methods never satisfy a built-in strength alone.
        (vec![Password], false, false, false),
        (vec![Sms], false, false, false),
        (vec![Voice], false, false, false),
        (vec![SoftwareOath], false, false, false),
        (vec![MicrosoftAuthenticatorPush], false, false, false),
        (vec![X509CertificateSingleFactor], false, false, false),
        (vec![FederatedSingleFactor], false, false, false),
        (vec![QrCodePin], false, false, false),
        (vec![Email], false, false, false),
        // Email OTP is in no built-in strength, not even as a second factor.
        (vec![Password, Email], false, false, false),
        (vec![FederatedSingleFactor, Email], false, false, false),
        (vec![], false, false, false),
        (vec![Other("futureMethod".into())], false, false, false),
    ]
}

#[test]
fn realistic_sessions_against_each_built_in() {
    let (mfa, passwordless, phishing_resistant) = (
        multifactor_authentication(),
        passwordless_mfa(),
        phishing_resistant_mfa(),
    );
    for (modes, expect_mfa, expect_passwordless, expect_phishing_resistant) in cases() {
        let session = used(&modes);
        assert_eq!(
            mfa.is_satisfied_by(&session),
            expect_mfa,
            "MFA with {modes:?}"
        );
        assert_eq!(
            passwordless.is_satisfied_by(&session),
            expect_passwordless,
            "passwordless with {modes:?}"
        );
        assert_eq!(
            phishing_resistant.is_satisfied_by(&session),
            expect_phishing_resistant,
            "phishing-resistant with {modes:?}"
        );
    }
}

#[test]
fn built_ins_match_the_reference_table() {
    let mfa = multifactor_authentication();
    assert_eq!(mfa.id, MULTIFACTOR_AUTHENTICATION_ID);
    assert_eq!(mfa.id, "00000000-0000-0000-0000-000000000002");
    assert_eq!(mfa.display_name, "Multifactor authentication");
    assert_eq!(
        texts(&mfa),
        [
            "windowsHelloForBusiness",
            "fido2",
            "x509CertificateMultiFactor",
            "deviceBasedPush",
            "temporaryAccessPassOneTime",
            "temporaryAccessPassMultiUse",
            "password,microsoftAuthenticatorPush",
            "password,softwareOath",
            "password,hardwareOath",
            "password,x509CertificateSingleFactor",
            "password,x509CertificateMultiFactor",
            "password,sms",
            "password,voice",
            "federatedMultiFactor",
            "microsoftAuthenticatorPush,federatedSingleFactor",
            "softwareOath,federatedSingleFactor",
            "hardwareOath,federatedSingleFactor",
            "sms,federatedSingleFactor",
            "voice,federatedSingleFactor",
        ]
    );

    let passwordless = passwordless_mfa();
    assert_eq!(passwordless.id, PASSWORDLESS_MFA_ID);
    assert_eq!(passwordless.id, "00000000-0000-0000-0000-000000000003");
    assert_eq!(passwordless.display_name, "Passwordless MFA");
    assert_eq!(
        texts(&passwordless),
        [
            "windowsHelloForBusiness",
            "fido2",
            "x509CertificateMultiFactor",
            "deviceBasedPush"
        ]
    );

    let phishing_resistant = phishing_resistant_mfa();
    assert_eq!(phishing_resistant.id, PHISHING_RESISTANT_MFA_ID);
    assert_eq!(
        phishing_resistant.id,
        "00000000-0000-0000-0000-000000000004"
    );
    assert_eq!(phishing_resistant.display_name, "Phishing resistant MFA");
    assert_eq!(
        texts(&phishing_resistant),
        [
            "windowsHelloForBusiness",
            "fido2",
            "x509CertificateMultiFactor"
        ]
    );

    for strength in built_in_strengths() {
        assert_eq!(strength.policy_type, StrengthPolicyType::BuiltIn);
        assert_eq!(strength.policy_type.as_str(), "builtIn");
        assert_eq!(strength.requirements_satisfied, RequirementsSatisfied::Mfa);
        assert_eq!(strength.requirements_satisfied.as_str(), "mfa");
        assert!(strength.combination_configurations.is_empty());
        // Email OTP and single-factor-alone combinations are in no built-in strength.
        for combination in &strength.allowed_combinations {
            assert!(!combination.contains(&Mode::Email), "{combination}");
            for single in [
                "password",
                "sms",
                "voice",
                "federatedSingleFactor",
                "x509CertificateSingleFactor",
                "qrCodePin",
                "email",
            ] {
                assert_ne!(combination, &Combination::parse(single).expect("parses"));
            }
        }
        // Every built-in is satisfiable from its own combinations and the lists parse back.
        for combination in &strength.allowed_combinations {
            let session: Vec<_> = combination
                .methods()
                .cloned()
                .map(MethodCredential::new)
                .collect();
            assert!(
                strength.is_satisfied_by(&session),
                "{} with {combination}",
                strength.display_name
            );
            assert_eq!(
                &Combination::parse(&combination.to_string()).expect("parses"),
                combination
            );
        }
    }
}

#[test]
fn the_strengths_nest() {
    // Whatever satisfies phishing-resistant satisfies passwordless, which satisfies MFA.
    let (mfa, passwordless, phishing_resistant) = (
        multifactor_authentication(),
        passwordless_mfa(),
        phishing_resistant_mfa(),
    );
    for combination in &phishing_resistant.allowed_combinations {
        assert!(passwordless.allowed_combinations.contains(combination));
    }
    for combination in &passwordless.allowed_combinations {
        assert!(mfa.allowed_combinations.contains(combination));
    }
}

#[test]
fn built_ins_are_found_by_id() {
    assert_eq!(
        built_in_strength("00000000-0000-0000-0000-000000000004").map(|s| s.display_name),
        Some("Phishing resistant MFA".to_owned())
    );
    assert!(built_in_strength("00000000-0000-0000-0000-000000000003").is_some());
    assert!(built_in_strength("00000000-0000-0000-0000-000000000001").is_none());
    assert!(built_in_strength("").is_none());
}

#[test]
fn satisfied_combination_names_what_counted() {
    let mfa = multifactor_authentication();
    let session = used(&[Mode::Password, Mode::Sms, Mode::Voice]);
    assert_eq!(
        mfa.satisfied_combination(&session).map(ToString::to_string),
        Some("password,sms".to_owned())
    );
    assert_eq!(mfa.satisfied_combination(&used(&[Mode::Password])), None);
}

#[test]
fn fido2_with_any_authenticator_satisfies_built_ins() {
    let key = MethodCredential::fido2(Uuid::from_u128(0x2fc0579f_8113_47ea_b116_bb5a8db9202a));
    assert!(phishing_resistant_mfa().is_satisfied_by(&[key]));
}
