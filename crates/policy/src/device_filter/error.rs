//! The error a device filter rule fails to parse with.

use thiserror::Error;

/// Why a device filter rule was rejected, and where.
///
/// `position` is the 0-based offset in characters (not bytes) of the offending token; the
/// message shows it as a 1-based column, e.g.
/// `column 17: expected a value after -eq, found end of rule`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("column {}: {message}", .position + 1)]
pub struct DeviceFilterError {
    position: usize,
    message: String,
}

impl DeviceFilterError {
    pub(crate) fn new(position: usize, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
        }
    }

    /// 0-based character offset of the problem in the rule.
    pub fn position(&self) -> usize {
        self.position
    }

    /// 1-based column of the problem, as shown in the message.
    pub fn column(&self) -> usize {
        self.position + 1
    }

    /// What was wrong, without the column prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}
