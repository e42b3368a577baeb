//! Getting through the sign-in's interrupts: registering a method
//! (`/signin/register/totp[/verify]`, `/signin/register/passkey[/options]`,
//! `/signin/register/authenticator[/done]` — the campaign's target) and the
//! forced password change (`/signin/password-change`). The service decides; these
//! handlers read the form, call it and render what comes back.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_service::security_info::SecurityInfoService;
use portcullis_service::signin::{SignInError, SignInProgress, TransactionId};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use super::continuation::Continuation;
use super::flow;
use super::outcome::{Rendering, parse_password_change_reason, password_change_page, respond};
use super::views::{FlowFields, RegisterAuthenticatorPage, RegisterTotpPage, TotpSetupView};
use crate::kit::{CsrfToken, PageError, PageForm, render};
use crate::state::PagesState;

/// Longest accepted attestation JSON (a passkey's attestation is a few kilobytes).
const MAX_CREDENTIAL_CHARS: usize = 32 * 1024;
/// Longest new password accepted from the form (the rules refuse over 256 characters
/// with a reason; this only bounds the request).
const MAX_PASSWORD_CHARS: usize = 1024;

#[derive(Debug, Deserialize)]
pub struct InterruptForm {
    #[serde(default)]
    flow: String,
    #[serde(flatten)]
    pub(super) next: Continuation,
    /// The authenticator app's first code.
    #[serde(default)]
    pub(super) code: String,
    /// The browser's `PublicKeyCredential` (passkey creation).
    #[serde(default)]
    credential: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
    /// Why the password must change (only the page's words depend on it).
    #[serde(default)]
    reason: String,
    /// A phone number to add (`register_contact.rs`), and `sms` or `voice`.
    #[serde(default)]
    pub(super) number: String,
    #[serde(default)]
    pub(super) channel: String,
    /// An email address to add.
    #[serde(default)]
    pub(super) address: String,
}

impl InterruptForm {
    pub(super) fn handle(&self) -> Result<TransactionId, PageError> {
        self.next.check()?;
        TransactionId::parse(&self.flow).ok_or_else(|| flow::expired(&self.next))
    }

    pub(super) fn flow_fields(&self, csrf: &str) -> FlowFields {
        FlowFields {
            csrf: csrf.to_owned(),
            handle: self.flow.clone(),
            next: self.next.clone(),
        }
    }
}

pub(super) fn security_info(state: &PagesState) -> Result<&SecurityInfoService, PageError> {
    state.security_info.as_ref().ok_or_else(|| {
        PageError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Registration is unavailable",
            "Security information cannot be registered on this server. Contact your administrator.",
        )
    })
}

pub(super) async fn render_progress(
    state: &PagesState,
    csrf: &str,
    form: &InterruptForm,
    progress: SignInProgress,
) -> Response {
    let rendering = Rendering {
        csrf,
        next: &form.next,
        cookies: &state.kit.cookies,
        username: "",
    };
    respond(&state.app.services, &rendering, progress).await
}

/// `POST /signin/register/totp`: a new secret, shown as a QR code.
pub async fn begin_totp(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    totp_setup_page(&state, &csrf, &form, None).await
}

async fn totp_setup_page(
    state: &PagesState,
    csrf: &str,
    form: &InterruptForm,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    let enrolment = state
        .app
        .signin
        .begin_registration_totp(&handle, security_info(state)?)
        .await
        .map_err(|e| flow::service_error(e, &form.next))?;
    Ok(render(&RegisterTotpPage {
        flow: form.flow_fields(csrf),
        setup: TotpSetupView::from(enrolment),
        error,
    }))
}

/// `POST /signin/register/totp/verify`: the app's first code. A wrong code ends that
/// secret (a guess gets one try), so the page shows a new one to scan.
pub async fn verify_totp(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    let code: String = form.code.trim().chars().take(16).collect();
    match state
        .app
        .signin
        .finish_registration_totp(&handle, &code, security_info(&state)?)
        .await
    {
        Ok(progress) => Ok(render_progress(&state, &csrf, &form, progress).await),
        Err(SignInError::WrongRegistrationCode) => {
            totp_setup_page(
                &state,
                &csrf,
                &form,
                Some("That code was not right, so we made a new key. Remove the old entry from your app, scan this code and enter the code it shows."),
            )
            .await
        }
        Err(other) => Err(flow::service_error(other, &form.next)),
    }
}

