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
    /// The edge refused a passkey answer before it could become an assertion (expired or
    /// replayed ceremony, bad signature or origin, unknown credential, a flagged clone):
    /// logged as a failed passkey step. `reason` is the edge's non-secret explanation.
    PasskeyRefused { reason: String },
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
    /// Passwordless phone sign-in (first factor): the Authenticator app approved the
    /// request with the right number **and** its local unlock — verified at the edge.
    PhoneSignInApproved { credential_id: CredentialId },
    /// The Authenticator push ended without an approval (settled at the edge): logged as
    /// a failed second factor, a fraud report ends the sign-in, and `Withdrawn` (the
    /// user chose another method) only re-offers the challenge. At the first factor
    /// (passwordless phone sign-in) every reason ends the sign-in like a wrong password.
    OutOfBandDeclined {
        credential_id: Option<CredentialId>,
        reason: OutOfBandDecline,
    },
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

/// Why an out-of-band (push) request ended without an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutOfBandDecline {
    /// "No, it's not me".
    Denied,
    /// The user approved with a number other than the one shown.
    WrongNumber,
    /// Nobody answered before the request expired.
    Expired,
    /// "This wasn't me" with a fraud report: the sign-in ends.
    FraudReported,
    /// The user moved on to another method before answering: not a failure.
    Withdrawn,
}

impl OutOfBandDecline {
    /// The `authenticationStepResultDetail` Entra logs for it.
    pub fn result_detail(self) -> &'static str {
        match self {
            OutOfBandDecline::Denied => "MFA denied; user declined the authentication",
            OutOfBandDecline::WrongNumber => "MFA denied; user did not select the correct number",
            OutOfBandDecline::Expired => {
                "MFA denied; user did not respond to mobile app notification"
            }
            OutOfBandDecline::FraudReported => "MFA denied; Fraud Code Entered",
            OutOfBandDecline::Withdrawn => "MFA request withdrawn; another method was chosen",
        }
    }
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
            Input::PasskeyRefused { .. } => "passkeyRefused",
            Input::TotpCode { .. } => "totpCode",
            Input::SendCode { .. } => "sendCode",
            Input::OneTimeCode(_) => "oneTimeCode",
            Input::OutOfBandApproved { .. } => "outOfBandApproved",
            Input::PhoneSignInApproved { .. } => "phoneSignInApproved",
            Input::OutOfBandDeclined { .. } => "outOfBandDeclined",
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
