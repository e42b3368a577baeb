//! Admin operations. Each one authorizes the caller (least privilege, through
//! [`crate::Caller::authorize`]) before reading or writing, and commits every change
//! together with its audit record in one store transaction.

pub mod applications;
pub mod applications_settings;
pub mod audit_log;
pub mod break_glass;
pub mod groups;
mod lockout_lint;
pub mod methods_policy;
pub mod policies;
pub mod reports;
pub mod roles;
pub(crate) mod user_passwords;
pub mod users;
pub mod what_if;
