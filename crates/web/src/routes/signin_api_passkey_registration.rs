//! Creating a passkey in the registration interrupt of the native-client sign-in API
//! (the same sign-in service as the pages' `/signin/register/passkey`):
//!
//! ```text
//! POST /api/v1/signin/{transaction}/register/passkey/options
//!      → {"passkeyOptions"} for navigator.credentials.create (or the platform's API)
//! POST /api/v1/signin/{transaction}/register/passkey {"credential": PublicKeyCredential JSON}
//!      → the next progress, the passkey saved and counted as this sign-in's
//! ```
//!
//! A refused passkey (a model the AAGUID rules refuse, an expired ceremony, a policy) is
//! `403 registrationRefused` with the reason; the sign-in stays open for new options.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;

use super::signin_api::answer;
use super::signin_api_body::{ApiBody, no_store};
use super::signin_api_json::{api_error, signin_error};
use super::signin_api_passkey::{MAX_CREDENTIAL_BYTES, PasskeyBody, parts, parts_error};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/signin/{transaction}/register/passkey/options",
            post(options),
        )
        .route(
            "/api/v1/signin/{transaction}/register/passkey",
            post(finish),
        )
}

async fn options(State(state): State<AppState>, Path(transaction): Path<String>) -> Response {
    let Some((id, security_info)) = parts(&state, &transaction) else {
        return parts_error(&transaction);
    };
    match state
        .signin
        .registration_passkey_options(&id, &security_info)
        .await
    {
        Ok(options) => no_store(Json(json!({ "passkeyOptions": options })).into_response()),
        Err(error) => signin_error(error),
    }
}

async fn finish(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<PasskeyBody>,
) -> Response {
    let credential = body.credential.to_string();
    if credential.len() > MAX_CREDENTIAL_BYTES {
        return api_error(
            StatusCode::BAD_REQUEST,
            "invalidRequest",
            "The credential is longer than any WebAuthn attestation.",
        );
    }
    let Some((id, security_info)) = parts(&state, &transaction) else {
        return parts_error(&transaction);
    };
    answer(
        state
            .signin
            .finish_registration_passkey(&id, &credential, &security_info)
            .await,
    )
}
