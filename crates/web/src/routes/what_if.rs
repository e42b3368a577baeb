//! Graph What If: `POST /v1.0/identity/conditionalAccess/evaluate`.

use axum::Json;
use axum::extract::State;
use portcullis_policy::whatif::WhatIfResponse;
use serde_json::Value;

use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_json::GraphJson;
use crate::state::AppState;

/// Which stored policies would apply to the described sign-in, and why the others would
/// not. Reads only; callers with policy read permission may use it.
pub async fn evaluate(
    State(state): State<AppState>,
    Admin(caller): Admin,
    GraphJson(body): GraphJson<Value>,
) -> Result<Json<WhatIfResponse>, GraphError> {
    Ok(Json(
        state
            .services
            .evaluate_conditional_access(&caller, body)
            .await?,
    ))
}
