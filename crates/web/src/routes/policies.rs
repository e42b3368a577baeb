//! Conditional Access policies, named locations, authentication strengths and the
//! security defaults switch.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_service::admin::policies::PolicyCollection;
use serde_json::{Value, json};

use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_json::GraphJson;
use crate::graph_shape::collection;
use crate::query_pairs::QueryPairs;
use crate::state::AppState;

/// Where each collection lives and its `@odata.context` name.
fn location(collection: PolicyCollection) -> (&'static str, &'static str) {
    match collection {
        PolicyCollection::ConditionalAccessPolicies => (
            "/v1.0/identity/conditionalAccess/policies",
            "identity/conditionalAccess/policies",
        ),
        PolicyCollection::NamedLocations => (
            "/v1.0/identity/conditionalAccess/namedLocations",
            "identity/conditionalAccess/namedLocations",
        ),
        PolicyCollection::AuthenticationStrengths => (
            "/v1.0/policies/authenticationStrengthPolicies",
            "policies/authenticationStrengthPolicies",
        ),
    }
}

/// Handlers for one policy collection.
macro_rules! policy_collection {
    ($module:ident, $collection:expr) => {
        pub mod $module {
            use super::*;

            pub async fn list(
                State(state): State<AppState>,
                Admin(caller): Admin,
                QueryPairs(pairs): QueryPairs,
            ) -> Result<Json<Value>, GraphError> {
                list_in(state, caller, pairs, $collection).await
            }

            pub async fn get(
                State(state): State<AppState>,
                Admin(caller): Admin,
                Path(id): Path<String>,
            ) -> Result<Json<Value>, GraphError> {
                Ok(Json(
                    state
                        .services
                        .get_policy_object(&caller, $collection, &id)
                        .await?,
                ))
            }

            pub async fn create(
                State(state): State<AppState>,
                Admin(caller): Admin,
                GraphJson(body): GraphJson<Value>,
            ) -> Result<Response, GraphError> {
                let created = state
                    .services
                    .create_policy_object(&caller, $collection, body)
                    .await?;
                Ok((StatusCode::CREATED, Json(created)).into_response())
            }

            pub async fn update(
                State(state): State<AppState>,
                Admin(caller): Admin,
                Path(id): Path<String>,
                GraphJson(body): GraphJson<Value>,
            ) -> Result<StatusCode, GraphError> {
                state
                    .services
                    .update_policy_object(&caller, $collection, &id, body)
                    .await?;
                Ok(StatusCode::NO_CONTENT)
            }

            pub async fn delete(
                State(state): State<AppState>,
                Admin(caller): Admin,
                Path(id): Path<String>,
            ) -> Result<StatusCode, GraphError> {
                state
                    .services
                    .delete_policy_object(&caller, $collection, &id)
                    .await?;
                Ok(StatusCode::NO_CONTENT)
            }
        }
    };
}

policy_collection!(
    conditional_access,
    PolicyCollection::ConditionalAccessPolicies
);
policy_collection!(named_locations, PolicyCollection::NamedLocations);
policy_collection!(
    authentication_strengths,
    PolicyCollection::AuthenticationStrengths
);

async fn list_in(
    state: AppState,
    caller: portcullis_service::Caller,
    pairs: Vec<(String, String)>,
    which: PolicyCollection,
) -> Result<Json<Value>, GraphError> {
    if let Some((option, _)) = pairs.iter().find(|(k, _)| k.starts_with('$')) {
        return Err(GraphError::invalid_filter(format!(
            "Query option '{option}' is not supported on this collection."
        )));
    }
    let items = state.services.list_policy_objects(&caller, which).await?;
    let (path, context) = location(which);
    Ok(Json(collection(
        state.base_url(),
        path,
        context,
        &pairs,
        items,
        None,
    )))
}

pub async fn get_security_defaults(
    State(state): State<AppState>,
    Admin(caller): Admin,
) -> Result<Json<Value>, GraphError> {
    let mut value = state.services.get_security_defaults(&caller).await?;
    value["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity",
        state.base_url()
    ));
    Ok(Json(value))
}

pub async fn update_security_defaults(
    State(state): State<AppState>,
    Admin(caller): Admin,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    state
        .services
        .update_security_defaults(&caller, body)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
