//! Errors in Microsoft Graph's shape: `{"error":{"code","message"}}` with the status
//! Graph uses for the same condition.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an admin API caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn invalid_filter(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Request_ResourceNotFound", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            message,
        )
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            message,
        )
    }

    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            message,
        )
    }

    pub fn internal() -> Self {
        // Details go to the log, never to the caller.
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "The server failed to process the request; see the server log.",
        )
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            message,
        )
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"portcullis\""),
            );
        }
        response
    }
}

impl From<portcullis_service::ServiceError> for GraphError {
    fn from(err: portcullis_service::ServiceError) -> Self {
        use portcullis_service::ServiceError as E;
        match err {
            E::Forbidden(reason) => GraphError::forbidden(format!(
                "Insufficient privileges to complete the operation: {reason}."
            )),
            E::NotFound(what) => {
                GraphError::not_found(format!("Resource '{what}' does not exist."))
            }
            E::Conflict(why) => GraphError::conflict(why),
            E::Invalid(why) => GraphError::bad_request(why),
            E::Internal(why) => {
                tracing::error!(error = %why, "request failed");
                GraphError::internal()
            }
        }
    }
}

impl From<crate::odata::query::QueryError> for GraphError {
    fn from(err: crate::odata::query::QueryError) -> Self {
        GraphError::invalid_filter(err.0)
    }
}
