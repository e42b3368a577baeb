//! The bearer-token extractor for the admin API.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use portcullis_service::Caller;
use portcullis_service::tokens::grant::BearerError;

use crate::graph_error::GraphError;
use crate::state::AppState;

/// An admin API caller authenticated by `Authorization: Bearer <access token>`.
pub struct Admin(pub Caller);

impl FromRequestParts<AppState> for Admin {
    type Rejection = GraphError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| GraphError::unauthorized("Access token is empty."))?;
        let value = header
            .to_str()
            .map_err(|_| GraphError::unauthorized("The Authorization header is not valid text."))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                GraphError::unauthorized("The Authorization header must be 'Bearer <token>'.")
            })?
            .to_owned();
        match state.services.authenticate_bearer(&token).await {
            Ok(caller) => Ok(Admin(caller)),
            Err(BearerError::Invalid(why)) => Err(GraphError::unauthorized(format!(
                "Access token validation failure: {why}"
            ))),
            Err(BearerError::Internal(why)) => {
                tracing::error!(error = %why, "bearer authentication failed");
                Err(GraphError::internal())
            }
        }
    }
}
