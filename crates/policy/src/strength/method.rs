//! `authenticationMethodModes`: the methods a strength combines (`entra.md` §4).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::StrengthError;
use crate::model::OpenEnum;

/// One authentication method mode. Values Portcullis does not know (Graph adds modes after
/// `unknownFutureValue`) are kept as [`Other`](Self::Other) with their exact text, so they
/// round-trip; such a mode is only satisfied by a used method of the same name.
///
/// The declaration order is Graph's flag order; it orders modes inside a combination when
/// printed (`password,sms`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuthenticationMethodMode {
    Password,
    Voice,
    HardwareOath,
    SoftwareOath,
    Sms,
    Fido2,
    WindowsHelloForBusiness,
    MicrosoftAuthenticatorPush,
    DeviceBasedPush,
    TemporaryAccessPassOneTime,
    TemporaryAccessPassMultiUse,
    Email,
    X509CertificateSingleFactor,
    X509CertificateMultiFactor,
    FederatedSingleFactor,
    FederatedMultiFactor,
    QrCodePin,
    Other(String),
}

/// How strong a method or a combination is, strongest first (the derived order sorts
/// strongest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MethodClass {
    /// Passkeys (FIDO2), Windows Hello for Business, multi-factor certificates.
    PhishingResistant,
    /// Passwordless but phishable: Authenticator phone sign-in (`deviceBasedPush`).
    Passwordless,
    /// Multi-factor: a TAP, federated MFA, or two single-factor methods together.
    Multifactor,
    /// One single-factor method alone (password, SMS, OTP, push as a second step, email…).
    SingleFactor,
}

use AuthenticationMethodMode as Mode;

/// Every mode Portcullis knows, in Graph's flag order; [`KNOWN_NAMES`] holds their Graph
/// names at the same positions (two arrays because the names must also be a `&'static
/// [&'static str]` for [`OpenEnum::KNOWN`]).
static KNOWN_MODES: [AuthenticationMethodMode; 17] = [
    Mode::Password,
    Mode::Voice,
    Mode::HardwareOath,
    Mode::SoftwareOath,
    Mode::Sms,
    Mode::Fido2,
    Mode::WindowsHelloForBusiness,
    Mode::MicrosoftAuthenticatorPush,
    Mode::DeviceBasedPush,
    Mode::TemporaryAccessPassOneTime,
    Mode::TemporaryAccessPassMultiUse,
    Mode::Email,
    Mode::X509CertificateSingleFactor,
    Mode::X509CertificateMultiFactor,
    Mode::FederatedSingleFactor,
    Mode::FederatedMultiFactor,
    Mode::QrCodePin,
];

const KNOWN_NAMES: [&str; 17] = [
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

fn known_pairs() -> impl Iterator<Item = (&'static AuthenticationMethodMode, &'static str)> {
    KNOWN_MODES.iter().zip(KNOWN_NAMES)
}

impl AuthenticationMethodMode {
    /// Every mode Portcullis knows, in Graph's flag order.
    pub fn known() -> impl Iterator<Item = AuthenticationMethodMode> {
        KNOWN_MODES.iter().cloned()
    }

    /// The Graph name, e.g. `microsoftAuthenticatorPush`; an `Other` mode's own text.
    pub fn as_str(&self) -> &str {
        if let Mode::Other(name) = self {
            return name;
        }
        known_pairs()
            .find(|(mode, _)| *mode == self)
            .map_or("unknownFutureValue", |(_, name)| name)
    }

    /// How strong the method is on its own.
    pub fn class(&self) -> MethodClass {
        match self {
            Mode::Fido2 | Mode::WindowsHelloForBusiness | Mode::X509CertificateMultiFactor => {
                MethodClass::PhishingResistant
            }
            Mode::DeviceBasedPush => MethodClass::Passwordless,
            Mode::TemporaryAccessPassOneTime
            | Mode::TemporaryAccessPassMultiUse
            | Mode::FederatedMultiFactor => MethodClass::Multifactor,
            _ => MethodClass::SingleFactor,
        }
    }

    /// Whether the method only ever serves as the first step of a sign-in, so a plan asks for
    /// it before any second factor.
    pub fn is_first_factor_only(&self) -> bool {
        matches!(
            self,
            Mode::Password | Mode::FederatedSingleFactor | Mode::X509CertificateSingleFactor
        )
    }

    /// Rank in the system-preferred MFA order (`entra.md` §5.7: TAP → passkey → external →
    /// Authenticator notifications → TOTP → telephony → certificate), lower first. Methods
    /// §5.7 does not list are placed beside their nearest kin: Windows Hello after passkeys,
    /// federated MFA as the external method, password and other single-factor sign-ins last.
    pub fn preference_rank(&self) -> u8 {
        match self {
            Mode::TemporaryAccessPassOneTime => 0,
            Mode::TemporaryAccessPassMultiUse => 1,
            Mode::Fido2 => 2,
            Mode::WindowsHelloForBusiness => 3,
            Mode::FederatedMultiFactor => 4,
            Mode::DeviceBasedPush => 5,
            Mode::MicrosoftAuthenticatorPush => 6,
            Mode::HardwareOath => 7,
            Mode::SoftwareOath => 8,
            Mode::Sms => 9,
            Mode::Voice => 10,
            Mode::X509CertificateMultiFactor => 11,
            Mode::X509CertificateSingleFactor => 12,
            Mode::FederatedSingleFactor => 13,
            Mode::QrCodePin => 14,
            Mode::Password => 15,
            Mode::Email => 16,
            Mode::Other(_) => 17,
        }
    }
}

/// Parses a Graph mode name, ignoring case (Microsoft's own samples write
/// `x509CertificateMultifactor`) and surrounding spaces (`"password, sms"`). Unknown names
/// become `Other` with the trimmed text.
impl FromStr for AuthenticationMethodMode {
    type Err = StrengthError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let trimmed = name.trim();
        if trimmed.is_empty() || trimmed.contains(|c: char| c == ',' || c.is_whitespace()) {
            return Err(StrengthError::InvalidMethodName {
                name: name.to_owned(),
            });
        }
        Ok(known_pairs()
            .find(|(_, known)| known.eq_ignore_ascii_case(trimmed))
            .map_or_else(|| Mode::Other(trimmed.to_owned()), |(mode, _)| mode.clone()))
    }
}

impl fmt::Display for AuthenticationMethodMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AuthenticationMethodMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AuthenticationMethodMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// The Graph model's open-enum rule: any text reads (unknown or malformed names are kept
/// verbatim in `Other`) and writes back unchanged, and validation can flag unknown modes.
/// Known names are matched ignoring case, as [`FromStr`] does, so `Other` never holds a
/// known mode and equality stays equality of meaning.
impl OpenEnum for AuthenticationMethodMode {
    const GRAPH_TYPE: &'static str = "authenticationMethodModes";
    const KNOWN: &'static [&'static str] = &KNOWN_NAMES;

    fn from_wire(value: &str) -> Self {
        match value.parse() {
            Ok(Mode::Other(_)) | Err(_) => Mode::Other(value.to_owned()),
            Ok(known) => known,
        }
    }

    fn as_str(&self) -> &str {
        AuthenticationMethodMode::as_str(self)
    }

    fn is_known(&self) -> bool {
        !matches!(self, Mode::Other(_))
    }
}
