//! Per-IP rate limiting of state-changing requests (form posts). Reading a page is
//! cheap; every post can cost an argon2 hash or send a code, so posts are what a
//! flood or a password spray from one address is throttled on. Per node, like the token
//! endpoint's limiter: lockout counters that must hold across nodes live in the store.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use portcullis_web::client_ip::resolve_client_ip;

use super::Kit;
use super::csrf::is_state_changing;
use super::error_page::PageError;

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
    if is_state_changing(request.method()) && !kit.limiter.check(&client_ip(&kit, &request)) {
        // Counted, not logged one by one: a flood must not become a flood of log lines.
        // Steady refusals for one office's address mean the allowance is too tight for
        // it (`http.form_posts_per_ip_per_second`).
        metrics::counter!("portcullis_form_posts_refused_total").increment(1);
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
