//! Setting up the Portcullis Authenticator in the registration interrupt of the
//! native-client sign-in API — the registration campaign's nudge, or a required
//! registration that offers it (the same sign-in service as the pages'
//! `/signin/register/authenticator`):
//!
//! ```text
//! POST /api/v1/signin/{transaction}/register/authenticator
//!      → {"activationLink", "qrSvg", "expiresAt", "skippable"}: show the link or QR code
//!        to the device (POST /authenticator/activate)
//! POST /api/v1/signin/{transaction}/register/authenticator/done
//!      → the next progress once an app was activated during this sign-in;
//!        202 {"activated": false} while none is (ask again after the user activated the
//!        app, or poll no more than every few seconds: it counts against the sign-in's
//!        per-account rate limit)
//! POST /api/v1/signin/{transaction}/skipRegistration   → snooze (signin_api.rs)
//! ```

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use portcullis_service::signin::{SignInError, TransactionId};
use serde_json::json;

use super::signin_api::answer;
use super::signin_api_body::no_store;
use super::signin_api_json::{api_error, signin_error};
use super::signin_api_passkey::security_info;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/signin/{transaction}/register/authenticator",
            post(begin),
        )
        .route(
            "/api/v1/signin/{transaction}/register/authenticator/done",
            post(done),
        )
}

async fn begin(State(state): State<AppState>, Path(transaction): Path<String>) -> Response {
    let Some(id) = TransactionId::parse(&transaction) else {
        return signin_error(SignInError::UnknownTransaction);
    };
    let Some(security_info) = security_info(&state) else {
        return api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "registrationUnavailable",
            "Security information cannot be registered on this server.",
        );
    };
    match state
        .signin
        .begin_registration_authenticator(&id, &security_info)
        .await
    {
        // The link activates a device for this user: a secret.
        Ok(issued) => no_store(
            Json(json!({
                "activationLink": issued.activation.link,
                "qrSvg": issued.activation.qr_svg,
                "expiresAt": issued.activation.expires_at.unix_timestamp(),
                "skippable": issued.skippable,
            }))
            .into_response(),
        ),
        Err(error) => signin_error(error),
    }
}

async fn done(State(state): State<AppState>, Path(transaction): Path<String>) -> Response {
    let Some(id) = TransactionId::parse(&transaction) else {
        return signin_error(SignInError::UnknownTransaction);
    };
    match state.signin.finish_registration_authenticator(&id).await {
        Ok(Some(progress)) => answer(Ok(progress)),
        Ok(None) => (
            StatusCode::ACCEPTED,
            Json(json!({"activated": false, "message": "No app was activated during this sign-in yet; activate it with the link, then ask again."})),
        )
            .into_response(),
        Err(error) => signin_error(error),
    }
}
