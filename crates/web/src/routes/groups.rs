//! `/v1.0/groups`, members (`$ref`) and `transitiveMembers`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::GroupId;
use portcullis_service::admin::groups::{GroupPatch, NewGroup};
use portcullis_store::GroupField;
use serde_json::Value;

use super::users::{body_object, missing, take_bool, take_nullable, take_string};
use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_json::GraphJson;
use crate::graph_shape::{collection, directory_object_json, group_json, project};
use crate::odata::query::{Capabilities, ODataQuery};
use crate::query_pairs::QueryPairs;
use crate::state::AppState;

pub const CAPABILITIES: Capabilities = Capabilities {
    type_name: "microsoft.graph.group",
    selectable: &[
        "id",
        "displayName",
        "description",
        "mailNickname",
        "mailEnabled",
        "securityEnabled",
        "groupTypes",
        "isAssignableToRole",
        "createdDateTime",
    ],
    order_by: true,
};

pub async fn list(
    State(state): State<AppState>,
    Admin(caller): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let query = ODataQuery::<GroupField>::parse(&CAPABILITIES, &pairs)?;
    let page = state
        .services
        .list_groups(&caller, &query.to_store())
        .await?;
    let items = page
        .items
        .iter()
        .map(|g| project(group_json(g), query.select.as_deref()))
        .collect();
    Ok(Json(collection(
        state.base_url(),
        "/v1.0/groups",
        "groups",
        &pairs,
        items,
        page.next.as_ref(),
    )))
}

pub async fn get(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let group = state.services.get_group(&caller, &group_id(&id)?).await?;
    Ok(Json(group_json(&group)))
}

pub async fn create(
    State(state): State<AppState>,
    Admin(caller): Admin,
    GraphJson(body): GraphJson<Value>,
) -> Result<Response, GraphError> {
    let mut object = body_object(body)?;
    let display_name =
        take_string(&mut object, "displayName")?.ok_or_else(|| missing("displayName"))?;
    if take_bool(&mut object, "mailEnabled")? == Some(true) {
        return Err(GraphError::bad_request(
            "Mail-enabled groups are not supported; set mailEnabled to false.",
        ));
    }
    if take_bool(&mut object, "securityEnabled")? == Some(false) {
        return Err(GraphError::bad_request(
            "Only security groups are supported; set securityEnabled to true.",
        ));
    }
    match object.remove("groupTypes") {
        None | Some(Value::Null) => {}
        Some(Value::Array(types)) if types.is_empty() => {}
        Some(_) => {
            return Err(GraphError::bad_request(
                "Only groupTypes [] (security groups) is supported.",
            ));
        }
    }
    let new = NewGroup {
        display_name,
        description: take_string(&mut object, "description")?,
        mail_nickname: take_string(&mut object, "mailNickname")?,
        is_assignable_to_role: take_bool(&mut object, "isAssignableToRole")?.unwrap_or(false),
    };
    reject_unknown(&object)?;
    let group = state.services.create_group(&caller, new).await?;
    Ok((StatusCode::CREATED, Json(group_json(&group))).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let id = group_id(&id)?;
    let mut object = body_object(body)?;
    let patch = GroupPatch {
        display_name: take_string(&mut object, "displayName")?,
        description: take_nullable(&mut object, "description")?,
        mail_nickname: take_nullable(&mut object, "mailNickname")?,
    };
    if object.contains_key("isAssignableToRole") {
        return Err(GraphError::bad_request(
            "isAssignableToRole cannot be changed after the group is created.",
        ));
    }
    reject_unknown(&object)?;
    state.services.update_group(&caller, &id, patch).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    state
        .services
        .delete_group(&caller, &group_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn members(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let id = group_id(&id)?;
    let members = state.services.list_group_members(&caller, &id).await?;
    let items = members.iter().map(directory_object_json).collect();
    let path = format!("/v1.0/groups/{id}/members");
    Ok(Json(collection(
        state.base_url(),
        &path,
        "directoryObjects",
        &pairs,
        items,
        None,
    )))
}

pub async fn transitive_members(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let id = group_id(&id)?;
    let members = state.services.list_transitive_members(&caller, &id).await?;
    let items = members.iter().map(directory_object_json).collect();
    let path = format!("/v1.0/groups/{id}/transitiveMembers");
    Ok(Json(collection(
        state.base_url(),
        &path,
        "directoryObjects",
        &pairs,
        items,
        None,
    )))
}

/// `POST /groups/{id}/members/$ref` with `{"@odata.id": ".../directoryObjects/{memberId}"}`.
pub async fn add_member(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let id = group_id(&id)?;
    let member = odata_id_target(&body)?;
    state
        .services
        .add_group_member(&caller, &id, &member)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /groups/{id}/members/{memberId}/$ref`.
pub async fn remove_member(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path((id, member)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    state
        .services
        .remove_group_member(&caller, &group_id(&id)?, &member)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn group_id(text: &str) -> Result<GroupId, GraphError> {
    GroupId::parse(text)
        .map_err(|_| GraphError::not_found(format!("Resource '{text}' does not exist.")))
}

fn reject_unknown(object: &serde_json::Map<String, Value>) -> Result<(), GraphError> {
    match object.keys().next() {
        Some(key) => Err(GraphError::bad_request(format!(
            "Property '{key}' does not exist on type 'microsoft.graph.group'."
        ))),
        None => Ok(()),
    }
}

/// The object id at the end of an `@odata.id` reference URL (or a bare id).
pub(crate) fn odata_id_target(body: &Value) -> Result<String, GraphError> {
    let reference = body
        .get("@odata.id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            GraphError::bad_request(
                "The body must be {\"@odata.id\": \"…/directoryObjects/{id}\"}.",
            )
        })?;
    let id = reference
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(reference);
    // Graph also accepts `directoryObjects('id')`.
    let id = id
        .strip_prefix("directoryObjects('")
        .and_then(|s| s.strip_suffix("')"))
        .unwrap_or(id);
    if id.is_empty() {
        return Err(GraphError::bad_request("@odata.id names no object."));
    }
    Ok(id.to_owned())
}
