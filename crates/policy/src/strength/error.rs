//! Errors from parsing method names and combinations and from checking a strength's list.

use thiserror::Error;

/// Why a method name, a combination or a list of combinations was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StrengthError {
    #[error("authentication method name {name:?} is empty or contains spaces or commas")]
    InvalidMethodName { name: String },
    #[error(
        "combination {combination:?} has an empty method name; write methods as \"password,sms\""
    )]
    EmptyMethodInCombination { combination: String },
    #[error("combination {combination:?} names {method} more than once")]
    DuplicateMethod { combination: String, method: String },
    #[error("an authentication strength needs at least one allowed combination")]
    NoCombinations,
    #[error("combination {combination} is listed more than once")]
    DuplicateCombination { combination: String },
    #[error(
        "combination {combination} uses email, and email one-time passcodes cannot be used in an authentication strength"
    )]
    EmailNotAllowed { combination: String },
}
