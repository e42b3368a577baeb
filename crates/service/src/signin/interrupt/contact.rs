//! Adding a phone (text or call) or an email address inside the registration interrupt,
//! through the one contact verification of My security info
//! (`security_info::contact_verification`):
//!
//! ```text
//! registration_contact_offer ─▶ what the prompt lists and a provider can reach
//! begin_registration_contact(number | address) ─▶ code sent (Conditional Access on
//!                                    urn:user:registersecurityinfo, the methods policy,
//!                                    the atomic send throttle), tagged with this sign-in
//! resend_registration_contact ─▶ a new code
//! finish_registration_contact(code) ─▶ right code ─▶ saved, audited ─▶ step(MethodRegistered)
//! ```
//!
//! The method counts as performed in this sign-in only because its code was verified in
//! it: a verification started elsewhere (My security info, another sign-in) carries
//! another tag and is refused here.

use portcullis_authn::methods::MethodKind;
use portcullis_signin::{Input, PhoneChannel};
use time::OffsetDateTime;

use super::{RegistrationParts, SignInService};
use crate::security_info::{
    ContactMethod, ContactOffer, ContactVerification, SecurityInfoError, SecurityInfoService,
};
use crate::signin::types::{SignInError, SignInProgress, TransactionId};

/// Why adding a phone or an address inside a sign-in did not go on.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationContactError {
    /// The user can act on it where they are (a wrong or malformed code, a bad number,
    /// the throttle, a policy refusal): the verification, if any, goes on.
    #[error(transparent)]
    Refused(#[from] SecurityInfoError),
    /// The sign-in itself cannot go on (expired, not at the registration interrupt,
    /// rate limited, storage).
    #[error(transparent)]
    SignIn(#[from] SignInError),
}

impl SignInService {
    /// The contact methods this interrupt may add: listed by the prompt (the methods
    /// policy and the requirement) and reachable through a configured provider.
    pub async fn registration_contact_offer(
        &self,
        transaction: &TransactionId,
        security_info: &SecurityInfoService,
    ) -> Result<ContactOffer, SignInError> {
        let parts = self.registration_parts(transaction).await?;
        Ok(offer(&parts, security_info))
    }

    /// Sends a code to the phone or address, for this sign-in.
    pub async fn begin_registration_contact(
        &self,
        transaction: &TransactionId,
        method: ContactMethod,
        security_info: &SecurityInfoService,
    ) -> Result<ContactVerification, RegistrationContactError> {
        let parts = self.registration_parts(transaction).await?;
        let offered = offer(&parts, security_info);
        let listed = match &method {
            ContactMethod::Phone {
                channel: PhoneChannel::Sms,
                ..
            } => offered.sms,
            ContactMethod::Phone {
                channel: PhoneChannel::Voice,
                ..
            } => offered.voice,
            ContactMethod::Email { .. } => offered.email,
        };
        if !listed {
            return Err(SecurityInfoError::MethodNotAllowed {
                method: method.describe(),
            }
            .into());
        }
        Ok(security_info
            .begin_contact(
                &parts.context(),
                method,
                Some(&sign_in_tag(transaction)),
                OffsetDateTime::now_utc(),
            )
            .await?)
    }

    /// The verification of this sign-in in progress, if any.
    pub async fn pending_registration_contact(
        &self,
        transaction: &TransactionId,
        security_info: &SecurityInfoService,
    ) -> Result<Option<ContactVerification>, RegistrationContactError> {
        let parts = self.registration_parts(transaction).await?;
        Ok(security_info
            .pending_contact(
                &parts.user.id,
                Some(&sign_in_tag(transaction)),
                OffsetDateTime::now_utc(),
            )
            .await?)
    }

    /// A new code for this sign-in's verification (throttled like every code).
    pub async fn resend_registration_contact(
        &self,
        transaction: &TransactionId,
        security_info: &SecurityInfoService,
    ) -> Result<ContactVerification, RegistrationContactError> {
        let parts = self.registration_parts(transaction).await?;
        Ok(security_info
            .resend_contact(
                &parts.context(),
                Some(&sign_in_tag(transaction)),
                OffsetDateTime::now_utc(),
            )
            .await?)
    }

    /// Checks the code; when right the method is saved (audited) and the sign-in goes
    /// on with it counted as performed.
    pub async fn finish_registration_contact(
        &self,
        transaction: &TransactionId,
        code: &str,
        security_info: &SecurityInfoService,
    ) -> Result<SignInProgress, RegistrationContactError> {
        let parts = self.registration_parts(transaction).await?;
        let (method, kind) = security_info
            .finish_contact(
                &parts.context(),
                code,
                Some(&sign_in_tag(transaction)),
                OffsetDateTime::now_utc(),
            )
            .await?;
        Ok(self
            .step(
                transaction,
                Input::MethodRegistered {
                    credential_id: method.id.clone(),
                    kind,
                    aaguid: None,
                },
            )
            .await?)
    }
}

fn offer(parts: &RegistrationParts, security_info: &SecurityInfoService) -> ContactOffer {
    let reachable = security_info.contact_offer(&parts.context());
    let listed = |kind| parts.offered.contains(&kind);
    ContactOffer {
        sms: reachable.sms && listed(MethodKind::Sms),
        voice: reachable.voice && listed(MethodKind::Voice),
        email: reachable.email && listed(MethodKind::Email),
    }
}

/// What ties a verification to the sign-in that started it (the handle's hash: the
/// handle itself is a secret and is never stored).
fn sign_in_tag(transaction: &TransactionId) -> String {
    transaction.hash().as_str().to_owned()
}
