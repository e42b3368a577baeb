//! The values callers pass to and get from [`SignInService`](super::SignInService).

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::signin::{DeviceDetail, SignInLocation};
use portcullis_core::{CorrelationId, SecretHash, SessionId, SignInId};
use portcullis_policy::evaluate::UsedMethod;
use portcullis_signin::{Completed, DeviceFacts, Outcome, Protocol, RiskInput, Stage};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The application a sign-in is for: the Conditional Access target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "clientId", rename_all = "camelCase")]
pub enum TargetApplication {
    /// Portcullis itself: My security info, My sign-ins, the admin portal. Policies target
    /// it by [`PORTAL_APP_ID`](super::PORTAL_APP_ID).
    Portal,
    /// A registered application by its client (application) id: an OIDC client or a
    /// forward-auth application.
    Client(String),
}

/// One sign-in request as the protocol edge sees it. Everything here is fixed for the
/// whole transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInRequest {
    pub protocol: Protocol,
    pub application: TargetApplication,
    /// Shown to the user and logged; `None`: the registered application's name.
    pub app_display_name: Option<String>,
    /// The name the user typed (`userPrincipalName`); empty for a username-less passkey
    /// sign-in (the passkey names the user).
    pub identifier: String,
    /// The client IP, resolved through the trusted-proxy list.
    pub ip_address: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The protocol's correlation id, if it has one; otherwise a new one is made.
    pub correlation_id: Option<CorrelationId>,
    /// Sign-in and user risk (the detector fills this; default: none).
    pub risk: RiskInput,
    /// Geolocation of the IP, when known.
    pub location: SignInLocation,
    /// Browser and OS for the log; `None`: derived from the user agent.
    pub device_detail: Option<DeviceDetail>,
    /// Device and app facts established without asking the user.
    pub device_facts: DeviceFacts,
    /// An authentication context the application asked for (`acr_values=c1`…`c25`):
    /// the policies targeting it apply, on top of the application's own.
    pub authentication_context: Option<String>,
    /// Step-up: the session the user already has. The transaction starts from its
    /// proven methods and first-factor time and asks only for what is missing; on
    /// completion a new session replaces it.
    pub existing_session: Option<SessionId>,
}

impl SignInRequest {
    /// A request with no risk, device facts, location, context or session.
    pub fn new(protocol: Protocol, application: TargetApplication, identifier: &str) -> Self {
        SignInRequest {
            protocol,
            application,
            app_display_name: None,
            identifier: identifier.to_owned(),
            ip_address: None,
            user_agent: None,
            correlation_id: None,
            risk: RiskInput::default(),
            location: SignInLocation::default(),
            device_detail: None,
            device_facts: DeviceFacts::default(),
            authentication_context: None,
            existing_session: None,
        }
    }
}

/// The opaque handle of a sign-in transaction, handed to the client (form field, URL
/// segment). 32 random bytes, base64url; only its SHA-256 is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct TransactionId(String);

impl TransactionId {
    /// The byte length of a handle's randomness.
    const RANDOM_BYTES: usize = 32;

