//! What the user (through the edge) submits at each step.

use portcullis_authn::methods::MethodKind;
use portcullis_core::CredentialId;
use uuid::Uuid;

/// One user action. Secrets are held only for the duration of the step.
#[derive(Clone, PartialEq, Eq)]
pub enum Input {
    /// A password (first factor).
    Password(String),
    /// A Temporary Access Pass (first factor, or second when offered).
    TemporaryAccessPass(String),
    /// A passkey assertion whose signature, counter and origin webauthn-rs verified at the
    /// edge (first factor when discoverable, or second when offered).
    Passkey(PasskeyAssertion),
    /// A TOTP code from an authenticator app; `credential_id` picks the app when the user
    /// has several (`None`: the first offered one).
    TotpCode {
        credential_id: Option<CredentialId>,
        code: String,
    },
    /// "Use another method": send a code by SMS, voice or email to this method.
    SendCode { credential_id: CredentialId },
    /// The code received by SMS, voice or email.
    OneTimeCode(String),
    /// The Authenticator app approved the push (number matched) — verified at the edge.
    /// The hook for out-of-band MFA on legacy protocols (RADIUS).
    OutOfBandApproved { credential_id: CredentialId },
    /// The user set a new password (the edge checked the password rules and stored it).
    PasswordChanged,
    /// The user registered and verified a method in the registration interrupt (a TOTP
    /// code checked at registration, a passkey created with user verification). It counts
    /// as performed in this sign-in, as in Entra's combined registration.
    MethodRegistered {
        credential_id: CredentialId,
        kind: MethodKind,
        aaguid: Option<Uuid>,
    },
    /// "Skip for now" in the registration interrupt, allowed during the grace period.
    SkipRegistration,
}

/// The facts of a verified WebAuthn assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyAssertion {
    pub credential_id: CredentialId,
    /// The authenticator verified the user (PIN or biometric): required for the passkey
    /// to count as a multi-factor method.
    pub user_verified: bool,
    pub aaguid: Option<Uuid>,
}

impl Input {
    /// A short name for logs and errors (never the secret).
    pub fn name(&self) -> &'static str {
        match self {
            Input::Password(_) => "password",
            Input::TemporaryAccessPass(_) => "temporaryAccessPass",
            Input::Passkey(_) => "passkey",
            Input::TotpCode { .. } => "totpCode",
            Input::SendCode { .. } => "sendCode",
            Input::OneTimeCode(_) => "oneTimeCode",
            Input::OutOfBandApproved { .. } => "outOfBandApproved",
            Input::PasswordChanged => "passwordChanged",
            Input::MethodRegistered { .. } => "methodRegistered",
            Input::SkipRegistration => "skipRegistration",
        }
    }
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Input::{}(redacted)", self.name())
    }
}
