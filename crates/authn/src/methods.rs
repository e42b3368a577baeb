//! The authentication methods Portcullis supports, their Graph `authenticationMethodModes`
//! names (what authentication strengths in the policy crate are written in), what each can
//! be used for (entra.md §5.1), and system-preferred MFA ordering (§5.7).

use serde::{Deserialize, Serialize};

/// A kind of registered authentication method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MethodKind {
    Password,
    /// A TOTP authenticator app (Graph: software OATH).
    Totp,
    /// A passkey or security key (WebAuthn).
    Fido2,
    /// Push approval with number matching in the Portcullis Authenticator app.
    AuthenticatorPush,
    /// Passwordless sign-in with the Portcullis Authenticator app.
    PasswordlessPhoneSignIn,
    Sms,
    Voice,
    Email,
    TemporaryAccessPassOneTime,
    TemporaryAccessPassMultiUse,
}

impl MethodKind {
    pub const ALL: [MethodKind; 10] = [
        Self::Password,
        Self::Totp,
        Self::Fido2,
        Self::AuthenticatorPush,
        Self::PasswordlessPhoneSignIn,
        Self::Sms,
        Self::Voice,
        Self::Email,
        Self::TemporaryAccessPassOneTime,
        Self::TemporaryAccessPassMultiUse,
    ];

    /// The Graph `authenticationMethodModes` value this method counts as in an
    /// authentication strength's `allowedCombinations`.
    pub fn graph_mode(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Totp => "softwareOath",
            Self::Fido2 => "fido2",
            Self::AuthenticatorPush => "microsoftAuthenticatorPush",
            Self::PasswordlessPhoneSignIn => "deviceBasedPush",
            Self::Sms => "sms",
            Self::Voice => "voice",
            Self::Email => "email",
            Self::TemporaryAccessPassOneTime => "temporaryAccessPassOneTime",
            Self::TemporaryAccessPassMultiUse => "temporaryAccessPassMultiUse",
        }
    }

    /// The method for a Graph mode, or `None` for modes Portcullis has no method for
    /// (e.g. `windowsHelloForBusiness`, `x509CertificateMultiFactor`, `hardwareOath`).
    pub fn from_graph_mode(mode: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.graph_mode() == mode)
    }

    /// Can start a sign-in on its own (first factor).
    pub fn is_primary(self) -> bool {
        matches!(
            self,
            Self::Password
                | Self::Fido2
                | Self::PasswordlessPhoneSignIn
                | Self::TemporaryAccessPassOneTime
                | Self::TemporaryAccessPassMultiUse
        )
    }

    /// Can be the second factor of multifactor authentication. Email is not (Entra
    /// allows it only for password reset and guests); passwordless phone sign-in is a
    /// first factor only, as in Entra.
    pub fn is_mfa_second_factor(self) -> bool {
        matches!(
            self,
            Self::Totp
                | Self::Fido2
                | Self::AuthenticatorPush
                | Self::Sms
                | Self::Voice
                | Self::TemporaryAccessPassOneTime
                | Self::TemporaryAccessPassMultiUse
        )
    }

    /// Satisfies multifactor authentication by itself (Graph's built-in MFA strength lists
    /// it without `password,`).
    pub fn is_multifactor_alone(self) -> bool {
        matches!(
            self,
            Self::Fido2
                | Self::PasswordlessPhoneSignIn
                | Self::TemporaryAccessPassOneTime
                | Self::TemporaryAccessPassMultiUse
        )
    }

    /// Bound to the site's origin, so a phishing proxy cannot relay it.
    pub fn is_phishing_resistant(self) -> bool {
        matches!(self, Self::Fido2)
    }

    /// Can prove identity for self-service password reset (entra.md §5.10).
    pub fn is_usable_for_password_reset(self) -> bool {
        matches!(
            self,
            Self::Totp | Self::AuthenticatorPush | Self::Sms | Self::Voice | Self::Email
        )
    }

    /// Position in the system-preferred MFA order (lower is stronger), or `None` for
    /// methods never prompted as the second factor.
    ///
    /// Entra's order (entra.md §5.7): Temporary Access Pass → passkey → external methods
    /// → Authenticator notifications → TOTP → telephony (SMS, voice) → certificates.
    /// Portcullis has neither external methods nor certificates; between the two passes a
    /// one-time one goes first (it is spent, so using it while valid is the point), and SMS
    /// precedes voice as Entra lists them.
    fn system_preferred_rank(self) -> Option<u8> {
        match self {
            Self::TemporaryAccessPassOneTime => Some(0),
            Self::TemporaryAccessPassMultiUse => Some(1),
            Self::Fido2 => Some(2),
            Self::AuthenticatorPush => Some(3),
            Self::Totp => Some(4),
            Self::Sms => Some(5),
            Self::Voice => Some(6),
            Self::Password | Self::PasswordlessPhoneSignIn | Self::Email => None,
        }
    }
}

/// The user's registered methods that can be the second factor, strongest first
/// (system-preferred MFA), without duplicates. The first one is what to prompt for; the
/// rest are the "use another method" choices.
pub fn system_preferred_order(registered: &[MethodKind]) -> Vec<MethodKind> {
    let mut ranked: Vec<(u8, MethodKind)> = registered
        .iter()
        .filter_map(|kind| kind.system_preferred_rank().map(|rank| (rank, *kind)))
        .collect();
    ranked.sort_unstable();
    ranked.dedup();
    ranked.into_iter().map(|(_, kind)| kind).collect()
}

