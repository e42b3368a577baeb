//! The HTTP layer: axum routers for health, metrics, the OAuth2 token endpoint, the
//! bootstrap page and the Graph-shaped admin API. Translates HTTP to service calls and
//! back, nothing more.

// Tests may unwrap: a panic there is a failed test, not a crashed server.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod auth;
pub mod client_ip;
pub mod graph_error;
pub mod graph_json;
pub mod graph_shape;
pub mod http_metrics;
pub mod odata;
pub mod query_pairs;
pub mod rate_limit;
pub mod router;
pub mod routes;
pub mod state;

pub use rate_limit::{AddressRateLimiter, ClientRateLimiter, KeyedRateLimiter};
pub use router::{HttpLimits, router};
pub use state::AppState;
