//! Adding the Portcullis Authenticator (push) from My security info: a one-time
//! activation link, shown as a QR code and as text to paste into the app.
//!
//! The app's later `POST /authenticator/activate` carries no session, so the checks a
//! registration needs — Conditional Access on `urn:user:registersecurityinfo` and the
//! authentication methods policy — are made here, when the link is issued to the
//! signed-in user: a password thief who cannot pass registration policy never sees a code.

use portcullis_authn::methods::MethodKind;
use portcullis_authn::totp::qr_svg;
use time::OffsetDateTime;

use super::SecurityInfoService;
use super::context::RegistrationContext;
use super::error::{SecurityInfoError, SecurityInfoResult};
use super::gate::judge_registration;
use crate::error::ServiceError;
use crate::push::PushError;

/// What the page shows to activate the app. The code is a bearer secret for the next
/// few minutes (stored only as its hash); show it once.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthenticatorActivation {
    /// `https://HOST/authenticator/activate?code=…`, for pasting into the app.
    pub link: String,
    /// The link as a QR code, an inline `<svg>` element.
    pub qr_svg: String,
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for AuthenticatorActivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenticatorActivation")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl SecurityInfoService {
    /// Issues an activation link for the signed-in user, after Conditional Access and the
    /// methods policy allow registering the Authenticator.
    pub async fn begin_authenticator_activation(
        &self,
        context: &RegistrationContext<'_>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<AuthenticatorActivation> {
        judge_registration(context, now)?;
        if !context
            .policy
            .methods
            .allows(MethodKind::AuthenticatorPush, context.user)
        {
            return Err(SecurityInfoError::MethodNotAllowed {
                method: "Portcullis Authenticator (push)",
            });
        }
        let issued = self
            .inner
            .services
            .push()
            .issue_activation(&context.user.id, now)
            .await
            .map_err(|error| match error {
                PushError::Store(store) => ServiceError::from(store),
                other => ServiceError::Internal(other.to_string()),
            })?;
        let qr_svg = qr_svg(&issued.link).map_err(|e| ServiceError::Internal(e.to_string()))?;
        tracing::info!(user = %context.user.id, "authenticator activation link issued");
        Ok(AuthenticatorActivation {
            link: issued.link,
            qr_svg,
            expires_at: issued.expires_at,
        })
    }
}
