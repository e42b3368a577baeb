//! Passwords: argon2id hashing with rehash detection, the dummy hash that hides unknown
//! users, the rules a new password must meet, and the offline leaked-password check.

mod common;
mod hashing;
mod leaked;
mod normalize;
mod rules;
mod scratch;

pub use common::{CommonPasswordList, CommonPasswordListError};
pub use hashing::{Argon2Params, DummyHash, PasswordHashError, PasswordHasher, normalize_password};
pub use leaked::{LeakedPasswordQuery, RangeFileError};
pub use normalize::fold_for_banned_word_match;
pub use rules::{
    LOWEST_MIN_PASSWORD_CHARS, MAX_PASSWORD_CHARS, PasswordContext, PasswordRejection,
    PasswordRules, PasswordRulesConfig, PasswordRulesError, RejectionReason,
};
pub use scratch::release_scratch_memory;
