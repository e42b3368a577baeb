//! Adding a phone or an email address in the registration interrupt of the native-client
//! sign-in API (the same sign-in service as the pages' `/signin/register/phone…`):
//!
//! ```text
//! POST /api/v1/signin/{transaction}/register/phone   {"phoneNumber": "+31…", "channel": "sms"|"voice"}
//! POST /api/v1/signin/{transaction}/register/email   {"emailAddress": "…"}
//!      → {"method": "sms"|"voice"|"email", "destination", "digits", "expiresAt"}: a code was sent
//! POST /api/v1/signin/{transaction}/register/contact/resend → the same, with a new code
//! POST /api/v1/signin/{transaction}/register/contact/verify {"code": "123456"}
//!      → the next progress (the method saved and counted as this sign-in's)
//! ```
//!
//! Refusals say what to do: `400 invalidPhoneNumber | invalidEmailAddress | wrongCode`
//! (with `attemptsLeft`) `| malformedCode`, `409 alreadyRegistered | verificationEnded`,
//! `429 codeThrottled` (with `Retry-After`), `502 codeNotSent`, `403 registrationRefused`
//! (a policy, or a method this prompt does not offer).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use portcullis_service::security_info::{ContactMethod, ContactVerification, SecurityInfoError};
use portcullis_service::signin::pipeline::PhoneChannel;
use portcullis_service::signin::{RegistrationContactError, SignInError, TransactionId};
use serde::Deserialize;
use serde_json::json;

use super::signin_api::answer;
use super::signin_api_body::{ApiBody, BoundedFields, no_store};
use super::signin_api_json::{CodeBody, api_error, signin_error};
use super::signin_api_passkey::security_info;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/signin/{transaction}/register/phone",
            post(begin_phone),
        )
        .route(
            "/api/v1/signin/{transaction}/register/email",
            post(begin_email),
        )
        .route(
            "/api/v1/signin/{transaction}/register/contact/resend",
            post(resend),
        )
        .route(
            "/api/v1/signin/{transaction}/register/contact/verify",
            post(verify),
        )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhoneBody {
    pub phone_number: String,
    /// `sms` (the default) or `voice`.
    #[serde(default)]
    pub channel: Option<PhoneChannel>,
}

impl BoundedFields for PhoneBody {
    fn bounded_fields(&self) -> Vec<&str> {
        vec![&self.phone_number]
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmailBody {
    pub email_address: String,
}

impl BoundedFields for EmailBody {
    fn bounded_fields(&self) -> Vec<&str> {
        vec![&self.email_address]
    }
}

async fn begin_phone(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<PhoneBody>,
) -> Response {
    let channel = body.channel.unwrap_or(PhoneChannel::Sms);
    match ContactMethod::phone(&body.phone_number, channel) {
        Ok(method) => begin(&state, &transaction, method).await,
        Err(error) => contact_error(error),
    }
}

async fn begin_email(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<EmailBody>,
) -> Response {
    match ContactMethod::email(&body.email_address) {
        Ok(method) => begin(&state, &transaction, method).await,
        Err(error) => contact_error(error),
    }
}

async fn begin(state: &AppState, transaction: &str, method: ContactMethod) -> Response {
    let Some(id) = TransactionId::parse(transaction) else {
        return signin_error(SignInError::UnknownTransaction);
    };
    let Some(security_info) = security_info(state) else {
        return unavailable();
    };
    match state
        .signin
        .begin_registration_contact(&id, method, &security_info)
        .await
    {
        Ok(verification) => sent(&verification),
        Err(error) => refused(error),
    }
}

async fn resend(State(state): State<AppState>, Path(transaction): Path<String>) -> Response {
    let Some(id) = TransactionId::parse(&transaction) else {
        return signin_error(SignInError::UnknownTransaction);
    };
    let Some(security_info) = security_info(&state) else {
        return unavailable();
    };
    match state
        .signin
        .resend_registration_contact(&id, &security_info)
        .await
    {
        Ok(verification) => sent(&verification),
        Err(error) => refused(error),
    }
}

async fn verify(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<CodeBody>,
) -> Response {
    let Some(id) = TransactionId::parse(&transaction) else {
        return signin_error(SignInError::UnknownTransaction);
    };
    let Some(security_info) = security_info(&state) else {
        return unavailable();
    };
    match state
        .signin
        .finish_registration_contact(&id, body.code.trim(), &security_info)
        .await
    {
        Ok(progress) => answer(Ok(progress)),
        Err(error) => refused(error),
    }
}

fn sent(verification: &ContactVerification) -> Response {
    let method = match &verification.method {
        ContactMethod::Phone {
            channel: PhoneChannel::Sms,
            ..
        } => "sms",
        ContactMethod::Phone {
            channel: PhoneChannel::Voice,
            ..
        } => "voice",
        ContactMethod::Email { .. } => "email",
    };
    no_store(
        Json(json!({
            "method": method,
            "destination": verification.method.destination(),
            "digits": verification.digits,
            "expiresAt": verification.expires_at.unix_timestamp(),
        }))
        .into_response(),
    )
}

fn unavailable() -> Response {
    api_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "registrationUnavailable",
        "Security information cannot be registered on this server.",
    )
}

fn refused(error: RegistrationContactError) -> Response {
    match error {
        RegistrationContactError::SignIn(error) => signin_error(error),
        RegistrationContactError::Refused(error) => contact_error(error),
    }
}

/// A refusal of the contact verification, with a code the client can act on.
fn contact_error(error: SecurityInfoError) -> Response {
    use SecurityInfoError as E;
    let message = error.to_string();
    match error {
        E::InvalidPhoneNumber { .. } => {
            api_error(StatusCode::BAD_REQUEST, "invalidPhoneNumber", &message)
        }
        E::InvalidEmailAddress { .. } => {
            api_error(StatusCode::BAD_REQUEST, "invalidEmailAddress", &message)
        }
        E::WrongVerificationCode { attempts_left } => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {
                "code": "wrongCode", "message": message, "attemptsLeft": attempts_left
            }})),
        )
            .into_response(),
        E::MalformedVerificationCode { .. } => {
            api_error(StatusCode::BAD_REQUEST, "malformedCode", &message)
        }
        E::AlreadyRegistered { .. } => {
            api_error(StatusCode::CONFLICT, "alreadyRegistered", &message)
        }
        E::VerificationEnded | E::NoPendingRegistration { .. } => {
            api_error(StatusCode::CONFLICT, "verificationEnded", &message)
        }
        E::SendThrottled { seconds } => {
            let mut response = api_error(StatusCode::TOO_MANY_REQUESTS, "codeThrottled", &message);
            if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        E::CodeNotSent { .. } => api_error(StatusCode::BAD_GATEWAY, "codeNotSent", &message),
        E::Service(inner) => signin_error(SignInError::Internal(inner.to_string())),
        E::RegistrationBlocked { .. }
        | E::StepUpRequired { .. }
        | E::FreshSignInRequired { .. }
        | E::MethodNotAllowed { .. }
        | E::WrongCode
        | E::Passkey(_) => api_error(StatusCode::FORBIDDEN, "registrationRefused", &message),
    }
}
