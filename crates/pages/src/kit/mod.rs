//! The UI kit shared by the sign-in pages and the admin portal: base layout and
//! stylesheet, rendering, security headers with a strict CSP, CSRF protection, cookie
//! helpers for the session-cookie contract, the current-session extractors, per-IP rate
//! limiting, correlation ids and the error page.
//!
//! # Using it from another crate (the admin portal)
//!
//! * Templates: add `askama.toml` with `[general] dirs = ["templates", "../pages/templates"]`
//!   and `{% extends "base.html" %}`; fill the blocks `title`, `nav` (optional) and
//!   `content`. Every form includes `{% include "csrf_field.html" %}` with a `csrf`
//!   field (a `&str` or `String`) in the template struct.
//! * Router: build your routes with a state `S` where `Kit: FromRef<S>`, then call
//!   [`protect`] on the router. The stylesheet is at `/static/portcullis.css`, served
//!   by this crate's router.
//! * Handlers: [`CsrfToken`], [`SignedIn`] / [`MaybeSession`], [`CorrelationId`]
//!   extractors; [`render`]; return [`PageError`] for failures.

pub mod cookies;
pub mod correlation;
pub mod csrf;
pub mod current_session;
pub mod error_page;
pub mod extract;
pub mod rate_limit;
pub mod render;
pub mod return_to;
pub mod security_headers;
pub mod static_assets;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use portcullis_service::Services;
use portcullis_web::client_ip::TrustedProxies;
use portcullis_web::{AddressRateLimiter, AppState};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

pub use cookies::CookiePolicy;
pub use correlation::CorrelationId;
pub use csrf::{CSRF_FIELD, CSRF_HEADER, CsrfToken};
pub use current_session::{MaybeSession, SignedIn, resolve_session};
pub use error_page::PageError;
pub use extract::{PageForm, PageQuery};
pub use render::{render, render_status};
pub use return_to::ReturnTo;

/// How long a page request may take (an argon2 hash plus a store commit is far less).
const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// What the kit's middleware and extractors need. Cheap to clone.
#[derive(Clone)]
pub struct Kit {
    pub services: Services,
    pub cookies: CookiePolicy,
    pub trusted_proxies: TrustedProxies,
    /// Form posts per client address: the application's one limiter (`[http]
    /// form_posts_per_ip_per_second`).
    pub limiter: Arc<AddressRateLimiter>,
}

impl Kit {
    /// The kit for the application's state: cookie security from the public URL, the
    /// application's per-address allowance for form posts.
    pub fn new(app: &AppState) -> Self {
        Kit {
            services: app.services.clone(),
            cookies: CookiePolicy::from_public_url(app.base_url()),
            trusted_proxies: app.trusted_proxies.clone(),
            limiter: app.form_post_limiter.clone(),
        }
    }
}

/// Wraps page routes in the kit's middleware, outermost first: correlation id, panic
/// catcher, timeout, security headers, per-IP rate limit, CSRF check, body limit. Apply
/// it to a router holding *only* page routes (the JSON APIs have their own rules).
pub fn protect<S>(router: Router<S>, kit: Kit) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .layer(DefaultBodyLimit::max(csrf::MAX_FORM_BYTES))
        .layer(from_fn_with_state(kit.clone(), csrf::protect))
        .layer(from_fn_with_state(kit.clone(), rate_limit::limit))
        .layer(from_fn_with_state(kit, security_headers::apply))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            PAGE_TIMEOUT,
        ))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(from_fn(correlation::assign))
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a page handler panicked");
    PageError::internal().into_response()
}
