//! What a step answers: the outcome shown to the caller.

use portcullis_authn::methods::MethodKind;
use portcullis_core::{CredentialId, UserId};
use portcullis_policy::evaluate::{EffectiveSessionControls, UsedMethod};
use serde::Serialize;
use time::OffsetDateTime;

use crate::error_code::ErrorCode;

/// Where the sign-in stands after a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Outcome {
    /// Signed in.
    Done(Completed),
    /// Prove another method.
    Challenge(Challenge),
    /// Register security information first.
    RegistrationRequired(RegistrationPrompt),
    /// Change the password first.
    #[serde(rename_all = "camelCase")]
    PasswordChangeRequired { reason: PasswordChangeReason },
    /// The sign-in failed; `code` is the *public* code (never "user not found").
    #[serde(rename_all = "camelCase")]
    Blocked { code: ErrorCode },
}

impl Outcome {
    /// Whether the transaction is over.
    pub fn is_final(&self) -> bool {
        matches!(self, Outcome::Done(_) | Outcome::Blocked { .. })
    }
}

/// A finished sign-in: what the session and tokens carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Completed {
    pub user_id: UserId,
    /// RFC 8176 authentication method references (`pwd`, `otp`, `hwk`, `user`, `mfa`, …).
    pub amr: Vec<String>,
    /// The strongest built-in authentication strength met (its ID), `None` for a single
    /// factor.
    pub acr: Option<String>,
    /// Every strength (built-in and custom) the methods used satisfy: for step-up checks.
    pub strengths_met: Vec<String>,
    /// When the first factor was proven.
    #[serde(with = "time::serde::rfc3339")]
    pub auth_time: OffsetDateTime,
    /// Every method proven, with when (the session's `SessionState`).
    pub methods: Vec<UsedMethod>,
    /// Merged session controls of the applying policies (sign-in frequency, persistent
    /// browser).
    pub session_controls: EffectiveSessionControls,
    /// Sessions and tokens must not outlive this (the Temporary Access Pass's expiry).
    #[serde(with = "time::serde::rfc3339::option")]
    pub not_after: Option<OffsetDateTime>,
    /// Security defaults grace: register MFA by this time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub mfa_registration_due_by: Option<OffsetDateTime>,
}

/// Which requirement a challenge satisfies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Requirement {
    /// `mfa` (the built-in "Multifactor authentication" strength).
    Mfa,
    /// An authentication strength.
    #[serde(rename_all = "camelCase")]
    AuthenticationStrength { id: String, display_name: String },
}

/// Why a challenge is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChallengePurpose {
    /// To reach the target.
    SignIn,
    /// To be allowed to register security information (`urn:user:registersecurityinfo`).
    RegisterSecurityInfo,
}

/// A method challenge.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    pub purpose: ChallengePurpose,
    pub requirement: Requirement,
    /// Methods that satisfy the requirement, that the user has registered and the methods
    /// policy enables for them, system-preferred order: the first is prompted, the rest
    /// are "use another method".
    pub methods: Vec<OfferedMethod>,
    /// The previous answer was wrong (or replayed); the user may try again.
    pub error: Option<ErrorCode>,
    /// A code was just sent to this method.
    pub code_sent_to: Option<CredentialId>,
    /// Sending a code was refused until this time (resend throttling).
    #[serde(with = "time::serde::rfc3339::option")]
    pub code_throttled_until: Option<OffsetDateTime>,
}

/// One method the user may answer with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferedMethod {
    pub kind: MethodKind,
    pub credential_id: CredentialId,
    pub display_name: Option<String>,
}

/// The registration interrupt.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationPrompt {
    /// Methods the user may register here (enabled for them, and able to satisfy what is
    /// required), strongest first.
    pub methods: Vec<MethodKind>,
    /// The user may skip until this time (security defaults' grace); `None`: mandatory.
    #[serde(with = "time::serde::rfc3339::option")]
    pub skippable_until: Option<OffsetDateTime>,
    /// The registration campaign's nudge (after a completed MFA), not a requirement of
    /// policy.
    pub campaign: bool,
}

/// Why the password must change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PasswordChangeReason {
    /// Expired, or an admin asked for a change at next sign-in.
    Expired,
    /// A policy grants access only with `passwordChange`.
    PolicyRequiresPasswordChange,
    /// A policy requires risk remediation (secure password change).
    RiskRemediation,
}
