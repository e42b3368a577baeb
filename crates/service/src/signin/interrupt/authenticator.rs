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
use portcullis_core::{Credential, CredentialKind};
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
        let Some(credential) = activated_since(&credentials, first_factor_at) else {
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

/// The newest Authenticator device activated at or after `since`.
fn activated_since(credentials: &[Credential], since: OffsetDateTime) -> Option<&Credential> {
    credentials
        .iter()
        .filter(|credential| {
            credential.kind == CredentialKind::MicrosoftAuthenticator
                && credential.created_date_time >= since
        })
        .max_by_key(|credential| credential.created_date_time)
}

#[cfg(test)]
mod tests {
    use portcullis_core::{Credential, CredentialId, CredentialKind, UserId};
    use time::{Duration, OffsetDateTime};
    use uuid::Uuid;

    use super::activated_since;

    fn credential(kind: CredentialKind, created: OffsetDateTime) -> Credential {
        Credential {
            id: CredentialId::from_uuid(Uuid::new_v4()),
            user_id: UserId::from_uuid(Uuid::nil()),
            kind,
            display_name: None,
            payload: serde_json::json!({}),
            metadata: serde_json::json!({}),
            created_date_time: created,
            last_used_date_time: None,
            revision: 0,
        }
    }

    #[test]
    fn only_an_app_activated_during_this_sign_in_counts() {
        let first_factor = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        let before = credential(
            CredentialKind::MicrosoftAuthenticator,
            first_factor - Duration::hours(2),
        );
        let totp_after = credential(
            CredentialKind::SoftwareOath,
            first_factor + Duration::minutes(1),
        );
        assert!(
            activated_since(&[before.clone(), totp_after.clone()], first_factor).is_none(),
            "an older app, or another kind of method, is not this registration"
        );
        let first = credential(
            CredentialKind::MicrosoftAuthenticator,
            first_factor + Duration::minutes(1),
        );
        let second = credential(
            CredentialKind::MicrosoftAuthenticator,
            first_factor + Duration::minutes(2),
        );
        let all = [before, first, second.clone(), totp_after];
        assert_eq!(
            activated_since(&all, first_factor).map(|c| &c.id),
            Some(&second.id)
        );
    }
}
