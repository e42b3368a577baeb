//! OAuth2 access tokens for the admin API.

pub mod access_token;
pub mod grant;
pub mod signing_key;
