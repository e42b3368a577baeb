//! A JSON body extractor whose rejections are Graph errors instead of axum's plain text.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::graph_error::GraphError;

/// `Json<T>` for the admin API: malformed JSON → 400 `BadRequest`, a body over the
/// limit → 413 `RequestEntityTooLarge`, each with a message saying what was wrong.
pub struct GraphJson<T>(pub T);

impl<S, T> FromRequest<S> for GraphJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = GraphError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(GraphJson(value)),
            Err(rejection) => Err(json_rejection_to_graph(rejection)),
        }
    }
}

pub fn json_rejection_to_graph(rejection: JsonRejection) -> GraphError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return GraphError::payload_too_large(
            "The request body is larger than the server accepts.",
        );
    }
    match rejection {
        JsonRejection::MissingJsonContentType(_) => GraphError::bad_request(
            "The request body must be JSON with Content-Type: application/json.",
        ),
        other => GraphError::bad_request(format!("Invalid request body: {}", other.body_text())),
    }
}
