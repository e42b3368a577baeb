//! What every handler can reach.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::FromRef;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::PrometheusHandle;
use portcullis_service::Services;

use crate::client_ip::TrustedProxies;

/// Above this many tracked clients, idle entries are dropped (bounds memory when
/// callers invent client ids).
const LIMITER_MAX_KEYS: usize = 10_000;

/// Per-client rate limit of the token endpoint. Per node: several nodes multiply the
/// allowance, which is acceptable for flood control (lockout counters live in the store).
pub struct ClientRateLimiter(DefaultKeyedRateLimiter<String>);

impl ClientRateLimiter {
    pub fn new(per_second: u32, burst: u32) -> Self {
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(per_second);
        Self(RateLimiter::keyed(
            Quota::per_second(per_second).allow_burst(burst),
        ))
    }

    /// Whether `client_id` may make another request now.
    pub fn check(&self, client_id: &str) -> bool {
        if self.0.len() > LIMITER_MAX_KEYS {
            self.0.retain_recent();
        }
        self.0.check_key(&client_id.to_owned()).is_ok()
    }
}

/// Shared handler state.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub trusted_proxies: TrustedProxies,
    pub metrics: Option<PrometheusHandle>,
    pub token_limiter: Arc<ClientRateLimiter>,
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
