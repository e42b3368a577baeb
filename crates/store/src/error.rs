//! The one error type of every store operation.

/// What went wrong in a store call. The messages name the object, never secret values.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object does not exist (e.g. "user 1b4e…").
    #[error("{0} not found")]
    NotFound(String),
    /// The change conflicts with stored state: a duplicate unique value, a stale revision
    /// or version, a membership cycle.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request cannot be honoured as asked (a bad filter value, a malformed cursor).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The database failed or returned data that does not decode.
    #[error("storage backend error: {0}")]
    Backend(String),
}

impl StoreError {
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        StoreError::NotFound(what.to_string())
    }

    pub fn backend(err: impl std::fmt::Display) -> Self {
        StoreError::Backend(err.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
