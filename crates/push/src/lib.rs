//! The Portcullis Authenticator protocol: push approval with number matching, as pure
//! code. No I/O, no clock, no OS randomness: the edge (`portcullis-service`'s push module
//! and the `portcullis-authenticator` app) passes time and a generator in and carries out
//! what comes back.
//!
//! ```text
//! activation   PendingActivation::issue ─▶ (code to the user) ─▶ app signs activation_bytes
//!              ─▶ device::activate ─▶ Device (a credential of the user)
//! sign-in      FatigueState::may_push ─▶ PendingApproval::create (number on the sign-in
//!              screen, notice without the number to the devices)
//! answer       app signs AnswerFields::canonical_bytes ─▶ verify_answer ─▶ Verdict
//!              ─▶ settle ─▶ Settlement { state (compare-and-set on Pending), fatigue,
//!                 actions: CompleteSignIn | FailSignIn | HelpdeskVerified | Fraud | RecordFatigue }
//! ```
//!
//! Rules kept (property-tested in `tests/properties.rs`): an answer is accepted only if
//! it is signed by an active device of the approval's user over this approval's id, nonce
//! and expiry, before the expiry, while the approval is pending; an approval needs the
//! number shown; a refused answer changes nothing.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod answer;
pub mod approval;
pub mod device;
pub mod device_request;
pub mod fatigue;
pub mod key;
pub mod message;
pub mod number;
pub mod settle;
pub mod wire;

pub use answer::{AnswerRefused, SignedAnswer, Verdict, effective_state, verify_answer};
pub use approval::{
    ApprovalContext, ApprovalId, ApprovalPurpose, ApprovalState, DEFAULT_APPROVAL_LIFETIME, Nonce,
    NoticePurpose, PendingApproval, PushNotice,
};
pub use device::{
    ActivationError, ActivationRequest, Device, DeviceState, IssuedActivation, PendingActivation,
    activate, hash_activation_code,
};
pub use device_request::{DeviceRequest, DeviceRequestRefused, verify_device_request};
pub use fatigue::{FatigueEvent, FatiguePolicy, FatigueState, PushRefusal, SuspensionReason};
pub use key::{AnswerSignature, DevicePublicKey, KeyError};
pub use message::{AnswerFields, Decision, activation_bytes, device_request_bytes};
pub use number::{InvalidMatchNumber, MatchNumber};
pub use settle::{EdgeAction, FraudReport, Settlement, settle};
