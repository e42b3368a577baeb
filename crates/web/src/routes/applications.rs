//! `/v1.0/applications`: registrations of OIDC clients, forward-auth apps and
//! automation clients, and their secrets (`addPassword`, `removePassword`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::SecretId;
use serde_json::Value;

use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_json::GraphJson;
use crate::graph_shape::collection;
use crate::query_pairs::QueryPairs;
use crate::routes::applications_json::{
    application_json, application_patch, key_id, new_application, new_password, password_json,
};
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    Admin(caller): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    // Applications are few; the collection is answered whole, so paging and filtering
    // options are refused rather than silently ignored.
    if let Some((key, _)) = pairs.iter().find(|(k, _)| k.starts_with('$')) {
        return Err(GraphError::invalid_filter(format!(
            "Query option '{key}' is not supported on applications."
        )));
    }
    let apps = state.services.list_applications(&caller).await?;
    let mut items = Vec::with_capacity(apps.len());
    for app in &apps {
        let (_, secrets) = state.services.get_application(&caller, &app.id).await?;
        items.push(application_json(app, &secrets));
    }
    Ok(Json(collection(
        state.base_url(),
        "/v1.0/applications",
        "applications",
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
    let id = state.services.resolve_application(&caller, &id).await?;
    let (app, secrets) = state.services.get_application(&caller, &id).await?;
    Ok(Json(application_json(&app, &secrets)))
}

pub async fn create(
    State(state): State<AppState>,
    Admin(caller): Admin,
    GraphJson(body): GraphJson<Value>,
) -> Result<Response, GraphError> {
    let new = new_application(body)?;
    let app = state.services.create_application(&caller, new).await?;
    Ok((StatusCode::CREATED, Json(application_json(&app, &[]))).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let id = state.services.resolve_application(&caller, &id).await?;
    let patch = application_patch(body)?;
    state
        .services
        .update_application(&caller, &id, patch)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let id = state.services.resolve_application(&caller, &id).await?;
    state.services.delete_application(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Answers the new `passwordCredential` with its `secretText`: the only time it is shown.
pub async fn add_password(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<Json<Value>, GraphError> {
    let id = state.services.resolve_application(&caller, &id).await?;
    let new = new_password(body)?;
    let added = state
        .services
        .add_application_password(&caller, &id, new)
        .await?;
    Ok(Json(password_json(
        &added.credential,
        Some(&added.secret_text),
    )))
}

pub async fn remove_password(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let id = state.services.resolve_application(&caller, &id).await?;
    let key = key_id(body)?;
    let key_id = SecretId::parse(&key).map_err(|_| {
        GraphError::not_found(format!(
            "Resource 'password credential {key}' does not exist."
        ))
    })?;
    state
        .services
        .remove_application_password(&caller, &id, &key_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
