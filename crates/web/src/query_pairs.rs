//! The decoded `(name, value)` pairs of the query string, in order.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::graph_error::GraphError;

/// Query parameters, percent- and `+`-decoded, duplicates kept (so they can be refused).
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        Ok(QueryPairs(
            form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}
