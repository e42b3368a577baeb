//! The error page: what went wrong in words, the AADSTS-style code when there is one,
//! and the correlation id and time, which is what a helpdesk needs to find the sign-in
//! log entry.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::correlation::CorrelationId;
use super::render::render_status;

/// A page-level failure, rendered as the error page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
    /// The numeric sign-in error code (shown as `AADSTS<code>`), when one applies.
    pub code: Option<i32>,
    /// Where "try again" leads (a same-origin path).
    pub retry_href: String,
}

impl PageError {
    pub fn new(status: StatusCode, title: impl Into<String>, message: impl Into<String>) -> Self {
        PageError {
            status,
            title: title.into(),
            message: message.into(),
            code: None,
            retry_href: "/signin".to_owned(),
        }
    }

    pub fn with_code(mut self, code: i32) -> Self {
        self.code = Some(code);
        self
    }

    pub fn with_retry(mut self, href: impl Into<String>) -> Self {
        self.retry_href = href.into();
        self
    }

    /// Something failed on our side; the details are in the server log under the
    /// correlation id, not on the page.
    pub fn internal() -> Self {
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Portcullis could not finish this request. Try again; if it keeps happening, \
             give the details below to your helpdesk.",
        )
    }

    pub fn not_found() -> Self {
        PageError::new(
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no page at this address.",
        )
    }

    /// Logs `error` (with the correlation id, by the request span) and returns the
    /// internal error page.
    pub fn internal_from(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, correlation_id = ?CorrelationId::current(), "page request failed");
        PageError::internal()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    error: &'a PageError,
    code_text: String,
    correlation_id: String,
    timestamp: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let correlation_id = CorrelationId::current()
            .map(|id| id.to_string())
            .unwrap_or_else(|| "unavailable".to_owned());
        let timestamp = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default();
        let code_text = self.code.map(|c| format!("AADSTS{c}")).unwrap_or_default();
        render_status(
            self.status,
            &ErrorTemplate {
                error: &self,
                code_text,
                correlation_id,
                timestamp,
            },
        )
    }
}
