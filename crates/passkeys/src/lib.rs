//! WebAuthn / passkey ceremonies for Portcullis, over webauthn-rs.
//!
//! Pure: no I/O, no clock. The caller passes the time (ceremony expiry, clone flags), and
//! keeps the serialisable ceremony state server-side between the two HTTP requests of a
//! ceremony, so the second request may land on any node. The one thing this crate cannot
//! inject is the challenge's randomness: webauthn-rs draws it from the operating system's
//! generator itself, which is what a challenge needs anyway.
//!
//! | step | call | result |
//! |---|---|---|
//! | registration, request 1 | [`Passkeys::begin_registration`] | options JSON for `navigator.credentials.create`, [`RegistrationCeremony`] to keep |
//! | registration, request 2 | [`Passkeys::finish_registration`] | [`RegisteredPasskey`]: the [`StoredPasskey`] to save, AAGUID, discoverable |
//! | sign-in, request 1 | [`Passkeys::begin_authentication`] (a known user, or username-less) | options JSON for `navigator.credentials.get`, [`AuthenticationCeremony`] to keep |
//! | sign-in, request 2 | [`PasskeyResponse::parse`], load the owner's passkeys (by [`PasskeyResponse::user_handle`] when username-less), [`Passkeys::finish_authentication`] | [`VerifiedPasskey`]: the pipeline's [`portcullis_signin::PasskeyAssertion`] and the updated counter to save |
//!
//! Rules kept:
//! * **User verification is always required** (PIN or biometric), as for Entra's FIDO2
//!   method: a passkey is a multifactor method by itself, so an assertion without the UV
//!   flag is refused, at registration and at sign-in.
//! * **Counter regression is a clone signal**: the credential is flagged
//!   ([`PasskeyError::CloneSuspected`] carries the flagged record to save) and refused
//!   from then on, until the user or an admin removes it.
//! * **AAGUID restrictions** ([`AaguidPolicy`]: the methods policy's key restrictions and
//!   a strength's `allowedAAGUIDs`) are enforced at registration and at sign-in.
//! * Ceremony state is single-use by construction (the finish calls take it by value)
//!   and expires ([`RelyingParty::ceremony_lifetime`]).

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod aaguid;
mod authentication;
mod authenticator_data;
mod ceremony;
mod error;
mod registration;
mod relying_party;
mod stored;

pub use aaguid::AaguidPolicy;
pub use authentication::{
    AuthenticationTarget, PasskeyCandidate, PasskeyResponse, VerifiedPasskey,
};
pub use ceremony::{AuthenticationCeremony, RegistrationCeremony};
pub use error::PasskeyError;
pub use registration::{PasskeyUser, RegisteredPasskey};
pub use relying_party::{Passkeys, RelyingParty};
pub use stored::{PasskeyType, STORED_FORMAT, StoredPasskey};
