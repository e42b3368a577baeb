//! `/v1.0/policies/authenticationMethodsPolicy` and its
//! `authenticationMethodConfigurations/{id}`: GET and PATCH in Graph's shape
//! (`methods_policy_json`) over the methods-policy service, which checks least privilege
//! (`Policy.Read.All` reads; `Policy.ReadWrite.AuthenticationMethod` writes), guards the
//! write by the stored policy's version and audits it. A PATCH answers 204 as Graph does.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_core::{Permission, Target};
use portcullis_service::{Caller, ServiceError};
use serde_json::{Value, json};

use super::methods_policy_json::{
    BadConfiguration, GraphMethod, configuration_json, parse_configuration_patch,
    parse_policy_patch, policy_json, unknown_method,
};
use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_json::GraphJson;
use crate::state::AppState;

const PATH: &str = "policies/authenticationMethodsPolicy";

impl From<BadConfiguration> for GraphError {
    fn from(err: BadConfiguration) -> Self {
        GraphError::bad_request(err.0)
    }
}

/// A PATCH is refused for lack of the write permission before its body is looked at,
/// so a reader gets 403 whatever they send (the service checks again when writing).
fn may_write(caller: &Caller) -> Result<(), GraphError> {
    caller
        .authorize(
            Permission::AuthenticationMethodsPolicyWrite,
            Target::Nothing,
        )
        .map_err(|denied| GraphError::from(ServiceError::from(denied)))
}

fn configuration_id(id: &str) -> Result<GraphMethod, GraphError> {
    GraphMethod::from_id(id).ok_or_else(|| GraphError::not_found(unknown_method(id).0))
}

pub async fn get_policy(
    State(state): State<AppState>,
    Admin(caller): Admin,
) -> Result<Json<Value>, GraphError> {
    let policy = state
        .services
        .get_authentication_methods_policy(&caller)
        .await?;
    let mut body = policy_json(&policy);
    body["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#{PATH}/$entity",
        state.base_url()
    ));
    Ok(Json(body))
}

pub async fn update_policy(
    State(state): State<AppState>,
    Admin(caller): Admin,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    may_write(&caller)?;
    let policy = state
        .services
        .get_authentication_methods_policy(&caller)
        .await?;
    let patch = parse_policy_patch(&body, &policy)?;
    state
        .services
        .update_methods_policy(&caller, patch.methods, patch.campaign)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn get_configuration(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let graph = configuration_id(&id)?;
    let policy = state
        .services
        .get_authentication_methods_policy(&caller)
        .await?;
    let mut body = configuration_json(&policy, graph);
    body["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#{PATH}/authenticationMethodConfigurations/$entity",
        state.base_url()
    ));
    Ok(Json(body))
}

pub async fn update_configuration(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    may_write(&caller)?;
    let graph = configuration_id(&id)?;
    let policy = state
        .services
        .get_authentication_methods_policy(&caller)
        .await?;
    let changes = parse_configuration_patch(graph, &body, &policy)?;
    state
        .services
        .update_authentication_methods(&caller, changes)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
