//! What every handler can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use metrics_exporter_prometheus::PrometheusHandle;
use portcullis_service::Services;

use crate::client_ip::TrustedProxies;
use crate::rate_limit::{AddressRateLimiter, ClientRateLimiter};

/// Shared handler state.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub trusted_proxies: TrustedProxies,
    pub metrics: Option<PrometheusHandle>,
    pub token_limiter: Arc<ClientRateLimiter>,
    /// Form posts per client address, shared by every page router (sign-in pages,
    /// portal), so one address has one allowance whichever pages it posts to.
    pub form_post_limiter: Arc<AddressRateLimiter>,
    pub signin: portcullis_service::signin::SignInService,
}

impl AppState {
    /// The public base URL (no trailing slash), for links in responses.
    pub fn base_url(&self) -> &str {
        &self.services.settings().public_url
    }
}

impl FromRef<AppState> for TrustedProxies {
    fn from_ref(state: &AppState) -> Self {
        state.trusted_proxies.clone()
    }
}
