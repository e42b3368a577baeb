//! Forward-auth: nginx `auth_request`, Traefik ForwardAuth and Caddy `forward_auth` ask
//! whether a request to a protected web application may pass. Applications of kind
//! forward-auth are found by host and path prefix; each request is judged by Conditional
//! Access for that application over the session's proven methods (see [`check`]).

mod apps;
mod check;
mod decision_cache;
mod identity;
mod identity_token;
mod judge;
pub mod request;

pub(crate) use apps::AppRoutes;
pub use apps::ProtectedApp;
pub use check::{ForwardAuthAnswer, IDENTITY_JWT_HEADER};
pub use decision_cache::DecisionSlot;
pub use identity::{REMOTE_EMAIL, REMOTE_GROUPS, REMOTE_NAME, REMOTE_USER, identity_headers};
pub(crate) use identity_token::HeaderSegments;
pub use identity_token::SignedIdentity;
pub use request::{ForwardAuthRequest, OriginalRequestError, OriginalUrl};
