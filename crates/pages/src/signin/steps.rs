//! The step handlers: each reads its form, hands one `Input` to the sign-in service and
//! renders what comes back.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::CredentialId;
use portcullis_service::signin::SignInProgress;
use portcullis_signin::{ErrorCode, Input, Outcome};
use portcullis_web::client_ip::ClientIp;
use serde::Deserialize;

use super::continuation::Continuation;
use super::flow::{self, BrowserFacts, MAX_USERNAME_CHARS};
use super::outcome::{Rendering, respond};
use super::views::{FlowFields, PasswordPage};
use crate::kit::{CorrelationId, CsrfToken, PageError, PageForm, render};
use crate::state::PagesState;

/// Longest secret accepted from a form (passwords, passes, codes): argon2 has no
/// trouble with it, and it bounds the work a single post can ask for.
const MAX_SECRET_CHARS: usize = 1024;

/// The fields every step's form carries.
#[derive(Debug, Deserialize)]
pub struct StepFields {
    #[serde(default)]
    flow: String,
    #[serde(flatten)]
    next: Continuation,
    #[serde(default)]
    username: String,
}

fn bounded(secret: String) -> Result<String, PageError> {
    if secret.chars().count() > MAX_SECRET_CHARS {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "Too long",
            "What you entered is longer than any valid value.",
        ));
    }
    Ok(secret)
}

async fn run(
    state: &PagesState,
    csrf: &str,
    fields: &StepFields,
    input: Input,
) -> Result<Response, PageError> {
    fields.next.check()?;
    let progress = flow::step(&state.app.signin, &fields.flow, input, &fields.next).await?;
    Ok(render_progress(state, csrf, fields, progress).await)
}

async fn render_progress(
    state: &PagesState,
    csrf: &str,
    fields: &StepFields,
    progress: SignInProgress,
) -> Response {
    let username: String = fields.username.chars().take(MAX_USERNAME_CHARS).collect();
    let rendering = Rendering {
        csrf,
        next: &fields.next,
        cookies: &state.kit.cookies,
        username: &username,
    };
    respond(&state.app.services, &rendering, progress).await
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(flatten)]
    fields: StepFields,
    #[serde(default)]
    password: String,
}

/// `POST /signin/password`.
pub async fn password(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    ClientIp(ip): ClientIp,
    correlation_id: CorrelationId,
    headers: HeaderMap,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    let password = bounded(form.password)?;
    let fields = form.fields;
    fields.next.check()?;
    let progress = flow::step(
        &state.app.signin,
        &fields.flow,
        Input::Password(password),
        &fields.next,
    )
    .await?;
    first_factor_answer(
        &state,
        &csrf,
        &fields,
        progress,
        BrowserFacts::new(ip, &headers, correlation_id),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct PassForm {
    #[serde(flatten)]
    fields: StepFields,
    #[serde(default)]
    pass: String,
}

/// `POST /signin/tap`: a Temporary Access Pass, as the first factor or when offered.
pub async fn temporary_access_pass(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    ClientIp(ip): ClientIp,
    correlation_id: CorrelationId,
    headers: HeaderMap,
    PageForm(form): PageForm<PassForm>,
) -> Result<Response, PageError> {
    let pass = bounded(form.pass.trim().to_owned())?;
    let fields = form.fields;
    fields.next.check()?;
    let progress = flow::step(
        &state.app.signin,
        &fields.flow,
        Input::TemporaryAccessPass(pass),
        &fields.next,
    )
    .await?;
    first_factor_answer(
        &state,
        &csrf,
        &fields,
        progress,
        BrowserFacts::new(ip, &headers, correlation_id),
    )
    .await
}

/// A wrong first factor ends the transaction; like Entra, the user stays on the
/// password page with "incorrect" and may try again (a new transaction for the same
/// name, counted by smart lockout in the store). Every other outcome renders as usual.
async fn first_factor_answer(
    state: &PagesState,
    csrf: &str,
    fields: &StepFields,
    progress: SignInProgress,
    facts: BrowserFacts,
) -> Result<Response, PageError> {
    let wrong = matches!(
        progress.outcome,
        Some(Outcome::Blocked {
            code: ErrorCode::InvalidUserNameOrPassword
        })
    );
    if !wrong || fields.username.trim().is_empty() {
        return Ok(render_progress(state, csrf, fields, progress).await);
    }
    let username: String = fields
        .username
        .trim()
        .chars()
        .take(MAX_USERNAME_CHARS)
        .collect();
    let again = flow::begin(
        &state.app.signin,
        flow::request(&fields.next, &username, &facts),
        &fields.next,
    )
    .await?;
    let page = PasswordPage {
        flow: FlowFields {
            csrf: csrf.to_owned(),
            handle: again.transaction.as_str().to_owned(),
            next: fields.next.clone(),
        },
        username,
        error: Some(crate::labels::error_message(
            ErrorCode::InvalidUserNameOrPassword,
        )),
    };
    Ok((StatusCode::UNAUTHORIZED, render(&page)).into_response())
}

fn credential(text: &str) -> Option<CredentialId> {
    CredentialId::parse(text.trim()).ok()
}

#[derive(Debug, Deserialize)]
pub struct TotpForm {
    #[serde(flatten)]
    fields: StepFields,
    #[serde(default)]
    credential_id: String,
    #[serde(default)]
    code: String,
}

/// `POST /signin/totp`.
pub async fn totp(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<TotpForm>,
) -> Result<Response, PageError> {
    let code: String = bounded(form.code)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let input = Input::TotpCode {
        credential_id: credential(&form.credential_id),
        code,
    };
    run(&state, &csrf, &form.fields, input).await
}

#[derive(Debug, Deserialize)]
pub struct SendCodeForm {
    #[serde(flatten)]
    fields: StepFields,
    #[serde(default)]
    credential_id: String,
}

/// `POST /signin/send-code`: "text me", "call me", "email me" (and resend).
pub async fn send_code(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<SendCodeForm>,
) -> Result<Response, PageError> {
    let credential_id =
        credential(&form.credential_id).ok_or_else(|| flow::expired(&form.fields.next))?;
    run(
        &state,
        &csrf,
        &form.fields,
        Input::SendCode { credential_id },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(flatten)]
    fields: StepFields,
    #[serde(default)]
    code: String,
}

/// `POST /signin/code`: the code received by SMS, voice or email.
pub async fn one_time_code(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let code: String = bounded(form.code)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    run(&state, &csrf, &form.fields, Input::OneTimeCode(code)).await
}

/// `POST /signin/register/skip`: "skip for now" during the registration grace.
pub async fn skip_registration(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(fields): PageForm<StepFields>,
) -> Result<Response, PageError> {
    run(&state, &csrf, &fields, Input::SkipRegistration).await
}
