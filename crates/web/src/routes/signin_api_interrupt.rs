//! The interrupts of the native-client sign-in API (same pipeline as the pages):
//!
//! ```text
//! POST /api/v1/signin/{transaction}/passwordChange        {"newPassword": "…"}
//!      → the next progress; 400 passwordRejected with every reason otherwise
//! POST /api/v1/signin/{transaction}/register/totp         → {"secret", "uri", "account",
//!      "digits", "expiresAt"}: add an authenticator app in the registration interrupt
//! POST /api/v1/signin/{transaction}/register/totp/verify  {"code": "123456"}
//!      → the next progress; 400 wrongCode ends that secret (start the setup again)
//! ```

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use portcullis_service::signin::{SignInError, TransactionId};
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
            "/api/v1/signin/{transaction}/passwordChange",
            post(change_password),
        )
        .route(
            "/api/v1/signin/{transaction}/register/totp",
            post(begin_totp),
        )
        .route(
            "/api/v1/signin/{transaction}/register/totp/verify",
            post(verify_totp),
        )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChangeBody {
    pub new_password: String,
}

impl BoundedFields for PasswordChangeBody {
    fn bounded_fields(&self) -> Vec<&str> {
        vec![&self.new_password]
    }
}

fn unknown() -> Response {
    signin_error(SignInError::UnknownTransaction)
}

fn unavailable() -> Response {
    api_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "registrationUnavailable",
        "Security information cannot be registered on this server.",
    )
}

async fn change_password(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<PasswordChangeBody>,
) -> Response {
    let Some(id) = TransactionId::parse(&transaction) else {
        return unknown();
    };
    answer(state.signin.change_password(&id, &body.new_password).await)
}

async fn begin_totp(State(state): State<AppState>, Path(transaction): Path<String>) -> Response {
    let Some(id) = TransactionId::parse(&transaction) else {
        return unknown();
    };
    let Some(security_info) = security_info(&state) else {
        return unavailable();
    };
    match state
        .signin
        .begin_registration_totp(&id, &security_info)
        .await
    {
        // The body carries the new secret.
        Ok(enrolment) => no_store(
            Json(json!({
                "secret": enrolment.secret,
                "uri": enrolment.uri,
                "account": enrolment.account,
                "digits": enrolment.digits,
                "expiresAt": enrolment.expires_at.unix_timestamp(),
            }))
            .into_response(),
        ),
        Err(error) => signin_error(error),
    }
}

async fn verify_totp(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<CodeBody>,
) -> Response {
    let Some(id) = TransactionId::parse(&transaction) else {
        return unknown();
    };
    let Some(security_info) = security_info(&state) else {
        return unavailable();
    };
    answer(
        state
            .signin
            .finish_registration_totp(&id, body.code.trim(), &security_info)
            .await,
    )
}
