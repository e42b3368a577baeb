//! The token endpoint: request parsing per grant type, grant permission checks and
//! the response shape. The grants' rules live with their records: [`crate::code`],
//! [`crate::refresh`], [`crate::device`].

mod request;
mod response;

pub use request::{TokenGrantRequest, check_grant_allowed, parse_token_request};
pub use response::TokenResponse;
