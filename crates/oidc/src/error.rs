//! OAuth 2.0 / OpenID Connect error codes and the RFC 6749 §5.2 error object.

use std::fmt;

use serde::Serialize;

/// Every error code this provider can answer with, from RFC 6749 §4.1.2.1 and §5.2,
/// OpenID Connect Core §3.1.2.6, RFC 8628 §3.5 and RFC 7009 §2.2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    UnsupportedTokenType,
    InvalidScope,
    AccessDenied,
    ServerError,
    TemporarilyUnavailable,
    InteractionRequired,
    LoginRequired,
    AccountSelectionRequired,
    ConsentRequired,
    RequestNotSupported,
    RequestUriNotSupported,
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::InteractionRequired => "interaction_required",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::AccountSelectionRequired => "account_selection_required",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::RequestNotSupported => "request_not_supported",
            ErrorCode::RequestUriNotSupported => "request_uri_not_supported",
            ErrorCode::AuthorizationPending => "authorization_pending",
            ErrorCode::SlowDown => "slow_down",
            ErrorCode::ExpiredToken => "expired_token",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OAuth error with a human-readable description (never containing secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct OAuthError {
    pub code: ErrorCode,
    pub description: String,
}

impl OAuthError {
    /// Descriptions often quote what the client sent, so they are cleaned to the
    /// characters RFC 6749 §4.1.2.1 and §5.2 allow (`%x20-21 / %x23-5B / %x5D-7E`:
    /// printable ASCII without `"` and `\`) and shortened.
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        OAuthError {
            code,
            description: sanitize_description(&description.into()),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClient, description)
    }

    /// The HTTP status for this error at the token, introspection or revocation
    /// endpoint: 401 for client authentication failures (RFC 6749 §5.2, where the
    /// glue must also send `WWW-Authenticate` if the client used Basic), 400 otherwise.
    pub fn token_endpoint_status(&self) -> u16 {
        match self.code {
            ErrorCode::InvalidClient => 401,
            ErrorCode::ServerError => 500,
            ErrorCode::TemporarilyUnavailable => 503,
            _ => 400,
        }
    }

    /// The RFC 6749 §5.2 JSON body.
    pub fn to_response(&self) -> ErrorResponse {
        ErrorResponse {
            error: self.code.as_str(),
            error_description: self.description.clone(),
        }
    }
}

/// Longest `error_description` sent; enough to explain, too short to reflect much.
pub const MAX_DESCRIPTION_LEN: usize = 200;

fn sanitize_description(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' ' | '!' | '#'..='~' => c,
            _ => '?',
        })
        .take(MAX_DESCRIPTION_LEN)
        .collect()
}

/// Whether `text` only holds characters RFC 6749 allows in `error_description`.
pub fn is_valid_description(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, 0x20 | 0x21 | 0x23..=0x5b | 0x5d..=0x7e))
}

/// The JSON error object of RFC 6749 §5.2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorResponse {
    pub error: &'static str,
    pub error_description: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_object_has_rfc_6749_field_names() {
        let json = serde_json::to_value(OAuthError::invalid_grant("code expired").to_response())
            .unwrap_or_default();
        assert_eq!(json["error"], "invalid_grant");
        assert_eq!(json["error_description"], "code expired");
        assert_eq!(OAuthError::invalid_client("x").token_endpoint_status(), 401);
        assert_eq!(OAuthError::invalid_grant("x").token_endpoint_status(), 400);
    }

    #[test]
    fn descriptions_are_cleaned_to_the_rfc_6749_character_set() {
        let e = OAuthError::invalid_request("value \"é\\\n\" is odd");
        assert_eq!(e.description, "value '?/?' is odd");
        assert!(is_valid_description(&e.description));
        let long = OAuthError::invalid_request("x".repeat(500));
        assert_eq!(long.description.len(), MAX_DESCRIPTION_LEN);
    }
}
