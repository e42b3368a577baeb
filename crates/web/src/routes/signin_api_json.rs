//! The JSON shapes of the native-client sign-in API (`/api/v1/signin…`).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_service::signin::pipeline::{ErrorCode, Input, Outcome};
use portcullis_service::signin::{SignInError, SignInProgress};
use serde::Deserialize;
use serde_json::{Value, json};

use super::signin_api_body::BoundedFields;

/// `POST /api/v1/signin`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BeginBody {
    /// The user principal name typed by the user.
    pub username: String,
    /// The application signing in (a registered client id); absent: Portcullis itself.
    #[serde(default)]
    pub client_id: Option<String>,
    /// An authentication context (`c1`…`c25`) the application asks for.
    #[serde(default)]
    pub acr: Option<String>,
    /// The password, when the client has it with the name: the first step is run in
    /// the same request (one round trip, one stored write).
    #[serde(default)]
    pub password: Option<String>,
    /// A Temporary Access Pass instead of a password, the same way.
    #[serde(default)]
    pub temporary_access_pass: Option<String>,
}

impl BeginBody {
    /// The first factor sent with the name, if any; both at once is refused.
    pub fn first_factor(&mut self) -> Result<Option<Input>, &'static str> {
        match (self.password.take(), self.temporary_access_pass.take()) {
            (None, None) => Ok(None),
            (Some(password), None) => Ok(Some(Input::Password(password))),
            (None, Some(pass)) => Ok(Some(Input::TemporaryAccessPass(pass))),
            (Some(_), Some(_)) => Err("Send a password or a Temporary Access Pass, not both."),
        }
    }
}

impl BoundedFields for BeginBody {
    fn bounded_fields(&self) -> Vec<&str> {
        [
            Some(&self.username),
            self.password.as_ref(),
            self.temporary_access_pass.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    pub password: String,
}

impl BoundedFields for PasswordBody {
    fn bounded_fields(&self) -> Vec<&str> {
        vec![&self.password]
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassBody {
    pub pass: String,
}

impl BoundedFields for PassBody {
    fn bounded_fields(&self) -> Vec<&str> {
        vec![&self.pass]
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TotpBody {
    pub code: String,
    #[serde(default)]
    pub credential_id: Option<String>,
}

impl BoundedFields for TotpBody {
    fn bounded_fields(&self) -> Vec<&str> {
        vec![&self.code]
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendCodeBody {
    pub credential_id: String,
}

/// Only parsed as a credential id: nothing to bound.
impl BoundedFields for SendCodeBody {
    fn bounded_fields(&self) -> Vec<&str> {
        Vec::new()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    pub code: String,
}

impl BoundedFields for CodeBody {
    fn bounded_fields(&self) -> Vec<&str> {
        vec![&self.code]
    }
}

/// `{"code": 50126, "message": "AADSTS50126: …"}` for a public error code.
fn error_json(code: ErrorCode) -> Value {
    json!({
        "code": code.code(),
        "message": format!("AADSTS{}: {}", code.code(), code.failure_reason()),
    })
}

/// The answer to `begin` or a step: where the sign-in stands, what to show next, the
/// error (if the sign-in failed or the last answer was wrong) and, once done, the session.
pub fn progress_json(progress: &SignInProgress) -> Value {
    let mut body = json!({
        "transaction": progress.transaction.as_str(),
        "correlationId": progress.correlation_id,
        "stage": progress.stage,
    });
    if let Some(outcome) = &progress.outcome {
        body["outcome"] = serde_json::to_value(outcome).unwrap_or(Value::Null);
        let error = match outcome {
            Outcome::Blocked { code } => Some(*code),
            Outcome::Challenge(challenge) => challenge.error,
            _ => None,
        };
        if let Some(code) = error {
            body["error"] = error_json(code);
        }
    } else {
        body["next"] = json!(["password", "temporaryAccessPass"]);
    }
    if let Some(session) = &progress.session {
        body["session"] = json!({
            "id": session.session_id,
            "token": session.cookie_value,
            "persistent": session.persistent,
            "expiresAt": session.expires_at.format(&time::format_description::well_known::Rfc3339).ok(),
        });
    }
    body
}

/// An API error in the same envelope as the Graph API's.
pub fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

/// Maps a service error; only what the client can act on is said.
pub fn signin_error(error: SignInError) -> Response {
    match error {
        SignInError::UnknownTransaction => api_error(
            StatusCode::NOT_FOUND,
            "unknownTransaction",
            "The sign-in is unknown or has expired; start again.",
        ),
        SignInError::ConcurrentStep => api_error(
            StatusCode::CONFLICT,
            "concurrentStep",
            "Another answer for this sign-in was submitted at the same time.",
        ),
        SignInError::RateLimited { retry_after } => {
            let mut response = api_error(
                StatusCode::TOO_MANY_REQUESTS,
                "tooManyRequests",
                "Too many sign-in attempts; try again later.",
            );
            let seconds = retry_after.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        SignInError::PasskeyRejected(reason) => {
            api_error(StatusCode::UNAUTHORIZED, "passkeyRejected", &reason)
        }
        SignInError::PasswordRejected(reason) => {
            api_error(StatusCode::BAD_REQUEST, "passwordRejected", &reason)
        }
        SignInError::RegistrationRefused(reason) => {
            api_error(StatusCode::FORBIDDEN, "registrationRefused", &reason)
        }
        SignInError::WrongRegistrationCode => api_error(
            StatusCode::BAD_REQUEST,
            "wrongCode",
            "The code is wrong or has expired; start the authenticator app setup again.",
        ),
        SignInError::Invalid(message) => {
            api_error(StatusCode::BAD_REQUEST, "invalidRequest", &message)
        }
        SignInError::Internal(message) => {
            tracing::error!(%message, "sign-in API failed");
            api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internalServerError",
                "The sign-in could not be processed.",
            )
        }
    }
}