    pub(crate) fn from_random(bytes: [u8; Self::RANDOM_BYTES]) -> Self {
        TransactionId(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts a handle received from a client; `None` if it cannot be one (wrong length
    /// or alphabet), so garbage never reaches the store.
    pub fn parse(text: &str) -> Option<Self> {
        let decoded = URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()?;
        (decoded.len() == Self::RANDOM_BYTES).then(|| TransactionId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

impl std::fmt::Debug for TransactionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TransactionId(redacted)")
    }
}

/// Where a sign-in stands after `begin` or a step.
#[derive(Debug, Clone)]
pub struct SignInProgress {
    /// The same handle for the whole sign-in; send it back with every step.
    pub transaction: TransactionId,
    pub correlation_id: CorrelationId,
    /// What the transaction waits for next (`Done` / `Failed` when over).
    pub stage: Stage,
    /// `None` only right after `begin` of a fresh sign-in (waiting for the first
    /// factor); otherwise the pipeline's outcome to render.
    pub outcome: Option<Outcome>,
    /// The sign-in log entry this step wrote (`None` after a plain `begin`).
    pub sign_in_id: Option<SignInId>,
    /// With `Outcome::Done`: the new SSO session. The cookie value is returned only here.
    pub session: Option<IssuedSession>,
}

/// A session created by a completed sign-in.
#[derive(Clone)]
pub struct IssuedSession {
    pub session_id: SessionId,
    /// The cookie value (32 random bytes, base64url); stored only as its SHA-256.
    pub cookie_value: String,
    /// Persistent browser session: set the cookie with `Expires`; otherwise a session
    /// cookie.
    pub persistent: bool,
    pub expires_at: OffsetDateTime,
    /// What the session proved (amr, acr, auth_time, methods, session controls).
    pub completed: Completed,
    /// Step-up: the session this one replaced (now revoked).
    pub replaced_session: Option<SessionId>,
}

impl std::fmt::Debug for IssuedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedSession")
            .field("session_id", &self.session_id)
            .field("cookie_value", &"redacted")
            .field("persistent", &self.persistent)
            .field("expires_at", &self.expires_at)
            .field("completed", &self.completed)
            .field("replaced_session", &self.replaced_session)
            .finish()
    }
}

/// The authentication facts of an existing session, as the sign-in that created it
/// stored them: what token refresh, forward-auth and step-up re-evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionAuthentication {
    /// When the first factor was proven.
    #[serde(with = "time::serde::rfc3339")]
    pub auth_time: OffsetDateTime,
    /// Every method proven, with when.
    pub methods: Vec<UsedMethod>,
    pub amr: Vec<String>,
    pub acr: Option<String>,
    /// Every authentication strength the methods satisfy.
    pub strengths_met: Vec<String>,
    /// Sessions and tokens must not outlive this (a Temporary Access Pass's expiry).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub not_after: Option<OffsetDateTime>,
}

/// Why a sign-in call could not be carried out. A *failed sign-in* is not an error: it is
/// `Outcome::Blocked` in [`SignInProgress`].
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The transaction handle is unknown, expired or over: start a new sign-in.
    #[error("the sign-in transaction is unknown or has expired; start again")]
    UnknownTransaction,
    /// Another step of the same transaction ran first (a double submit): show the
    /// transaction's current state again.
    #[error("another step of this sign-in was submitted at the same time")]
    ConcurrentStep,
    /// Too many attempts from this address or for this account: try again after
    /// `retry_after`. Nothing was evaluated or logged.
    #[error("too many sign-in attempts; try again in {} seconds", retry_after.as_secs().max(1))]
    RateLimited { retry_after: std::time::Duration },
    /// The passkey answer was refused before the pipeline saw it (expired or replayed
    /// ceremony, unknown credential, no user verification, a flagged clone): nothing
    /// ended, the user may try again with new options.
    #[error("the passkey was not accepted: {0}")]
    PasskeyRejected(String),
    /// The new password breaks a rule (the message lists every reason, for the user).
    #[error("{0}")]
    PasswordRejected(String),
    /// Registering a method in the registration interrupt was refused (blocked by a
    /// policy, not enabled, passkey not accepted): the message is for the user.
    #[error("{0}")]
    RegistrationRefused(String),
    /// The first code of an authenticator app being set up was wrong: that setup ended,
    /// the sign-in did not (start the setup again).
    #[error("the code is wrong or has expired")]
    WrongRegistrationCode,
    /// The request itself is malformed (an unknown application, a bad context id).
    #[error("{0}")]
    Invalid(String),
    /// Storage or configuration failed; nothing was answered to the user.
    #[error("the sign-in service failed: {0}")]
    Internal(String),
}

impl From<portcullis_store::StoreError> for SignInError {
    fn from(err: portcullis_store::StoreError) -> Self {
        SignInError::Internal(err.to_string())
    }
}
