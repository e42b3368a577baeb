//! Self-service password reset pages: `/password-reset` (the name), `/password-reset/verify`
//! (an authenticator app code, or a code sent by email or text message), and
//! `/password-reset/new` (the new password). The sign-in service decides everything;
//! every page looks the same whether the account exists or not.

mod views;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use portcullis_service::signin::pipeline::{ResetChannel, ResetInput, ResetStage};
use portcullis_service::signin::{ResetProgress, SignInError, TransactionId};
use portcullis_web::client_ip::ClientIp;
use serde::Deserialize;

use crate::kit::{CsrfToken, PageError, PageForm, render};
use crate::signin::flow::MAX_USERNAME_CHARS;
use crate::state::PagesState;
use views::{DonePage, FailedPage, NewPasswordPage, StartPage, VerifyPage};

pub fn routes() -> Router<PagesState> {
    Router::new()
        .route("/password-reset", get(show).post(begin))
        .route("/password-reset/verify", post(verify))
        .route("/password-reset/new", post(new_password))
}

/// Longest code or password accepted from the form (bounds the request only).
const MAX_FIELD_CHARS: usize = 1024;

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    flow: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

impl ResetForm {
    fn handle(&self) -> Result<TransactionId, PageError> {
        TransactionId::parse(&self.flow).ok_or_else(expired)
    }
}

fn expired() -> PageError {
    PageError::new(
        StatusCode::BAD_REQUEST,
        "This password reset has expired",
        "The reset took too long or was already finished. Start again.",
    )
    .with_retry("/password-reset".to_owned())
}

/// The service's refusal in the user's words.
fn refused(error: SignInError) -> PageError {
    match error {
        SignInError::UnknownTransaction | SignInError::ConcurrentStep => expired(),
        SignInError::RateLimited { retry_after } => PageError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            format!(
                "There were too many attempts. Wait {} seconds and try again.",
                retry_after.as_secs().max(1)
            ),
        )
        .with_retry("/password-reset".to_owned()),
        SignInError::Invalid(reason) => {
            PageError::new(StatusCode::FORBIDDEN, "Password reset unavailable", reason)
                .with_retry("/signin".to_owned())
        }
        other => PageError::internal_from(&other),
    }
}

/// `GET /password-reset`.
pub async fn show(CsrfToken(csrf): CsrfToken) -> Response {
    render(&StartPage { csrf, error: None })
}

/// `POST /password-reset`: the name.
pub async fn begin(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    ClientIp(ip): ClientIp,
    PageForm(form): PageForm<ResetForm>,
) -> Result<Response, PageError> {
    let username = form.username.trim();
    if username.is_empty() || username.chars().count() > MAX_USERNAME_CHARS {
        return Ok(render(&StartPage {
            csrf,
            error: Some("Enter the name you sign in with."),
        }));
    }
    let progress = state
        .app
        .signin
        .begin_password_reset(username, Some(ip))
        .await
        .map_err(refused)?;
    Ok(stage_page(csrf, progress))
}

/// `POST /password-reset/verify`: `action` = `totp` | `send-email` | `send-sms` | `code`.
pub async fn verify(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<ResetForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    let code: String = form.code.chars().take(MAX_FIELD_CHARS).collect();
    let input = match form.action.as_str() {
        "totp" => ResetInput::TotpCode(code),
        "code" => ResetInput::OneTimeCode(code),
        "send-email" => ResetInput::SendCode(ResetChannel::Email),
        "send-sms" => ResetInput::SendCode(ResetChannel::Sms),
        _ => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "Unknown action",
                "Choose one of the verification methods on the page.",
            ));
        }
    };
    let progress = state
        .app
        .signin
        .password_reset_step(&handle, input)
        .await
        .map_err(refused)?;
    Ok(stage_page(csrf, progress))
}

/// `POST /password-reset/new`.
pub async fn new_password(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<ResetForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    let again = |error: String| {
        let mut response = render(&NewPasswordPage {
            csrf: csrf.clone(),
            handle: form.flow.clone(),
            error: Some(error),
        });
        *response.status_mut() = StatusCode::BAD_REQUEST;
        response
    };
    if form.new_password.chars().count() > MAX_FIELD_CHARS {
        return Ok(again("That password is far too long.".into()));
    }
    if form.new_password != form.confirm_password {
        return Ok(again("The two passwords do not match.".into()));
    }
    match state
        .app
        .signin
        .finish_password_reset(&handle, &form.new_password)
        .await
    {
        Ok(()) => Ok(render(&DonePage)),
        Err(SignInError::PasswordRejected(reason)) => Ok(again(reason)),
        Err(other) => Err(refused(other)),
    }
}

fn stage_page(csrf: String, progress: ResetProgress) -> Response {
    let handle = progress.handle.as_str().to_owned();
    match progress.stage {
        ResetStage::Verifying {
            verified,
            required,
            code_sent,
            wrong_answer,
        } => render(&VerifyPage {
            csrf,
            handle,
            verified,
            required,
            wrong_answer,
            code_sent: code_sent.map(|channel| match channel {
                ResetChannel::Email => "email address",
                ResetChannel::Sms => "phone number",
            }),
        }),
        ResetStage::ChoosePassword => render(&NewPasswordPage {
            csrf,
            handle,
            error: None,
        }),
        ResetStage::Failed => {
            let mut response = render(&FailedPage);
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
        }
    }
}
