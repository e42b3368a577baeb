//! `Form` and `Query` extractors whose rejection is the error page, not axum's plain
//! text: a malformed request from a browser still gets a page with a correlation id.

use axum::extract::{Form, FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error_page::PageError;

fn bad_request(detail: &str) -> PageError {
    tracing::debug!(detail, "malformed page request");
    PageError::new(
        StatusCode::BAD_REQUEST,
        "Something was wrong with that request",
        "The page sent something Portcullis could not read. Go back, reload the page and try again.",
    )
    .with_code(90100)
}

/// A url-encoded form body.
pub struct PageForm<T>(pub T);

impl<T, S> FromRequest<S> for PageForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Form::<T>::from_request(request, state)
            .await
            .map(|Form(value)| PageForm(value))
            .map_err(|e| bad_request(&e.body_text()))
    }
}

/// A query string.
pub struct PageQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for PageQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| PageQuery(value))
            .map_err(|e| bad_request(&e.body_text()))
    }
}
