//! `/v1.0/directoryRoles` and their members (role assignments).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_core::DirectoryRole;
use serde_json::Value;

use super::groups::odata_id_target;
use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_json::GraphJson;
use crate::graph_shape::{collection, directory_role_json, role_member_json};
use crate::query_pairs::QueryPairs;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    Admin(caller): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let roles = state.services.list_directory_roles(&caller)?;
    let items = roles.iter().copied().map(directory_role_json).collect();
    Ok(Json(collection(
        state.base_url(),
        "/v1.0/directoryRoles",
        "directoryRoles",
        &pairs,
        items,
        None,
    )))
}

pub async fn get(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    state.services.list_directory_roles(&caller)?;
    Ok(Json(directory_role_json(role(&id)?)))
}

pub async fn members(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let role = role(&id)?;
    let members = state.services.list_role_members(&caller, role).await?;
    let items = members.iter().map(role_member_json).collect();
    let path = format!("/v1.0/directoryRoles/{}/members", role.template_id());
    Ok(Json(collection(
        state.base_url(),
        &path,
        "directoryObjects",
        &pairs,
        items,
        None,
    )))
}

pub async fn add_member(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let role = role(&id)?;
    let principal = odata_id_target(&body)?;
    state
        .services
        .add_role_member(&caller, role, &principal)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_member(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path((id, member)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    state
        .services
        .remove_role_member(&caller, role(&id)?, &member)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A role by its id (the role template id) or `roleTemplateId=<id>`, as Graph accepts.
fn role(text: &str) -> Result<DirectoryRole, GraphError> {
    let id = text
        .strip_prefix("roleTemplateId=")
        .map(|s| s.trim_matches('\''))
        .unwrap_or(text);
    DirectoryRole::from_template_id(id)
        .ok_or_else(|| GraphError::not_found(format!("Resource '{text}' does not exist.")))
}
