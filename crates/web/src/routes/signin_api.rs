//! The sign-in API for native (mobile and desktop) clients: the same pipeline as the
//! browser pages, answered as JSON.
//!
//! ```text
//! POST /api/v1/signin                                  {"username", "clientId"?, "acr"?,
//!                                                       "password"? | "temporaryAccessPass"?}
//! POST /api/v1/signin/{transaction}/password           {"password"}
//! POST /api/v1/signin/{transaction}/temporaryAccessPass {"pass"}
//! POST /api/v1/signin/{transaction}/totp               {"code", "credentialId"?}
//! POST /api/v1/signin/{transaction}/sendCode           {"credentialId"}
//! POST /api/v1/signin/{transaction}/code               {"code"}
//! POST /api/v1/signin/{transaction}/skipRegistration
//! POST /api/v1/signin/passkey, …/{transaction}/passkey[/options]  (signin_api_passkey.rs)
//! POST …/{transaction}/passwordChange, …/register/totp[/verify]     (signin_api_interrupt.rs)
//! POST …/{transaction}/register/{phone,email}, …/register/contact/{verify,resend}
//!                                                      (signin_api_contact.rs)
//! POST …/{transaction}/register/authenticator[/done]   (signin_api_authenticator.rs)
//! POST …/{transaction}/register/passkey[/options]      (signin_api_passkey_registration.rs)
//! ```
//!
//! Every answer is `200` with the outcome (a failed sign-in is `outcome.kind = blocked`
//! with an AADSTS code in `error`), except: unknown or expired transaction `404`, a
//! concurrent answer `409`, too many attempts `429` (per IP and per account, with
//! `Retry-After`), malformed input `400`. An unknown user is answered exactly like a
//! wrong password (same code, same argon2 cost).
//!
//! A client that has the password (or a Temporary Access Pass) with the name may send it
//! with the begin: the answer is then that step's, as if it had been posted to
//! `…/{transaction}/password` at once (the same rate limits and pipeline), in one round
//! trip and with the transaction stored once.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use portcullis_service::signin::pipeline::{Input, Protocol};
use portcullis_service::signin::{
    SignInProgress, SignInRequest, SignInService, TargetApplication, TransactionId,
};

use super::signin_api_body::{ApiBody, no_store};
use super::signin_api_json::{
    BeginBody, CodeBody, PassBody, PasswordBody, SendCodeBody, TotpBody, api_error, progress_json,
    signin_error,
};
use crate::client_ip::ClientIp;
use crate::state::AppState;

/// The routes, merged into the application router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/signin", post(begin))
        .route("/api/v1/signin/{transaction}/password", post(password))
        .route(
            "/api/v1/signin/{transaction}/temporaryAccessPass",
            post(temporary_access_pass),
        )
        .route("/api/v1/signin/{transaction}/totp", post(totp))
        .route("/api/v1/signin/{transaction}/sendCode", post(send_code))
        .route("/api/v1/signin/{transaction}/code", post(code))
        .route(
            "/api/v1/signin/{transaction}/skipRegistration",
            post(skip_registration),
        )
        .merge(super::signin_api_passkey::routes())
        .merge(super::signin_api_interrupt::routes())
        .merge(super::signin_api_contact::routes())
        .merge(super::signin_api_authenticator::routes())
        .merge(super::signin_api_passkey_registration::routes())
}

pub(super) fn answer(
    result: Result<SignInProgress, portcullis_service::signin::SignInError>,
) -> Response {
    match result {
        // The body may carry the session token.
        Ok(progress) => no_store(Json(progress_json(&progress)).into_response()),
        Err(error) => signin_error(error),
    }
}

async fn begin(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiBody(mut body): ApiBody<BeginBody>,
) -> Response {
    let first_factor = match body.first_factor() {
        Ok(first_factor) => first_factor,
        Err(message) => return api_error(StatusCode::BAD_REQUEST, "invalidRequest", message),
    };
    let application = match body.client_id {
        Some(client_id) => TargetApplication::Client(client_id),
        None => TargetApplication::Portal,
    };
    let mut request = SignInRequest::new(Protocol::NativeApp, application, &body.username);
    request.ip_address = Some(ip);
    request.user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    request.authentication_context = body.acr;
    match first_factor {
        Some(input) => answer(state.signin.begin_with(request, input).await),
        None => answer(state.signin.begin(request).await),
    }
}

/// Runs a step on the transaction named in the path.
async fn run(signin: &SignInService, transaction: &str, input: Input) -> Response {
    match TransactionId::parse(transaction) {
        Some(id) => answer(signin.step(&id, input).await),
        None => signin_error(portcullis_service::signin::SignInError::UnknownTransaction),
    }
}

async fn password(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<PasswordBody>,
) -> Response {
    run(&state.signin, &transaction, Input::Password(body.password)).await
}

async fn temporary_access_pass(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<PassBody>,
) -> Response {
    run(
        &state.signin,
        &transaction,
        Input::TemporaryAccessPass(body.pass),
    )
    .await
}

async fn totp(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<TotpBody>,
) -> Response {
    let credential_id = match body
        .credential_id
        .as_deref()
        .map(portcullis_core::CredentialId::parse)
    {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "invalidRequest",
                "credentialId is not a credential id.",
            );
        }
    };
    run(
        &state.signin,
        &transaction,
        Input::TotpCode {
            credential_id,
            code: body.code,
        },
    )
    .await
}

async fn send_code(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<SendCodeBody>,
) -> Response {
    let Ok(credential_id) = portcullis_core::CredentialId::parse(&body.credential_id) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "invalidRequest",
            "credentialId is not a credential id.",
        );
    };
    run(
        &state.signin,
        &transaction,
        Input::SendCode { credential_id },
    )
    .await
}

async fn code(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<CodeBody>,
) -> Response {
    run(&state.signin, &transaction, Input::OneTimeCode(body.code)).await
}

async fn skip_registration(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
) -> Response {
    run(&state.signin, &transaction, Input::SkipRegistration).await
}
