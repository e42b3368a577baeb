//! Passwordless phone sign-in on the sign-in page: instead of the password, "Approve a
//! request in Portcullis Authenticator". The page shows the number and waits like the
//! MFA push page (`push.js` long-polls `/signin/phone/status`); the sign-in service
//! decides everything, including that every name sees the same number and wait.

use std::time::Duration;

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_service::signin::{PhoneSignIn, SignInError, TransactionId};
use serde::Deserialize;
use time::OffsetDateTime;

use super::continuation::Continuation;
use super::flow::{self, MAX_USERNAME_CHARS};
use super::outcome::{Rendering, respond};
use super::push::LONG_POLL;
use super::views::{FlowFields, PasswordPage};
use crate::kit::{CsrfToken, PageError, PageForm, render};
use crate::state::PagesState;

pub fn routes() -> axum::Router<PagesState> {
    use axum::routing::post;
    axum::Router::new()
        .route("/signin/phone", post(start))
        .route("/signin/phone/wait", post(wait))
        .route("/signin/phone/status", post(status))
        .route("/signin/phone/withdraw", post(withdraw))
}

#[derive(Debug, Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    flow: String,
    #[serde(flatten)]
    next: Continuation,
    #[serde(default)]
    username: String,
}

impl PhoneForm {
    fn transaction(&self) -> Result<TransactionId, PageError> {
        TransactionId::parse(&self.flow).ok_or_else(|| flow::expired(&self.next))
    }

    fn flow_fields(&self, csrf: &str) -> FlowFields {
        FlowFields {
            csrf: csrf.to_owned(),
            handle: self.flow.clone(),
            next: self.next.clone(),
        }
    }

    fn username(&self) -> String {
        self.username.chars().take(MAX_USERNAME_CHARS).collect()
    }
}

#[derive(Template)]
#[template(path = "push/phone_wait.html")]
pub struct PhoneWaitPage {
    pub flow: FlowFields,
    pub username: String,
    pub number: String,
    pub seconds_left: i64,
}

fn wait_page(csrf: &str, form: &PhoneForm, request: &PhoneSignIn) -> Response {
    render(&PhoneWaitPage {
        flow: form.flow_fields(csrf),
        username: form.username(),
        number: request.number.to_string(),
        seconds_left: (request.expires_at - OffsetDateTime::now_utc())
            .whole_seconds()
            .max(0),
    })
}

/// `POST /signin/phone`: send the request (when there is anyone to send it to) and show
/// the number.
pub async fn start(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<PhoneForm>,
) -> Result<Response, PageError> {
    form.next.check()?;
    let transaction = form.transaction()?;
    let request = state
        .app
        .signin
        .start_phone_sign_in(state.app.services.push(), &transaction)
        .await
        .map_err(|e| flow::service_error(e, &form.next))?;
    Ok(wait_page(&csrf, &form, &request))
}

/// `POST /signin/phone/wait`: wait for the answer, then move the sign-in on (or show
/// the wait again).
pub async fn wait(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<PhoneForm>,
) -> Result<Response, PageError> {
    form.next.check()?;
    let transaction = form.transaction()?;
    let signin = &state.app.signin;
    let push = state.app.services.push();
    let finished = signin
        .finish_phone_sign_in(push, &transaction, LONG_POLL)
        .await
        .map_err(|e| flow::service_error(e, &form.next))?;
    match finished {
        Some(progress) => {
            let username = form.username();
            let rendering = Rendering {
                csrf: &csrf,
                next: &form.next,
                cookies: &state.kit.cookies,
                username: &username,
            };
            Ok(respond(&state.app.services, &rendering, progress).await)
        }
        None => {
            let request = signin
                .phone_sign_in(&transaction)
                .await
                .map_err(|e| flow::service_error(e, &form.next))?;
            Ok(wait_page(&csrf, &form, &request))
        }
    }
}

/// `POST /signin/phone/withdraw`: "use my password instead".
pub async fn withdraw(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<PhoneForm>,
) -> Result<Response, PageError> {
    form.next.check()?;
    let transaction = form.transaction()?;
    state
        .app
        .signin
        .withdraw_phone_sign_in(state.app.services.push(), &transaction)
        .await
        .map_err(|e| flow::service_error(e, &form.next))?;
    Ok(render(&PasswordPage {
        flow: form.flow_fields(&csrf),
        username: form.username(),
        error: None,
    }))
}

/// `POST /signin/phone/status` (from `push.js`): `{"state": …}` once the request is
/// answered or expired, or after [`LONG_POLL`]. It never moves the sign-in on.
pub async fn status(
    State(state): State<PagesState>,
    PageForm(form): PageForm<PhoneForm>,
) -> Response {
    let Ok(transaction) = form.transaction() else {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "state": "unknown" })),
        )
            .into_response();
    };
    let wait: Duration = LONG_POLL;
    match state
        .app
        .signin
        .phone_sign_in_state(state.app.services.push(), &transaction, wait)
        .await
    {
        Ok(settled) => Json(serde_json::json!({ "state": settled.name() })).into_response(),
        // Over or unknown: the script submits the wait form, whose answer explains it.
        Err(SignInError::UnknownTransaction) => {
            Json(serde_json::json!({ "state": "unknown" })).into_response()
        }
        Err(error) => {
            tracing::warn!(%error, "passwordless sign-in status could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "state": "unavailable" })),
            )
                .into_response()
        }
    }
}
