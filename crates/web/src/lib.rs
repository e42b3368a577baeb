//! The HTTP layer: axum routers for health, metrics, the OAuth2 token endpoint and
//! the Graph-shaped admin API. Translates HTTP to service calls and back, nothing more.

pub mod client_ip;
pub mod graph_error;
pub mod graph_json;
pub mod http_metrics;
pub mod odata;
