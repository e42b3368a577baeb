//! The one sign-in pipeline, as a pure state machine with I/O at the edge.
//!
//! Every protocol — the browser pages, the JSON API of native clients, OIDC, forward-auth,
//! the LDAP gateway, RADIUS — signs users in by driving this machine through the service
//! layer. It never does I/O: the edge loads the user ([`Subject`]) and the policy
//! configuration ([`PolicyEnvironment`]) for each step, passes the time and a random
//! generator, and carries out the [`Effect`]s the step returns (persist lockout state,
//! mark a Temporary Access Pass used, record the TOTP step, send a code, append the
//! sign-in log entry, create the session).
//!
//! ```text
//! begin ─▶ FirstFactor ──password / TAP / passkey──▶ lockout ─▶ verify ─▶ Conditional Access
//!                                                                         │
//!          ┌──────────────┬──────────────────┬─────────────────┬──────────┴───────┐
//!          ▼              ▼                  ▼                 ▼                  ▼
//!        Done         Challenge      RegistrationRequired  PasswordChange      Blocked
//!                  (re-evaluated      (CA on registering   Required          (error code)
//!                  after each method)  security info)
//! ```
//!
//! # Rules kept
//!
//! * **One log entry per step**, success, failure or interrupt ([`Effect::AppendSignInLog`]),
//!   carrying the Graph `signIn` record and the evaluation input for replay.
//! * **No user enumeration**: an unknown user costs a dummy hash and is answered 50126
//!   like a wrong password (the log keeps 50034); a disabled user learns 50057 only after
//!   a correct first factor.
//! * **Never Done while an applying enforced policy is unsatisfied**: `Done` comes only from
//!   the evaluator's `Allow` over exactly the methods proven.
//! * **Legacy protocols** cannot be challenged: whatever needs MFA, registration or a
//!   password change blocks them (50076, 50079, 50055), unless an out-of-band method can
//!   answer ([`RequestContext::out_of_band_available`]).
//!
//! The error codes are listed in [`error_code`].
//!
//! # Driving it (for the service layer)
//!
//! ```text
//! once per node      SignInConfig::new(hasher, DummyHash::new(..), FingerprintKey::new(..))
//! per policy version PolicySet ─compile─▶ CompiledPolicySet; StrengthCatalogue::from_policy_set;
//!                    AuthenticationMethodsPolicy  ──▶ PolicyEnvironment
//! per request        RequestContext (protocol, target, IP/location, device, risk, correlation ID)
//! start              SignInTransaction::begin(typed name, correlation ID, now)  — keep it server-side
//! each user action   load Subject (Unknown, or UserRecord with methods + lockout state) afresh,
//!                    step(&mut transaction, &StepEnvironment{..}, Input, &mut rng)  — on a blocking
//!                    thread (argon2) ─▶ Step { outcome, effects, dummy_hash_spent }
//!                    carry out `effects` in order in one store transaction, commit, then answer
//!                    with `outcome` (render the challenge / registration / password page, or
//!                    issue the session from `Completed`).
//! ```
//!
//! [`Effect`]s: `PersistLockoutState`, `ReplacePasswordHash` (parameters changed),
//! `RecordTotpStep` (replay protection; guard it with the credential revision),
//! `PersistTemporaryAccessPass` (a one-time pass is spent), `SendOneTimeCode` +
//! `PersistSendThrottle`, `RecordCredentialUse`, `StartRegistrationGrace` (security
//! defaults' 14-day clock), `SnoozeRegistrationCampaign`, `AppendSignInLog` (exactly one per step), `CreateSession`
//! (only with `Done`).
//!
//! Inputs ([`Input`]): `Password`, `TemporaryAccessPass`, `Passkey` (assertion verified by
//! webauthn-rs at the edge), `TotpCode`, `SendCode`, `OneTimeCode`, `OutOfBandApproved`
//! (push, verified at the edge), `PasswordChanged`, `MethodRegistered`, `SkipRegistration`.
//! An input that does not fit the transaction's [`Stage`] ends it with 90100.
//!
//! Forward-auth and token refresh can judge an existing session with the same mapping:
//! [`session_evaluation_context`] builds the evaluator input for an existing session.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod amr;
mod campaign;
mod config;
mod effect;
pub mod error_code;
mod input;
pub mod log;
mod machine;
mod methods_policy;
mod outcome;
mod protocol;
mod request;
mod reset;
mod strengths;
mod subject;
mod transaction;

pub use campaign::{CampaignProgress, CampaignState, RegistrationCampaign};
pub use config::{DeliverableCodes, PolicyEnvironment, SignInConfig};
pub use effect::Effect;
pub use error_code::ErrorCode;
pub use input::{Input, OutOfBandDecline, PasskeyAssertion};
pub use log::{AuthenticationStep, ReplayInputError, SignInLogEntry, replay_input};
pub use machine::{
    Step, StepEnvironment, StepUpSession, begin_step_up, evaluation_context,
    session_evaluation_context, step,
};
pub use methods_policy::{
    AuthenticationMethodsPolicy, KeyEnforcement, KeyRestrictions, MethodConfiguration,
};
pub use outcome::{
    Challenge, ChallengePurpose, Completed, OfferedMethod, Outcome, PasswordChangeReason,
    RegistrationPrompt, Requirement,
};
pub use protocol::Protocol;
pub use request::{DeviceFacts, RequestContext, RiskInput};
pub use reset::{
    MAX_RESET_FAILURES, PasswordReset, ResetChannel, ResetEnvironment, ResetInput, ResetPolicy,
    ResetStage, ResetStep,
};
pub use strengths::StrengthCatalogue;
pub use subject::{
    MethodMaterial, PasswordRecord, PhoneChannel, RegisteredMethod, Subject, UserRecord,
};
pub use transaction::{SignInTransaction, Stage};
