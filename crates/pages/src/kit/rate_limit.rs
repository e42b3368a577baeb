//! Per-IP rate limiting of state-changing requests (form posts). Reading a page is
//! cheap; every post can cost an argon2 hash or send a code, so posts are what a
//! flood or a password spray from one address is throttled on. Per node, like the token
//! endpoint's limiter: lockout counters that must hold across nodes live in the store.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use portcullis_web::client_ip::resolve_client_ip;

use super::Kit;
use super::csrf::is_state_changing;
use super::error_page::PageError;

/// Above this many tracked addresses, idle entries are dropped (bounds memory under a
/// spray from many addresses).
const MAX_TRACKED_ADDRESSES: usize = 10_000;

/// A keyed limiter: `per_second` sustained, `burst` at once, per client address.
pub struct IpRateLimiter(DefaultKeyedRateLimiter<IpAddr>);

impl IpRateLimiter {
    pub fn new(per_second: u32, burst: u32) -> Self {
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(per_second);
        IpRateLimiter(RateLimiter::keyed(
            Quota::per_second(per_second).allow_burst(burst),
        ))
    }

    /// Whether `ip` may make another request now.
    pub fn check(&self, ip: IpAddr) -> bool {
        if self.0.len() > MAX_TRACKED_ADDRESSES {
            self.0.retain_recent();
        }
        self.0.check_key(&ip).is_ok()
    }
}

impl Default for IpRateLimiter {
    /// 2 posts a second sustained, 30 at once: generous for a person typing, tight
    /// for a script.
    fn default() -> Self {
        IpRateLimiter::new(2, 30)
    }
}

/// The client address of a request: the TCP peer, or what trusted proxies say.
pub fn client_ip(kit: &Kit, request: &Request) -> IpAddr {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    resolve_client_ip(peer, request.headers(), &kit.trusted_proxies)
}

/// Middleware: refuses a state-changing request over the client address's allowance.
pub async fn limit(State(kit): State<Kit>, request: Request, next: Next) -> Response {
    if is_state_changing(request.method()) && !kit.limiter.check(client_ip(&kit, &request)) {
        let mut response = PageError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            "Too many requests came from your network in a short time. Wait a moment and try again.",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    }
    next.run(request).await
}
