//! A correlation id for every request: shown on error pages, passed to the sign-in
//! service (it lands in the sign-in log), and returned as `X-Request-Id`, so a user's
//! screenshot of an error leads the helpdesk to the log entry.
//!
//! The id lives in the request's extensions (for handlers) and in a task-local for the
//! duration of the request, so that an error page rendered from a plain
//! `IntoResponse` (which cannot see the request) still shows it.

use std::convert::Infallible;
use std::fmt;

use axum::extract::{FromRequestParts, Request};
use axum::http::HeaderValue;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use uuid::Uuid;

tokio::task_local! {
    static CURRENT: CorrelationId;
}

/// This request's correlation id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorrelationId(pub Uuid);

impl CorrelationId {
    /// The id of the request being handled on this task, if any.
    pub fn current() -> Option<CorrelationId> {
        CURRENT.try_with(|id| *id).ok()
    }
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CorrelationId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Without the middleware (a test router) a fresh id is still a usable id.
        Ok(parts
            .extensions
            .get::<CorrelationId>()
            .copied()
            .unwrap_or_else(|| CorrelationId(Uuid::new_v4())))
    }
}

/// Middleware: assigns a new id (a client-sent id is not trusted: it would let anyone
/// make their request look like someone else's in the log).
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = CorrelationId(Uuid::new_v4());
    request.extensions_mut().insert(id);
    let mut response = CURRENT.scope(id, next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
