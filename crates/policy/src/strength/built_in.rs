//! The three built-in strengths, exactly as `entra.md` §4 lists them. Entra adds methods to
//! them over time; these are the lists as of the reference.

use super::combination::Combination;
use super::method::AuthenticationMethodMode as Mode;
use super::policy::{AuthenticationStrength, RequirementsSatisfied, StrengthPolicyType};

/// "Multifactor authentication".
pub const MULTIFACTOR_AUTHENTICATION_ID: &str = "00000000-0000-0000-0000-000000000002";
/// "Passwordless MFA".
pub const PASSWORDLESS_MFA_ID: &str = "00000000-0000-0000-0000-000000000003";
/// "Phishing resistant MFA".
pub const PHISHING_RESISTANT_MFA_ID: &str = "00000000-0000-0000-0000-000000000004";

/// Single methods that satisfy phishing-resistant MFA (and so every built-in strength).
const PHISHING_RESISTANT: [Mode; 3] = [
    Mode::WindowsHelloForBusiness,
    Mode::Fido2,
    Mode::X509CertificateMultiFactor,
];

fn built_in(
    id: &str,
    display_name: &str,
    description: &str,
    allowed_combinations: Vec<Combination>,
) -> AuthenticationStrength {
    AuthenticationStrength {
        id: id.to_owned(),
        display_name: display_name.to_owned(),
        description: description.to_owned(),
        policy_type: StrengthPolicyType::BuiltIn,
        requirements_satisfied: RequirementsSatisfied::Mfa,
        allowed_combinations,
        combination_configurations: Vec::new(),
    }
}

/// The built-in phishing-resistant MFA strength (`…0004`).
pub fn phishing_resistant_mfa() -> AuthenticationStrength {
    built_in(
        PHISHING_RESISTANT_MFA_ID,
        "Phishing resistant MFA",
        "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
        PHISHING_RESISTANT
            .into_iter()
            .map(Combination::single)
            .collect(),
    )
}

/// The built-in passwordless MFA strength (`…0003`).
pub fn passwordless_mfa() -> AuthenticationStrength {
    let combinations = PHISHING_RESISTANT
        .into_iter()
        .chain([Mode::DeviceBasedPush])
        .map(Combination::single)
        .collect();
    built_in(
        PASSWORDLESS_MFA_ID,
        "Passwordless MFA",
        "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
        combinations,
    )
}

/// The built-in multifactor authentication strength (`…0002`), in §4's order.
pub fn multifactor_authentication() -> AuthenticationStrength {
    let singles = PHISHING_RESISTANT
        .into_iter()
        .chain([
            Mode::DeviceBasedPush,
            Mode::TemporaryAccessPassOneTime,
            Mode::TemporaryAccessPassMultiUse,
        ])
        .map(Combination::single);
    let with_password = [
        Mode::MicrosoftAuthenticatorPush,
        Mode::SoftwareOath,
        Mode::HardwareOath,
        Mode::X509CertificateSingleFactor,
        Mode::X509CertificateMultiFactor,
        Mode::Sms,
        Mode::Voice,
    ]
    .into_iter()
    .map(|second| Combination::pair(Mode::Password, second));
    let federated = std::iter::once(Combination::single(Mode::FederatedMultiFactor));
    let with_federated_single_factor = [
        Mode::MicrosoftAuthenticatorPush,
        Mode::SoftwareOath,
        Mode::HardwareOath,
        Mode::Sms,
        Mode::Voice,
    ]
    .into_iter()
    .map(|second| Combination::pair(second, Mode::FederatedSingleFactor));
    built_in(
        MULTIFACTOR_AUTHENTICATION_ID,
        "Multifactor authentication",
        "Combinations of methods that satisfy strong authentication, such as a password + SMS",
        singles
            .chain(with_password)
            .chain(federated)
            .chain(with_federated_single_factor)
            .collect(),
    )
}

/// The three built-in strengths: MFA, passwordless MFA, phishing-resistant MFA.
pub fn built_in_strengths() -> [AuthenticationStrength; 3] {
    [
        multifactor_authentication(),
        passwordless_mfa(),
        phishing_resistant_mfa(),
    ]
}

/// The built-in strength with this id (case-insensitive), if it is one.
pub fn built_in_strength(id: &str) -> Option<AuthenticationStrength> {
    built_in_strengths()
        .into_iter()
        .find(|strength| strength.id.eq_ignore_ascii_case(id.trim()))
}
