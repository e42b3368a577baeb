//! `/v1.0/users/{id}/authentication/…`: a user's authentication methods for admins
//! (list, read, delete) and Temporary Access Pass issuance, in Graph's shapes. Least
//! privilege is the service's (`UserAuthMethodsManage`, `TemporaryAccessPassIssue`,
//! judged against the target user's roles).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use portcullis_core::{CredentialId, CredentialKind, UserId};
use portcullis_service::Caller;
use portcullis_service::security_info::{
    PhoneType, SecurityInfoService, SecurityInfoSettings, TemporaryAccessPassRequest,
};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::authentication_methods_json::{GraphMethodKind, method_json};
use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_json::GraphJson;
use crate::state::AppState;

/// The routes, merged into the application router.
pub fn routes() -> Router<AppState> {
    const BASE: &str = "/v1.0/users/{id}/authentication";
    Router::new()
        .route(&format!("{BASE}/methods"), get(list_methods))
        .route(
            &format!("{BASE}/methods/{{method}}"),
            get(get_method).delete(delete_method),
        )
        .route(&format!("{BASE}/fido2Methods"), get(list_fido2))
        .route(
            &format!("{BASE}/fido2Methods/{{method}}"),
            get(get_fido2).delete(delete_fido2),
        )
        .route(
            &format!("{BASE}/softwareOathMethods"),
            get(list_software_oath),
        )
        .route(
            &format!("{BASE}/softwareOathMethods/{{method}}"),
            get(get_software_oath).delete(delete_software_oath),
        )
        .route(
            &format!("{BASE}/emailMethods"),
            get(list_email).post(create_email),
        )
        .route(
            &format!("{BASE}/emailMethods/{{method}}"),
            get(get_email).delete(delete_email),
        )
        .route(
            &format!("{BASE}/phoneMethods"),
            get(list_phone).post(create_phone),
        )
        .route(
            &format!("{BASE}/phoneMethods/{{method}}"),
            get(get_phone).delete(delete_phone),
        )
        .route(
            &format!("{BASE}/temporaryAccessPassMethods"),
            get(list_temporary_access_pass).post(create_temporary_access_pass),
        )
        .route(
            &format!("{BASE}/temporaryAccessPassMethods/{{method}}"),
            get(get_temporary_access_pass).delete(delete_temporary_access_pass),
        )
}

fn security_info(state: &AppState) -> Result<SecurityInfoService, GraphError> {
    let settings = SecurityInfoSettings::for_public_url(state.base_url())?;
    Ok(SecurityInfoService::new(state.services.clone(), settings)?)
}

async fn user_id(state: &AppState, caller: &Caller, reference: &str) -> Result<UserId, GraphError> {
    Ok(state.services.resolve_user(caller, reference).await?)
}

fn method_id(id: &str) -> Result<CredentialId, GraphError> {
    CredentialId::parse(id)
        .map_err(|_| GraphError::not_found(format!("Authentication method '{id}' does not exist.")))
}

fn collection_json(state: &AppState, user: &UserId, segment: &str, items: Vec<Value>) -> Value {
    json!({
        "@odata.context": format!(
            "{}/v1.0/$metadata#users('{user}')/authentication/{segment}",
            state.base_url()
        ),
        "value": items,
    })
}

async fn list_of(
    state: &AppState,
    caller: &Caller,
    user: &str,
    kind: Option<GraphMethodKind>,
) -> Result<Json<Value>, GraphError> {
    let user = user_id(state, caller, user).await?;
    let methods = security_info(state)?
        .list_user_methods(caller, &user)
        .await?;
    let items = methods
        .iter()
        .filter(|method| kind.is_none_or(|kind| kind.credential_kind() == method.kind))
        .filter_map(method_json)
        .collect();
    let segment = kind.map_or("methods", GraphMethodKind::segment);
    Ok(Json(collection_json(state, &user, segment, items)))
}

async fn one_of(
    state: &AppState,
    caller: &Caller,
    user: &str,
    id: &str,
    kind: Option<GraphMethodKind>,
) -> Result<Json<Value>, GraphError> {
    let user = user_id(state, caller, user).await?;
    let id = method_id(id)?;
    let method = security_info(state)?
        .get_user_method(caller, &user, &id)
        .await?;
    if kind.is_some_and(|kind| kind.credential_kind() != method.kind) {
        return Err(GraphError::not_found(format!(
            "Authentication method '{id}' does not exist."
        )));
    }
    method_json(&method).map(Json).ok_or_else(|| {
        GraphError::not_found(format!("Authentication method '{id}' does not exist."))
    })
}