/// The method system-preferred MFA prompts for first, if the user has any.
pub fn system_preferred_method(registered: &[MethodKind]) -> Option<MethodKind> {
    registered
        .iter()
        .filter_map(|kind| kind.system_preferred_rank().map(|rank| (rank, *kind)))
        .min()
        .map(|(_, kind)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Graph `authenticationMethodModes` value (entra.md §4).
    const GRAPH_MODES: [&str; 18] = [
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
        "unknownFutureValue",
        "qrCodePin",
    ];

    #[test]
    fn graph_modes_are_real_and_round_trip() {
        for kind in MethodKind::ALL {
            assert!(GRAPH_MODES.contains(&kind.graph_mode()), "{kind:?}");
            assert_eq!(MethodKind::from_graph_mode(kind.graph_mode()), Some(kind));
        }
        assert_eq!(MethodKind::from_graph_mode("windowsHelloForBusiness"), None);
        assert_eq!(MethodKind::from_graph_mode("Password"), None);
    }

    /// The combinations of Graph's built-in "Multifactor authentication" strength that
    /// Portcullis methods can form, single methods and `password,X` pairs.
    #[test]
    fn capabilities_agree_with_the_built_in_mfa_strength() {
        let single = [
            "fido2",
            "deviceBasedPush",
            "temporaryAccessPassOneTime",
            "temporaryAccessPassMultiUse",
        ];
        let after_password = ["microsoftAuthenticatorPush", "softwareOath", "sms", "voice"];
        for kind in MethodKind::ALL {
            assert_eq!(
                kind.is_multifactor_alone(),
                single.contains(&kind.graph_mode()),
                "{kind:?}"
            );
            if after_password.contains(&kind.graph_mode()) {
                assert!(kind.is_mfa_second_factor(), "{kind:?}");
            }
        }
        assert!(!MethodKind::Email.is_mfa_second_factor());
        assert!(!MethodKind::Password.is_mfa_second_factor());
        assert!(MethodKind::Fido2.is_phishing_resistant());
        assert_eq!(
            MethodKind::ALL
                .iter()
                .filter(|kind| kind.is_phishing_resistant())
                .count(),
            1
        );
    }

    #[test]
    fn primary_and_reset_capabilities() {
        let primary: Vec<MethodKind> = MethodKind::ALL
            .into_iter()
            .filter(|kind| kind.is_primary())
            .collect();
        assert_eq!(
            primary,
            [
                MethodKind::Password,
                MethodKind::Fido2,
                MethodKind::PasswordlessPhoneSignIn,
                MethodKind::TemporaryAccessPassOneTime,
                MethodKind::TemporaryAccessPassMultiUse
            ]
        );
        assert!(MethodKind::Email.is_usable_for_password_reset());
        assert!(!MethodKind::Password.is_usable_for_password_reset());
        assert!(!MethodKind::Fido2.is_usable_for_password_reset());
    }

    #[test]
    fn system_preferred_is_strongest_first() {
        let registered = [
            MethodKind::Voice,
            MethodKind::Password,
            MethodKind::Sms,
            MethodKind::Totp,
            MethodKind::Email,
            MethodKind::AuthenticatorPush,
            MethodKind::Fido2,
            MethodKind::TemporaryAccessPassMultiUse,
            MethodKind::PasswordlessPhoneSignIn,
            MethodKind::Totp,
        ];
        assert_eq!(
            system_preferred_order(&registered),
            [
                MethodKind::TemporaryAccessPassMultiUse,
                MethodKind::Fido2,
                MethodKind::AuthenticatorPush,
                MethodKind::Totp,
                MethodKind::Sms,
                MethodKind::Voice,
            ]
        );
        assert_eq!(
            system_preferred_method(&registered),
            Some(MethodKind::TemporaryAccessPassMultiUse)
        );
        assert_eq!(
            system_preferred_method(&[MethodKind::Sms, MethodKind::Totp]),
            Some(MethodKind::Totp)
        );
        assert_eq!(
            system_preferred_method(&[
                MethodKind::TemporaryAccessPassMultiUse,
                MethodKind::TemporaryAccessPassOneTime
            ]),
            Some(MethodKind::TemporaryAccessPassOneTime)
        );
        assert_eq!(
            system_preferred_method(&[MethodKind::Password, MethodKind::Email]),
            None
        );
        assert!(system_preferred_order(&[]).is_empty());
    }

    #[test]
    fn every_second_factor_has_a_rank_and_nothing_else_does() {
        for kind in MethodKind::ALL {
            assert_eq!(
                kind.system_preferred_rank().is_some(),
                kind.is_mfa_second_factor(),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn serde_names() {
        assert_eq!(
            serde_json::to_string(&MethodKind::TemporaryAccessPassOneTime).unwrap(),
            r#""temporaryAccessPassOneTime""#
        );
        assert_eq!(
            serde_json::from_str::<MethodKind>(r#""totp""#).unwrap(),
            MethodKind::Totp
        );
    }
}
