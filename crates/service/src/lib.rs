//! Application services: admin operations with least privilege and audit, token
//! issuance, first-administrator bootstrap. Knows nothing of HTTP: callers pass in
//! plain values and get domain results or [`ServiceError`]s back.

// Tests may unwrap: a panic there is a failed test, not a crashed server.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod admin;
pub mod bootstrap;
pub mod caller;
pub mod error;
pub mod forward_auth;
pub mod helpdesk;
pub mod oidc;
pub mod push;
pub mod risk;
pub mod secrets;
pub mod security_info;
pub mod services;
pub mod sessions;
pub mod signin;
pub mod tokens;

pub use caller::Caller;
pub use error::{ServiceError, ServiceResult};
pub use services::{ServiceSettings, Services};
