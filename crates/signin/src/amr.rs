//! RFC 8176 authentication method references for the methods a session used.

use portcullis_policy::evaluate::UsedMethod;
use portcullis_policy::strength::AuthenticationMethodMode as Mode;

/// The `amr` values for the methods used, in the order first used, without duplicates;
/// `mfa` is added when `multi_factor` (a multi-factor strength was met).
pub fn amr(methods: &[UsedMethod], multi_factor: bool) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    let mut add = |value: &str| {
        if !values.iter().any(|known| known == value) {
            values.push(value.to_owned());
        }
    };
    for method in methods {
        match method.method {
            Mode::Password => add("pwd"),
            Mode::SoftwareOath | Mode::HardwareOath => add("otp"),
            Mode::Sms => add("sms"),
            Mode::Voice => add("tel"),
            // Passkeys are accepted only with user verification (see `Input::Passkey`).
            Mode::Fido2 | Mode::WindowsHelloForBusiness => {
                add("hwk");
                add("user");
            }
            Mode::MicrosoftAuthenticatorPush => add("swk"),
            // Passwordless phone sign-in is approved only after the app's local unlock
            // (passphrase or confirmation on the device), RFC 8176 "user" presence.
            Mode::DeviceBasedPush => {
                add("swk");
                add("user");
            }
            // A Temporary Access Pass and email codes are one-time secrets.
            Mode::TemporaryAccessPassOneTime | Mode::TemporaryAccessPassMultiUse | Mode::Email => {
                add("otp")
            }
            Mode::X509CertificateSingleFactor | Mode::X509CertificateMultiFactor => add("sc"),
            _ => {}
        }
    }
    if multi_factor {
        add("mfa");
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn used(method: Mode) -> UsedMethod {
        UsedMethod {
            method,
            at: OffsetDateTime::UNIX_EPOCH,
            aaguid: None,
            certificate_issuer_ski: None,
            certificate_policy_oids: Vec::new(),
        }
    }

    #[test]
    fn password_and_totp() {
        assert_eq!(
            amr(&[used(Mode::Password), used(Mode::SoftwareOath)], true),
            ["pwd", "otp", "mfa"]
        );
        assert_eq!(amr(&[used(Mode::Password)], false), ["pwd"]);
        assert_eq!(amr(&[used(Mode::Fido2)], true), ["hwk", "user", "mfa"]);
        assert_eq!(
            amr(&[used(Mode::DeviceBasedPush)], true),
            ["swk", "user", "mfa"]
        );
    }
}