async fn delete_of(
    state: &AppState,
    caller: &Caller,
    user: &str,
    id: &str,
    kind: Option<CredentialKind>,
) -> Result<StatusCode, GraphError> {
    let user = user_id(state, caller, user).await?;
    let id = method_id(id)?;
    security_info(state)?
        .delete_user_method(caller, &user, &id, kind)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /users/{id}/authentication/methods`
pub async fn list_methods(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(user): Path<String>,
) -> Result<Json<Value>, GraphError> {
    list_of(&state, &caller, &user, None).await
}

/// `GET /users/{id}/authentication/methods/{methodId}`
pub async fn get_method(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path((user, id)): Path<(String, String)>,
) -> Result<Json<Value>, GraphError> {
    one_of(&state, &caller, &user, &id, None).await
}

/// `DELETE /users/{id}/authentication/methods/{methodId}` (any kind but the password).
pub async fn delete_method(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path((user, id)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    delete_of(&state, &caller, &user, &id, None).await
}

macro_rules! typed_routes {
    ($kind:expr, $list:ident, $get:ident, $delete:ident) => {
        pub async fn $list(
            State(state): State<AppState>,
            Admin(caller): Admin,
            Path(user): Path<String>,
        ) -> Result<Json<Value>, GraphError> {
            list_of(&state, &caller, &user, Some($kind)).await
        }

        pub async fn $get(
            State(state): State<AppState>,
            Admin(caller): Admin,
            Path((user, id)): Path<(String, String)>,
        ) -> Result<Json<Value>, GraphError> {
            one_of(&state, &caller, &user, &id, Some($kind)).await
        }

        pub async fn $delete(
            State(state): State<AppState>,
            Admin(caller): Admin,
            Path((user, id)): Path<(String, String)>,
        ) -> Result<StatusCode, GraphError> {
            delete_of(&state, &caller, &user, &id, Some($kind.credential_kind())).await
        }
    };
}

typed_routes!(GraphMethodKind::Fido2, list_fido2, get_fido2, delete_fido2);
typed_routes!(
    GraphMethodKind::SoftwareOath,
    list_software_oath,
    get_software_oath,
    delete_software_oath
);
typed_routes!(
    GraphMethodKind::TemporaryAccessPass,
    list_temporary_access_pass,
    get_temporary_access_pass,
    delete_temporary_access_pass
);

typed_routes!(GraphMethodKind::Email, list_email, get_email, delete_email);
typed_routes!(GraphMethodKind::Phone, list_phone, get_phone, delete_phone);

/// The body of `POST …/emailMethods`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewEmailMethod {
    email_address: String,
}

/// `POST /users/{id}/authentication/emailMethods`.
pub async fn create_email(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(user): Path<String>,
    GraphJson(body): GraphJson<NewEmailMethod>,
) -> Result<Response, GraphError> {
    let user = user_id(&state, &caller, &user).await?;
    let method = security_info(&state)?
        .add_email_method(&caller, &user, &body.email_address)
        .await?;
    created(&method)
}

/// The body of `POST …/phoneMethods`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPhoneMethod {
    phone_number: String,
    phone_type: String,
}

/// `POST /users/{id}/authentication/phoneMethods`.
pub async fn create_phone(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(user): Path<String>,
    GraphJson(body): GraphJson<NewPhoneMethod>,
) -> Result<Response, GraphError> {
    let user = user_id(&state, &caller, &user).await?;
    let phone_type = PhoneType::parse(&body.phone_type).ok_or_else(|| {
        GraphError::bad_request("phoneType must be 'mobile' or 'office'.".to_owned())
    })?;
    let method = security_info(&state)?
        .add_phone_method(&caller, &user, &body.phone_number, phone_type)
        .await?;
    created(&method)
}

fn created(
    method: &portcullis_service::security_info::SecurityMethod,
) -> Result<Response, GraphError> {
    let shape = method_json(method).ok_or_else(GraphError::internal)?;
    Ok((StatusCode::CREATED, Json(shape)).into_response())
}

/// The body of `POST …/temporaryAccessPassMethods` (every field optional).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTemporaryAccessPass {
    #[serde(default, with = "time::serde::rfc3339::option")]
    start_date_time: Option<OffsetDateTime>,
    #[serde(default)]
    lifetime_in_minutes: Option<u32>,
    #[serde(default)]
    is_usable_once: Option<bool>,
}

/// `POST /users/{id}/authentication/temporaryAccessPassMethods`: 201 with the pass,
/// shown this once.
pub async fn create_temporary_access_pass(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(user): Path<String>,
    GraphJson(body): GraphJson<NewTemporaryAccessPass>,
) -> Result<Response, GraphError> {
    let user = user_id(&state, &caller, &user).await?;
    let request = TemporaryAccessPassRequest {
        start_date_time: body.start_date_time,
        lifetime_in_minutes: body.lifetime_in_minutes,
        is_usable_once: body.is_usable_once,
    };
    let issued = security_info(&state)?
        .issue_temporary_access_pass(&caller, &user, request)
        .await?;
    let mut shape = method_json(&issued.method).unwrap_or_else(|| json!({}));
    if let Some(object) = shape.as_object_mut() {
        object.insert(
            "temporaryAccessPass".into(),
            Value::String(issued.temporary_access_pass),
        );
    }
    Ok((StatusCode::CREATED, Json(shape)).into_response())
}

impl From<portcullis_service::security_info::SecurityInfoError> for GraphError {
    fn from(err: portcullis_service::security_info::SecurityInfoError) -> Self {
        use portcullis_service::security_info::SecurityInfoError as E;
        match err {
            E::Service(inner) => inner.into(),
            E::RegistrationBlocked { .. }
            | E::StepUpRequired { .. }
            | E::FreshSignInRequired { .. }
            | E::MethodNotAllowed { .. } => GraphError::forbidden(err.to_string()),
            E::NoPendingRegistration { .. } | E::WrongCode | E::Passkey(_) => {
                GraphError::bad_request(err.to_string())
            }
            // The self-service phone and email verification; not reached from Graph.
            E::InvalidPhoneNumber { .. }
            | E::InvalidEmailAddress { .. }
            | E::AlreadyRegistered { .. }
            | E::WrongVerificationCode { .. }
            | E::MalformedVerificationCode { .. }
            | E::VerificationEnded
            | E::SendThrottled { .. }
            | E::CodeNotSent { .. } => GraphError::bad_request(err.to_string()),
        }
    }
}
