//! Token signing keys (several algorithms, encrypted at rest, scheduled rotation) and
//! OAuth2 access tokens for the admin API.

pub mod access_token;
pub(crate) mod client_cache;
pub mod grant;
pub mod jws;
pub mod key_protection;
pub mod key_rotation;
pub mod signing_key;
