//! Adding an authenticator app (TOTP): a new secret shown as an `otpauth://` URI and a QR
//! code, saved only once the user proves the app has it with a first code.

use portcullis_authn::methods::MethodKind;
use portcullis_authn::totp::{OtpAuthUri, Totp, TotpAlgorithm, TotpConfig, TotpSecret, qr_svg};
use portcullis_core::audit::category;
use portcullis_core::{Credential, CredentialId, CredentialKind};
use portcullis_store::{Batch, Change};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::SecurityInfoService;
use super::context::RegistrationContext;
use super::error::{SecurityInfoError, SecurityInfoResult};
use super::gate::judge_registration;
use super::manage::{checked_name, method_target};
use super::pending::PendingKind;
use super::view::SecurityMethod;
use crate::error::ServiceError;
use crate::services::audit_record;

/// What the page shows to set up the app. The secret appears here once; it is stored
/// server-side until confirmed.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TotpEnrolment {
    /// Base32, for typing in by hand.
    pub secret: String,
    /// `otpauth://totp/…`, for a link on a phone.
    pub uri: String,
    /// The URI as a QR code, an inline `<svg>` element.
    pub qr_svg: String,
    /// The account name the app shows (the user principal name).
    pub account: String,
    pub digits: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolment")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The secret kept between the two steps.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingTotp {
    secret: String,
    config: TotpConfig,
}

/// The stored payload, in the sign-in service's `softwareOath` shape
/// (`signin::credential_payload::TotpPayload`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TotpPayload<'a> {
    secret: &'a str,
    config: TotpConfig,
    last_used_step: Option<u64>,
}

impl SecurityInfoService {
    /// Starts adding an authenticator app: judged by Conditional Access first, and the
    /// methods policy must enable TOTP for the user.
    pub async fn begin_totp(
        &self,
        context: &RegistrationContext<'_>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<TotpEnrolment> {
        judge_registration(context, now)?;
        if !context
            .policy
            .methods
            .allows(MethodKind::Totp, context.user)
        {
            return Err(SecurityInfoError::MethodNotAllowed {
                method: "Authenticator app (TOTP)",
            });
        }
        let config = TotpConfig::default();
        let secret = TotpSecret::generate(TotpAlgorithm::Sha1, &mut rand::rng());
        let encoded = secret.to_base32();
        let uri = OtpAuthUri::new(
            &self.settings().totp_issuer,
            &context.user.user_principal_name,
            secret,
            config,
        )
        .map_err(|e| ServiceError::Invalid(e.to_string()))?
        .to_uri();
        let qr_svg = qr_svg(&uri).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let expires_at = now + self.settings().totp_enrolment_lifetime;
        let pending = serde_json::to_value(PendingTotp {
            secret: encoded.clone(),
            config,
        })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.put_pending(&context.user.id, PendingKind::Totp, pending, expires_at)
            .await?;
        Ok(TotpEnrolment {
            account: context.user.user_principal_name.clone(),
            digits: u32::from(u8::from(config.digits())),
            secret: encoded,
            uri,
            qr_svg,
            expires_at,
        })
    }

    /// Finishes adding an authenticator app: the first code must verify (±1 step), and
    /// its step is stored as used, so the same code cannot sign in afterwards. A wrong
    /// code ends the enrolment (start again for a new secret): a guess gets one try.
    pub async fn finish_totp(
        &self,
        context: &RegistrationContext<'_>,
        code: &str,
        display_name: Option<&str>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<SecurityMethod> {
        judge_registration(context, now)?;
        let name = checked_name(display_name.unwrap_or("Authenticator app"))?;
        let state = self
            .take_pending(&context.user.id, PendingKind::Totp, now)
            .await?;
        let pending: PendingTotp = serde_json::from_value(state).map_err(|_| {
            SecurityInfoError::NoPendingRegistration {
                what: "authenticator app",
            }
        })?;
        let secret = TotpSecret::from_base32(&pending.secret)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let step = Totp::new(secret, pending.config)
            .verify(code, now, None)
            .map_err(|_| SecurityInfoError::WrongCode)?;
        let payload = serde_json::to_value(TotpPayload {
            secret: &pending.secret,
            config: pending.config,
            last_used_step: Some(step),
        })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let credential = Credential {
            id: CredentialId::from_uuid(Uuid::new_v4()),
            user_id: context.user.id.clone(),
            kind: CredentialKind::SoftwareOath,
            display_name: Some(name),
            payload,
            metadata: serde_json::json!({}),
            created_date_time: now,
            last_used_date_time: None,
            revision: 0,
        };
        let audit = audit_record(
            &context.caller(),
            category::USER_AUTHENTICATION_METHOD,
            "User registered security info",
            "Add",
        )
        .with_target(method_target(&credential))
        .with_detail("methodType", "softwareOath");
        self.store()
            .commit(Batch::single(
                Change::AddCredential(credential.clone()),
                audit,
            ))
            .await?;
        Ok(SecurityMethod::from_credential(&credential, now))
    }
}
