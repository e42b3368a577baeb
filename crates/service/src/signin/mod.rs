//! The sign-in service: the one way every protocol signs a user in.
//!
//! The browser pages, the JSON API of native clients, OIDC `authorize`, forward-auth
//! step-up and later LDAP and RADIUS all call [`SignInService`]. It drives the pure
//! pipeline (`portcullis-signin`) with I/O at the edge:
//!
//! ```text
//! begin(SignInRequest)  ─▶ transaction stored (hashed handle, revision 0, ~10 min)
//! step(handle, Input)   ─▶ load transaction ─▶ load user afresh ─▶ policy (cached per
//!                          policy_version) ─▶ pure step on a blocking thread (argon2)
//!                          ─▶ ONE store write: transaction (revision-checked), lockout
//!                          state, credential updates, the sign-in log entry with its
//!                          evaluation input, the new session ─▶ group commit ─▶ answer
//!                          ─▶ deliver one-time codes
//! ```
//!
//! * **Durable before answered**: a step returns only after its write (and so its log
//!   entry) is committed. Exactly one log entry per step, failures included.
//! * **Double submit**: two steps on one transaction race on its revision; one wins, the
//!   other gets [`SignInError::ConcurrentStep`] and nothing of it is stored.
//! * **Lost update of counters**: a step whose lockout-state or credential write lost a
//!   race (two wrong passwords at once on two nodes, a TOTP code replayed in parallel)
//!   is recomputed from fresh state, so parallel guesses cannot skip the lockout counter
//!   and a replay is always caught.
//! * **Step-up**: `SignInRequest::existing_session` starts from the session's proven
//!   methods; on completion a new session (new id, new cookie) replaces it.
//! * **Sessions**: the cookie value (32 random bytes, base64url) is returned once in
//!   [`IssuedSession`]; the store keeps its SHA-256 (`Session::token_hash`).

mod admin_unlock;
mod break_glass_alert;
pub mod codes;
mod committer;
mod cpu_pool;
pub mod credential_payload;
mod effects;
mod familiarity;
mod interrupt;
mod log_access;
mod new_password;
mod passkey;
mod phone_sign_in;
mod policy_cache;
mod rate_limit;
mod reset;
mod service;
mod subject;
mod types;
mod user_agent;

/// The pure pipeline's types (inputs, outcomes, error codes, protocols), re-exported so
/// protocol crates need no direct dependency on it.
pub use portcullis_signin as pipeline;

pub use admin_unlock::LockoutStatus;
pub use break_glass_alert::{BREAK_GLASS_SIGN_IN_ACTIVITY, alert_audit as break_glass_alert_audit};
pub use effects::SessionLifetimes;
pub use interrupt::{RegistrationActivation, RegistrationContactError};
pub use new_password::NewPasswordSettings;
pub(crate) use new_password::{NewPasswordChecker, password_replacement, rejection_message};
pub use phone_sign_in::PhoneSignIn;
pub use policy_cache::LoadedPolicy;
pub use rate_limit::RateLimitSettings;
pub use reset::{PasswordResetSettings, ResetProgress};
pub use service::{SignInService, SignInSettings};
pub(crate) use subject::UserFacts;
pub use types::{
    IssuedSession, SessionAuthentication, SignInError, SignInProgress, SignInRequest,
    TargetApplication, TransactionId,
};

/// The application id policies use to target Portcullis itself (sign-in pages, My
/// security info, the admin portal). The same id the lockout lint protects.
pub const PORTAL_APP_ID: &str = portcullis_policy::lint::LINT_ADMIN_PORTAL_APP_ID;

/// The display name of [`PORTAL_APP_ID`] in logs.
pub const PORTAL_DISPLAY_NAME: &str = "Portcullis";
