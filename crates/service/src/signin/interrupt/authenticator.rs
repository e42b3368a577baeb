//! Setting up the Portcullis Authenticator inside the registration interrupt — the
//! registration campaign's target method, and an option wherever policy offers it:
//!
//! ```text
//! begin_registration_authenticator ─▶ one-time activation link + QR code (Conditional
//!                                     Access on urn:user:registersecurityinfo and the
//!                                     methods policy, as in My security info)
//! the device activates with the link (POST /authenticator/activate, no session)
//! finish_registration_authenticator ─▶ the app activated during this sign-in?
//!                                     yes ─▶ step(MethodRegistered) ─▶ on to the destination
//!                                     no  ─▶ None (the page says "not yet")
//! ```
//!
//! Only an app activated after this sign-in's first factor counts: an app the user had
//! before cannot be passed off as one registered here (which would count as used).

use portcullis_authn::methods::MethodKind;
use portcullis_core::CredentialKind;
use portcullis_signin::{Input, Stage};
use time::OffsetDateTime;

use super::{SignInService, refused, transaction_user};
use crate::security_info::{AuthenticatorActivation, SecurityInfoService};
use crate::signin::types::{SignInError, SignInProgress, TransactionId};

/// The activation to show, and whether the interrupt may still be skipped (snoozed).
#[derive(Debug, Clone)]
pub struct RegistrationActivation {
    pub activation: AuthenticatorActivation,
    pub skippable: bool,
}

impl SignInService {
    /// Issues an activation link for the user of an interrupted sign-in.
    pub async fn begin_registration_authenticator(
        &self,
        transaction: &TransactionId,
        security_info: &SecurityInfoService,
    ) -> Result<RegistrationActivation, SignInError> {
        let parts = self.registration_parts(transaction).await?;
        let activation = security_info
            .begin_authenticator_activation(&parts.context(), OffsetDateTime::now_utc())
            .await
            .map_err(refused)?;
        let (_, doc) = self.open_transaction(transaction).await?;
        Ok(RegistrationActivation {
            activation,
            skippable: matches!(
                doc.transaction.stage(),
                Stage::Registration { skippable: true }
            ),
        })
    }

    /// Goes on with the sign-in once the app was activated during it; `Ok(None)` while
    /// it has not been.
    pub async fn finish_registration_authenticator(
        &self,
        transaction: &TransactionId,
    ) -> Result<Option<SignInProgress>, SignInError> {
        let parts = self.registration_parts(transaction).await?;
        let (_, doc) = self.open_transaction(transaction).await?;
        let user_id = transaction_user(&doc)?;
        let Some(first_factor_at) = parts.session.methods.iter().map(|used| used.at).min() else {
            return Ok(None);
        };
        let credentials = self.inner.store.list_credentials(&user_id).await?;
        let activated = credentials
            .iter()
            .filter(|credential| {
                credential.kind == CredentialKind::MicrosoftAuthenticator
                    && credential.created_date_time >= first_factor_at
            })
            .max_by_key(|credential| credential.created_date_time);
        let Some(credential) = activated else {
            return Ok(None);
        };
        self.step(
            transaction,
            Input::MethodRegistered {
                credential_id: credential.id.clone(),
                kind: MethodKind::AuthenticatorPush,
                aaguid: None,
            },
        )
        .await
        .map(Some)
    }
}
