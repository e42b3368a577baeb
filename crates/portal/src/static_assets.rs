//! The portal's stylesheet (tables, charts, filters), compiled in and served beside the
//! kit's `/static/portcullis.css`, which it extends.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

const CSS: &str = include_str!("../static/portal.css");

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route(
        "/admin/static/portal.css",
        get(|| async {
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/css; charset=utf-8"),
                    ),
                    // No content hash in the name: an upgrade must show within minutes.
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("public, max-age=600"),
                    ),
                ],
                CSS,
            )
                .into_response()
        }),
    )
}
