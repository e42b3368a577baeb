//! Claims of the tokens and userinfo answers this provider issues. Signing is the
//! glue's job (with the keys and `jsonwebtoken`, as `portcullis-service` does for
//! client-credentials tokens); these are the payloads.

mod access_token;
mod algorithm;
mod id_token;
mod profile;

pub use access_token::{UserAccessTokenClaims, UserAccessTokenInput};
pub use algorithm::{SigningAlgorithm, at_hash};
pub use id_token::{IdTokenClaims, IdTokenInput};
pub use profile::{ProfileClaims, UserInfo, UserProfile};
