//! `/v1.0/users`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::UserType;
use portcullis_service::admin::users::{NewUser, UserPatch};
use portcullis_store::UserField;
use serde_json::{Map, Value};

use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_json::GraphJson;
use crate::graph_shape::{collection, project, user_json};
use crate::odata::query::{Capabilities, ODataQuery};
use crate::query_pairs::QueryPairs;
use crate::state::AppState;

const TYPE: &str = "microsoft.graph.user";

pub const CAPABILITIES: Capabilities = Capabilities {
    type_name: TYPE,
    selectable: &[
        "id",
        "userPrincipalName",
        "displayName",
        "mail",
        "mobilePhone",
        "userType",
        "accountEnabled",
        "createdDateTime",
        "givenName",
        "surname",
        "jobTitle",
        "department",
        "officeLocation",
        "companyName",
        "employeeId",
        "city",
        "country",
        "usageLocation",
        "preferredLanguage",
        "mailNickname",
    ],
    order_by: true,
};

/// Graph user properties kept as free attributes.
const ATTRIBUTES: &[&str] = &[
    "givenName",
    "surname",
    "jobTitle",
    "department",
    "officeLocation",
    "companyName",
    "employeeId",
    "city",
    "country",
    "usageLocation",
    "preferredLanguage",
    "mailNickname",
    "streetAddress",
    "postalCode",
    "state",
];

pub async fn list(
    State(state): State<AppState>,
    Admin(caller): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let query = ODataQuery::<UserField>::parse(&CAPABILITIES, &pairs)?;
    let page = state
        .services
        .list_users(&caller, &query.to_store())
        .await?;
    let items = page
        .items
        .iter()
        .map(|u| project(user_json(u), query.select.as_deref()))
        .collect();
    Ok(Json(collection(
        state.base_url(),
        "/v1.0/users",
        "users",
        &pairs,
        items,
        page.next.as_ref(),
    )))
}

pub async fn get(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let query = ODataQuery::<UserField>::parse(&CAPABILITIES, &pairs)?;
    let id = state.services.resolve_user(&caller, &id).await?;
    let user = state.services.get_user(&caller, &id).await?;
    Ok(Json(project(user_json(&user), query.select.as_deref())))
}

pub async fn create(
    State(state): State<AppState>,
    Admin(caller): Admin,
    GraphJson(body): GraphJson<Value>,
) -> Result<Response, GraphError> {
    let mut object = body_object(body)?;
    let upn = take_string(&mut object, "userPrincipalName")?
        .ok_or_else(|| missing("userPrincipalName"))?;
    let display_name =
        take_string(&mut object, "displayName")?.ok_or_else(|| missing("displayName"))?;
    let profile = take_password(&mut object)?;
    let new = NewUser {
        user_principal_name: upn,
        display_name,
        mail: take_string(&mut object, "mail")?,
        mobile_phone: take_string(&mut object, "mobilePhone")?,
        user_type: take_user_type(&mut object)?.unwrap_or(UserType::Member),
        account_enabled: take_bool(&mut object, "accountEnabled")?.unwrap_or(true),
        password: profile.password,
        force_change_password: profile.force_change.unwrap_or(false),
        attributes: take_attributes(object)?,
    };
    let user = state.services.create_user(&caller, new).await?;
    Ok((StatusCode::CREATED, Json(user_json(&user))).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let id = state.services.resolve_user(&caller, &id).await?;
    let mut object = body_object(body)?;
    let profile = take_password(&mut object)?;
    let patch = UserPatch {
        user_principal_name: take_string(&mut object, "userPrincipalName")?,
        display_name: take_string(&mut object, "displayName")?,
        mail: take_nullable(&mut object, "mail")?,
        mobile_phone: take_nullable(&mut object, "mobilePhone")?,
        user_type: take_user_type(&mut object)?,
        account_enabled: take_bool(&mut object, "accountEnabled")?,
        password: profile.password,
        force_change_password: profile.force_change,
        attributes: take_attributes(object)?,
    };
    state.services.update_user(&caller, &id, patch).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let id = state.services.resolve_user(&caller, &id).await?;
    state.services.delete_user(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) fn body_object(body: Value) -> Result<Map<String, Value>, GraphError> {
    match body {
        Value::Object(mut object) => {
            object.remove("@odata.type");
            Ok(object)
        }
        _ => Err(GraphError::bad_request(
            "The request body must be a JSON object.",
        )),
    }
}

pub(crate) fn missing(property: &str) -> GraphError {
    GraphError::bad_request(format!("Property '{property}' is required."))
}

fn wrong_type(property: &str, expected: &str) -> GraphError {
    GraphError::bad_request(format!("Property '{property}' must be {expected}."))
}

pub(crate) fn take_string(
    object: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<String>, GraphError> {
    match object.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type(key, "a string")),
    }
}

pub(crate) fn take_nullable(
    object: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<Option<String>>, GraphError> {
    match object.remove(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s))),
        Some(_) => Err(wrong_type(key, "a string or null")),
    }
}

pub(crate) fn take_bool(
    object: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<bool>, GraphError> {
    match object.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(_) => Err(wrong_type(key, "true or false")),
    }
}

fn take_user_type(object: &mut Map<String, Value>) -> Result<Option<UserType>, GraphError> {
    take_string(object, "userType")?
        .map(|t| UserType::parse(&t).ok_or_else(|| wrong_type("userType", "'Member' or 'Guest'")))
        .transpose()
}

/// `passwordProfile`: the password and whether the next sign-in must change it.
#[derive(Debug, Default)]
struct PasswordProfile {
    password: Option<String>,
    force_change: Option<bool>,
}

fn take_password(object: &mut Map<String, Value>) -> Result<PasswordProfile, GraphError> {
    match object.remove("passwordProfile") {
        None | Some(Value::Null) => Ok(PasswordProfile::default()),
        Some(Value::Object(mut profile)) => {
            let force_change = take_bool(&mut profile, "forceChangePasswordNextSignIn")?;
            // Every Portcullis sign-in that changes a password has already passed MFA
            // when policy asks for it, so "with MFA" adds nothing to honour.
            take_bool(&mut profile, "forceChangePasswordNextSignInWithMfa")?;
            let password = take_string(&mut profile, "password")?;
            if let Some(extra) = profile.keys().next() {
                return Err(GraphError::bad_request(format!(
                    "Property '{extra}' does not exist on type 'microsoft.graph.passwordProfile'."
                )));
            }
            Ok(PasswordProfile {
                password,
                force_change,
            })
        }
        Some(_) => Err(wrong_type("passwordProfile", "an object")),
    }
}

fn take_attributes(object: Map<String, Value>) -> Result<Map<String, Value>, GraphError> {
    for (key, value) in &object {
        if !ATTRIBUTES.contains(&key.as_str()) {
            return Err(GraphError::bad_request(format!(
                "Property '{key}' does not exist on type '{TYPE}'."
            )));
        }
        if !(value.is_string() || value.is_null()) {
            return Err(wrong_type(key, "a string or null"));
        }
    }
    Ok(object)
}
