//! The stylesheet and scripts, compiled into the binary (no external assets, nothing
//! to deploy beside it) and served from `/static/`, the only script source the
//! Content-Security-Policy allows.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const CSS: &str = include_str!("../../static/portcullis.css");
const WEBAUTHN_JS: &str = include_str!("../../static/webauthn.js");
const ENHANCE_JS: &str = include_str!("../../static/enhance.js");

/// Short-lived caching: file names carry no content hash, so an upgrade must show up
/// within minutes.
const CACHE: &str = "public, max-age=600";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(CACHE)),
        ],
        body,
    )
        .into_response()
}

/// `GET /static/portcullis.css`, `/static/webauthn.js`, `/static/enhance.js`.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/static/portcullis.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/webauthn.js",
            get(|| async { asset("text/javascript; charset=utf-8", WEBAUTHN_JS) }),
        )
        .route(
            "/static/enhance.js",
            get(|| async { asset("text/javascript; charset=utf-8", ENHANCE_JS) }),
        )
}
