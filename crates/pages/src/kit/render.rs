//! Rendering askama templates into responses. (askama 0.16 has no axum integration of
//! its own; rendering here keeps one place that decides what a failed render shows.)

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Renders `template` with status 200.
pub fn render<T: Template>(template: &T) -> Response {
    render_status(StatusCode::OK, template)
}

/// Renders `template` with `status`. A template that fails to render (a bug, never
/// input) answers a bare 500 rather than a half-written page.
pub fn render_status<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "The page could not be shown.",
            )
                .into_response()
        }
    }
}
