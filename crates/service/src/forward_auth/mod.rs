//! Forward-auth: nginx `auth_request`, Traefik ForwardAuth and Caddy `forward_auth` ask
//! whether a request to a protected web application may pass.

mod decision_cache;

pub use decision_cache::DecisionSlot;
