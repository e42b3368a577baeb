//! Signing in with a passkey: `POST /signin/passkey/options` (JSON for `webauthn.js`)
//! and `POST /signin/passkey` (the browser's assertion).
//!
//! From the first page ("Sign in with a passkey", no name typed) the options call begins
//! a username-less transaction and hands its handle back in `fields.flow`, which
//! `webauthn.js` copies into the form before posting the assertion. From a challenge the
//! form already carries the transaction, and the options list only that user's passkeys.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_service::security_info::SecurityInfoService;
use portcullis_service::signin::{SignInError, TransactionId};
use serde::Deserialize;
use serde_json::json;

use super::continuation::Continuation;
use super::flow::{self, BrowserFacts};
use super::outcome::{Rendering, respond};
use crate::kit::{CsrfToken, PageError, PageForm};
use crate::state::PagesState;

/// Longest accepted assertion JSON (a WebAuthn assertion is a few kilobytes).
const MAX_CREDENTIAL_CHARS: usize = 16 * 1024;

#[derive(Debug, Deserialize)]
pub struct PasskeyForm {
    #[serde(default)]
    flow: String,
    #[serde(flatten)]
    next: Continuation,
    #[serde(default)]
    credential: String,
}

fn passkeys(state: &PagesState) -> Result<&SecurityInfoService, PageError> {
    state
        .security_info
        .as_ref()
        .filter(|service| service.passkeys_available())
        .ok_or_else(|| {
            PageError::new(
                StatusCode::NOT_IMPLEMENTED,
                "Passkeys are not available",
                "This server's address cannot be used with passkeys. Sign in another way.",
            )
        })
}

/// A JSON error `webauthn.js` reports as a failed request.
fn json_error(error: PageError) -> Response {
    (error.status, Json(json!({ "error": error.message }))).into_response()
}

/// `POST /signin/passkey/options`.
pub async fn options(
    State(state): State<PagesState>,
    facts: BrowserFacts,
    PageForm(form): PageForm<PasskeyForm>,
) -> Response {
    match options_json(&state, facts, &form).await {
        Ok(response) => response,
        Err(error) => json_error(error),
    }
}

async fn options_json(
    state: &PagesState,
    facts: BrowserFacts,
    form: &PasskeyForm,
) -> Result<Response, PageError> {
    form.next.check()?;
    let passkeys = passkeys(state)?;
    let signin = &state.app.signin;
    if form.flow.is_empty() {
        let request = flow::request(&form.next, "", &facts);
        let (progress, options) = signin
            .begin_passkey(request, passkeys)
            .await
            .map_err(|e| flow::service_error(e, &form.next))?;
        return Ok(Json(json!({
            "options": options,
            "fields": { "flow": progress.transaction.as_str() },
        }))
        .into_response());
    }
    let handle = TransactionId::parse(&form.flow).ok_or_else(|| flow::expired(&form.next))?;
    let options = signin
        .passkey_options(&handle, passkeys)
        .await
        .map_err(|e| flow::service_error(e, &form.next))?;
    Ok(Json(json!({ "options": options })).into_response())
}

/// `POST /signin/passkey`: the assertion; the pipeline's answer renders as any step's.
pub async fn answer(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<PasskeyForm>,
) -> Result<Response, PageError> {
    form.next.check()?;
    if form.credential.is_empty() {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "Passkey not received",
            "Signing in with a passkey needs JavaScript in this browser. Use another method.",
        )
        .with_retry(form.next.signin_href()));
    }
    if form.credential.chars().count() > MAX_CREDENTIAL_CHARS {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "Too long",
            "What the browser sent is longer than any passkey answer.",
        ));
    }
    let handle = TransactionId::parse(&form.flow).ok_or_else(|| flow::expired(&form.next))?;
    let progress = state
        .app
        .signin
        .passkey_step(&handle, &form.credential, passkeys(&state)?)
        .await
        .map_err(|error| {
            if let SignInError::PasskeyRejected(reason) = &error {
                tracing::info!(%reason, "passkey refused at sign-in");
            }
            flow::service_error(error, &form.next)
        })?;
    let rendering = Rendering {
        csrf: &csrf,
        next: &form.next,
        cookies: &state.kit.cookies,
        username: "",
    };
    Ok(respond(&state.app.services, &rendering, progress).await)
}