/// `POST /signin/register/passkey/options`: JSON for `webauthn.js`.
pub async fn passkey_options(
    State(state): State<PagesState>,
    PageForm(form): PageForm<InterruptForm>,
) -> Response {
    let result = async {
        let handle = form.handle()?;
        state
            .app
            .signin
            .registration_passkey_options(&handle, security_info(&state)?)
            .await
            .map_err(|e| flow::service_error(e, &form.next))
    }
    .await;
    match result {
        Ok(options) => Json(json!({ "options": options })).into_response(),
        Err(error) => (error.status, Json(json!({ "error": error.message }))).into_response(),
    }
}

/// `POST /signin/register/passkey`: the created passkey; the sign-in goes on.
pub async fn finish_passkey(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    if form.credential.is_empty() || form.credential.chars().count() > MAX_CREDENTIAL_CHARS {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "Passkey not received",
            "Creating a passkey needs JavaScript in this browser. Choose another method.",
        )
        .with_retry(form.next.signin_href()));
    }
    let progress = state
        .app
        .signin
        .finish_registration_passkey(&handle, &form.credential, security_info(&state)?)
        .await
        .map_err(|e| flow::service_error(e, &form.next))?;
    Ok(render_progress(&state, &csrf, &form, progress).await)
}

/// `POST /signin/register/authenticator`: a one-time activation link for the app.
pub async fn begin_authenticator(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    authenticator_page(&state, &csrf, &form, None).await
}

async fn authenticator_page(
    state: &PagesState,
    csrf: &str,
    form: &InterruptForm,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    let issued = state
        .app
        .signin
        .begin_registration_authenticator(&handle, security_info(state)?)
        .await
        .map_err(|e| flow::service_error(e, &form.next))?;
    let minutes = (issued.activation.expires_at - OffsetDateTime::now_utc())
        .whole_minutes()
        .max(1);
    let mut response = render(&RegisterAuthenticatorPage {
        flow: form.flow_fields(csrf),
        qr_svg: issued.activation.qr_svg,
        link: issued.activation.link,
        minutes,
        skippable: issued.skippable,
        error,
    });
    if error.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    Ok(response)
}

/// `POST /signin/register/authenticator/done`: the sign-in goes on once the app is
/// activated; until then the page says so, with a fresh link.
pub async fn finish_authenticator(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    match state
        .app
        .signin
        .finish_registration_authenticator(&handle)
        .await
        .map_err(|e| flow::service_error(e, &form.next))?
    {
        Some(progress) => Ok(render_progress(&state, &csrf, &form, progress).await),
        None => {
            authenticator_page(
                &state,
                &csrf,
                &form,
                Some("The app is not activated yet. Activate it with this new link (the previous one still works for a few minutes), then continue."),
            )
            .await
        }
    }
}

/// `POST /signin/password-change`: the new password, twice. A refused password
/// re-renders the form with every reason.
pub async fn change_password(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    let reason = parse_password_change_reason(&form.reason);
    let again = |error: String| {
        let mut response = render(&password_change_page(
            form.flow_fields(&csrf),
            reason,
            Some(error),
        ));
        *response.status_mut() = StatusCode::BAD_REQUEST;
        response
    };
    if form.new_password.chars().count() > MAX_PASSWORD_CHARS {
        return Ok(again("That password is far too long.".into()));
    }
    if form.new_password != form.confirm_password {
        return Ok(again("The two passwords do not match.".into()));
    }
    match state
        .app
        .signin
        .change_password(&handle, &form.new_password)
        .await
    {
        Ok(progress) => Ok(render_progress(&state, &csrf, &form, progress).await),
        Err(SignInError::PasswordRejected(reason)) => Ok(again(reason)),
        Err(other) => Err(flow::service_error(other, &form.next)),
    }
}
