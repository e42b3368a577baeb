//! Calling the sign-in service from a page: building the request from the browser's
//! facts, running a step, and turning service errors into error pages.

use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode, header};
use portcullis_service::signin::{
    SignInError, SignInProgress, SignInRequest, SignInService, TransactionId,
};
use portcullis_signin::{Input, Protocol};

use super::continuation::Continuation;
use crate::kit::{CorrelationId, PageError};

/// Longest user-agent kept (it is logged and parsed, never trusted).
const MAX_USER_AGENT_CHARS: usize = 512;
/// Longest name accepted in the username field (a UPN is at most 113 characters in
/// Entra; this leaves room without letting a megabyte through).
pub const MAX_USERNAME_CHARS: usize = 256;

/// The browser facts a sign-in request carries.
#[derive(Debug, Clone)]
pub struct BrowserFacts {
    pub ip: IpAddr,
    pub user_agent: Option<String>,
    pub correlation_id: CorrelationId,
}

impl<S> axum::extract::FromRequestParts<S> for BrowserFacts
where
    portcullis_web::client_ip::TrustedProxies: axum::extract::FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let portcullis_web::client_ip::ClientIp(ip) =
            portcullis_web::client_ip::ClientIp::from_request_parts(parts, state).await?;
        let correlation_id = CorrelationId::from_request_parts(parts, state).await?;
        Ok(BrowserFacts::new(ip, &parts.headers, correlation_id))
    }
}

impl BrowserFacts {
    pub fn new(ip: IpAddr, headers: &HeaderMap, correlation_id: CorrelationId) -> Self {
        let user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(MAX_USER_AGENT_CHARS).collect());
        BrowserFacts {
            ip,
            user_agent,
            correlation_id,
        }
    }
}

/// The service request for a browser sign-in.
pub fn request(next: &Continuation, identifier: &str, facts: &BrowserFacts) -> SignInRequest {
    let mut request = SignInRequest::new(Protocol::Browser, next.application(), identifier);
    request.ip_address = Some(facts.ip);
    request.user_agent = facts.user_agent.clone();
    request.correlation_id = Some(portcullis_core::CorrelationId::from_uuid(
        facts.correlation_id.0,
    ));
    request.authentication_context = next.authentication_context();
    request
}

/// Begins a transaction.
pub async fn begin(
    service: &SignInService,
    request: SignInRequest,
    next: &Continuation,
) -> Result<SignInProgress, PageError> {
    service
        .begin(request)
        .await
        .map_err(|e| service_error(e, next))
}

/// Runs one step on the transaction named by the form's `flow` field.
pub async fn step(
    service: &SignInService,
    flow: &str,
    input: Input,
    next: &Continuation,
) -> Result<SignInProgress, PageError> {
    let handle = TransactionId::parse(flow).ok_or_else(|| expired(next))?;
    service
        .step(&handle, input)
        .await
        .map_err(|e| service_error(e, next))
}

/// The sign-in is over or unknown: start again.
pub fn expired(next: &Continuation) -> PageError {
    PageError::new(
        StatusCode::BAD_REQUEST,
        "This sign-in has expired",
        "The sign-in took too long or was already finished. Start again.",
    )
    .with_code(portcullis_signin::ErrorCode::TransactionExpired.code())
    .with_retry(next.signin_href())
}

pub fn service_error(error: SignInError, next: &Continuation) -> PageError {
    match error {
        SignInError::UnknownTransaction => expired(next),
        SignInError::ConcurrentStep => PageError::new(
            StatusCode::CONFLICT,
            "Already submitted",
            "This step was submitted twice. Go back and try again.",
        )
        .with_retry(next.signin_href()),
        SignInError::RateLimited { retry_after } => PageError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            format!(
                "There were too many sign-in attempts. Wait {} seconds and try again.",
                retry_after.as_secs().max(1)
            ),
        )
        .with_retry(next.signin_href()),
        SignInError::PasskeyRejected(reason) => PageError::new(
            StatusCode::UNAUTHORIZED,
            "Passkey not accepted",
            format!("Your passkey could not be used: {reason}. Try again, or use another way to sign in."),
        )
        .with_code(portcullis_signin::ErrorCode::StrongAuthenticationFailed.code())
        .with_retry(next.signin_href()),
        // The interrupt handlers show these on their own page; reaching here means a
        // handler without that page (the generic answer is still the user's words).
        SignInError::PasswordRejected(reason) | SignInError::RegistrationRefused(reason) => {
            PageError::new(StatusCode::BAD_REQUEST, "Not accepted", reason)
                .with_retry(next.signin_href())
        }
        SignInError::WrongRegistrationCode => PageError::new(
            StatusCode::BAD_REQUEST,
            "Wrong code",
            "The code was wrong or had expired. Set up the app again.",
        )
        .with_retry(next.signin_href()),
        SignInError::Invalid(reason) => {
            tracing::info!(%reason, "sign-in request refused");
            PageError::new(
                StatusCode::BAD_REQUEST,
                "Sign-in request not valid",
                "The application that sent you here asked for a sign-in Portcullis cannot perform.",
            )
            .with_code(portcullis_signin::ErrorCode::InvalidRequest.code())
            .with_retry(next.signin_href())
        }
        SignInError::Internal(reason) => PageError::internal_from(&reason),
    }
}
