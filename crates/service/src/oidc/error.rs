//! Failures of the OpenID Connect provider that are not protocol answers.

use portcullis_oidc::OAuthError;
use portcullis_store::StoreError;

/// A protocol error to answer with, or a failure of the server.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// Answer the client with this RFC 6749 error.
    #[error("{0}")]
    Protocol(OAuthError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("{what}: {message}")]
    Internal { what: String, message: String },
}

impl OidcError {
    pub(crate) fn internal(what: &str, message: impl std::fmt::Display) -> Self {
        OidcError::Internal {
            what: what.to_owned(),
            message: message.to_string(),
        }
    }
}

impl From<OAuthError> for OidcError {
    fn from(error: OAuthError) -> Self {
        OidcError::Protocol(error)
    }
}

impl From<crate::error::ServiceError> for OidcError {
    fn from(error: crate::error::ServiceError) -> Self {
        OidcError::internal("service", error)
    }
}
