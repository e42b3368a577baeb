//! "My security info": a user's own authentication methods (list, add TOTP and passkeys,
//! rename, remove, choose the default), the passkey sign-in helpers the edge calls, and
//! the admin side (list and delete a user's methods, issue a Temporary Access Pass).
//!
//! For the pages and the sign-in service:
//!
//! ```text
//! every registration   RegistrationContext { user, session, request, policy } — from
//!                      SignInService::{user_record, request_context, policy} and the
//!                      session's proven methods — is judged by Conditional Access for
//!                      `urn:user:registersecurityinfo` (the evaluator, no policy code here)
//! phone, email         begin_contact_verification(ctx, ContactMethod) ─▶ code sent through
//!                      the provider; finish_contact_verification(ctx, code) ─▶ saved only
//!                      if the code verifies (attempts, lifetime, resend throttling)
//! TOTP                 begin_totp(ctx) ─▶ TotpEnrolment { secret, otpauth URI, QR SVG }
//!                      finish_totp(ctx, code, name) ─▶ saved only if the code verifies
//! passkey              begin_passkey_registration(ctx) ─▶ options JSON for
//!                      navigator.credentials.create; finish_passkey_registration(ctx,
//!                      response JSON, name) ─▶ saved (AAGUID restrictions, UV required)
//! manage               list_methods, rename_method, set_default_method, remove_method
//!                      (the last strong method needs a fresh strong sign-in)
//! passkey sign-in      begin_passkey_authentication(user | username-less) ─▶ options JSON +
//!                      AuthenticationCeremony (keep it in the sign-in transaction);
//!                      finish_passkey_authentication(ceremony, response JSON) ─▶
//!                      PasskeySignIn { assertion for Input::Passkey, counter update }
//! admin (Graph)        list_user_methods, delete_user_method,
//!                      issue_temporary_access_pass, delete_temporary_access_pass
//! ```
//!
//! Registration ceremonies in progress (a TOTP secret not yet confirmed, a passkey
//! challenge) are kept server-side, one per user and kind, so the second request may reach
//! any node; finishing consumes them (single use), starting again replaces them.
//! Every write goes through `store.commit` with its audit record.

mod admin;
mod authenticator;
mod contact_methods;
mod contact_verification;
mod context;
mod error;
mod gate;
mod manage;
mod passkey_registration;
mod passkey_sign_in;
mod pending;
mod tap;
mod totp;
mod view;

use std::sync::Arc;

use portcullis_authn::password::PasswordHasher;
use portcullis_authn::tap::TapPolicy;
use portcullis_passkeys::{Passkeys, RelyingParty};
use time::Duration;

use crate::error::{ServiceError, ServiceResult};
use crate::services::Services;

pub use authenticator::AuthenticatorActivation;
pub use contact_methods::PhoneType;
pub use contact_verification::{ContactCodes, ContactMethod, ContactOffer, ContactVerification};
pub use context::RegistrationContext;
pub use error::SecurityInfoError;
pub use passkey_sign_in::{PasskeySignIn, PasskeySignInTarget};
pub use portcullis_passkeys::{AaguidPolicy, AuthenticationCeremony};
pub use tap::{IssuedTemporaryAccessPass, TemporaryAccessPassRequest};
pub use totp::TotpEnrolment;
pub use view::{MethodDetail, SecurityMethod};

/// Settings from the server's configuration.
#[derive(Debug, Clone)]
pub struct SecurityInfoSettings {
    /// Where passkeys are bound (RP ID and origins, from the public URL); `None` when
    /// the public URL cannot be a WebAuthn relying party (an IP address): passkeys are
    /// then unavailable and every other method still works.
    pub relying_party: Option<RelyingParty>,
    /// The issuer an authenticator app shows next to TOTP codes.
    pub totp_issuer: String,
    /// How long a user has to confirm a TOTP secret with a first code.
    pub totp_enrolment_lifetime: Duration,
    /// How recent a strong sign-in must be to remove the last strong method, or to
    /// register a passkey when the user already has a strong method (Entra: 5 minutes).
    pub fresh_sign_in: Duration,
    /// Temporary Access Pass lifetimes, length and one-time default.
    pub temporary_access_pass: TapPolicy,
}

impl SecurityInfoSettings {
    /// Portcullis's defaults for a public URL: TOTP confirmation within 10 minutes, a
    /// fresh sign-in within 5, passes of 10 minutes to 30 days (one hour by default).
    pub fn for_public_url(public_url: &str) -> ServiceResult<Self> {
        let relying_party = RelyingParty::for_public_url(public_url, "Portcullis")
            .map_err(|error| tracing::warn!(%error, "passkeys are unavailable"))
            .ok();
        Ok(Self {
            relying_party,
            totp_issuer: "Portcullis".to_owned(),
            totp_enrolment_lifetime: Duration::minutes(10),
            fresh_sign_in: Duration::minutes(5),
            temporary_access_pass: TapPolicy {
                minimum_lifetime_in_minutes: 10,
                maximum_lifetime_in_minutes: 43_200,
                ..TapPolicy::default()
            },
        })
    }
}

/// The security info service; cheap to clone, build once per node.
#[derive(Clone)]
pub struct SecurityInfoService {
    pub(crate) inner: Arc<Inner>,
    /// Where codes for adding a phone or an email address go; `None`: those methods
    /// are not offered (see `with_contact_codes`).
    pub(crate) contact_codes: Option<Arc<ContactCodes>>,
}

pub(crate) struct Inner {
    pub(crate) services: Services,
    /// `None` when the public URL cannot be a WebAuthn relying party (an IP address):
    /// passkeys are then unavailable, everything else works.
    pub(crate) passkeys: Option<Passkeys>,
    pub(crate) settings: SecurityInfoSettings,
    /// argon2id for Temporary Access Passes (the sign-in pipeline verifies with the same
    /// parameters' verifier: the PHC string carries them).
    pub(crate) hasher: PasswordHasher,
}

impl SecurityInfoService {
    pub fn new(services: Services, settings: SecurityInfoSettings) -> ServiceResult<Self> {
        let passkeys =
            settings.relying_party.as_ref().and_then(|relying_party| {
                match Passkeys::new(relying_party) {
                    Ok(passkeys) => Some(passkeys),
                    Err(err) => {
                        tracing::warn!(error = %err, "passkeys are unavailable");
                        None
                    }
                }
            });
        settings
            .temporary_access_pass
            .validate()
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let hasher = PasswordHasher::new(portcullis_authn::password::Argon2Params::default())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                services,
                passkeys,
                settings,
                hasher,
            }),
            contact_codes: None,
        })
    }

    /// Whether passkeys can be used here (the public URL names a domain).
    pub fn passkeys_available(&self) -> bool {
        self.inner.passkeys.is_some()
    }

    pub fn settings(&self) -> &SecurityInfoSettings {
        &self.inner.settings
    }

    /// The passkey ceremonies, or why there are none.
    pub(crate) fn passkeys(&self) -> Result<&Passkeys, ServiceError> {
        self.inner.passkeys.as_ref().ok_or_else(|| {
            ServiceError::Invalid(
                "passkeys need the public URL to name a domain (an IP address cannot be a WebAuthn relying party)"
                    .into(),
            )
        })
    }

    pub(crate) fn store(&self) -> &dyn portcullis_store::Store {
        self.inner.services.store.as_ref()
    }
}

#[cfg(test)]
mod tests;
