//! The service layer's error: what went wrong, in words fit for the caller, mapped by
//! the web layer onto statuses.

use portcullis_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The caller may not do this (least privilege).
    #[error("insufficient privileges: {0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The request is malformed or violates a rule.
    #[error("{0}")]
    Invalid(String),
    /// Storage or crypto failed; details are logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => ServiceError::NotFound(what),
            StoreError::Conflict(why) => ServiceError::Conflict(why),
            StoreError::Invalid(why) => ServiceError::Invalid(why),
            StoreError::Backend(why) => ServiceError::Internal(why),
        }
    }
}

impl From<portcullis_core::Denied> for ServiceError {
    fn from(denied: portcullis_core::Denied) -> Self {
        ServiceError::Forbidden(denied.reason)
    }
}

impl From<crate::secrets::SecretError> for ServiceError {
    fn from(err: crate::secrets::SecretError) -> Self {
        ServiceError::Internal(err.to_string())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
