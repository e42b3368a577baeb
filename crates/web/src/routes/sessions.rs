//! Sessions over HTTP: Graph `POST /v1.0/users/{id}/revokeSignInSessions` for admins,
//! and the signed-in user's own sessions (`/api/v1/me/sessions`), authenticated by the
//! session cookie. The state-changing calls are POST/DELETE, which a SameSite=Lax
//! cookie never accompanies from another site, so they need no separate CSRF token.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::SessionId;
use portcullis_service::Caller;
use portcullis_service::sessions::ActiveSession;
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;

use crate::auth::Admin;
use crate::client_ip::ClientIp;
use crate::graph_error::GraphError;
use crate::state::AppState;

/// Graph `revokeSignInSessions`: `{"value": true}` once every session and refresh token
/// of the user is revoked.
pub async fn revoke_sign_in_sessions(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let id = state.services.resolve_user(&caller, &id).await?;
    state.services.revoke_sign_in_sessions(&caller, &id).await?;
    Ok(Json(json!({
        "@odata.context": "$metadata#Edm.Boolean",
        "value": true
    })))
}

/// The caller's session, or 401.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Arc<ActiveSession>, Response> {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ");
    match state
        .services
        .sessions()
        .resolve_cookie_header(Some(&cookie), OffsetDateTime::now_utc())
        .await
    {
        Ok(Ok(active)) => Ok(active),
        Ok(Err(_)) => Err(GraphError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Sign in first: no valid session cookie.",
        )
        .into_response()),
        Err(err) => Err(GraphError::from(err).into_response()),
    }
}

/// `GET /api/v1/me/sessions`: the caller's active sessions, the current one marked.
pub async fn list_mine(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let active = match signed_in(&state, &headers).await {
        Ok(active) => active,
        Err(response) => return response,
    };
    match state
        .services
        .sessions()
        .list_sessions(active.user_id(), OffsetDateTime::now_utc())
        .await
    {
        Ok(list) => {
            let value: Vec<Value> = list
                .into_iter()
                .map(|summary| {
                    let current = &summary.id == active.id();
                    let mut item = serde_json::to_value(summary).unwrap_or(Value::Null);
                    if let Value::Object(map) = &mut item {
                        map.insert("isCurrent".into(), Value::Bool(current));
                    }
                    item
                })
                .collect();
            Json(json!({ "value": value })).into_response()
        }
        Err(err) => GraphError::from(err).into_response(),
    }
}

/// `DELETE /api/v1/me/sessions/{id}`: signs the caller out of one of their sessions.
pub async fn revoke_mine(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let active = match signed_in(&state, &headers).await {
        Ok(active) => active,
        Err(response) => return response,
    };
    let Ok(id) = SessionId::parse(&id) else {
        return GraphError::new(StatusCode::NOT_FOUND, "NotFound", "No such session.")
            .into_response();
    };
    match state
        .services
        .sessions()
        .revoke_own_session(active.user_id(), &id, OffsetDateTime::now_utc())
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => GraphError::from(err).into_response(),
    }
}

/// `POST /api/v1/me/sessions/revokeAll`: signs the caller out everywhere (every
/// session, every refresh token), audited as their own action.
pub async fn revoke_all_mine(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Response {
    let active = match signed_in(&state, &headers).await {
        Ok(active) => active,
        Err(response) => return response,
    };
    let caller = Caller::user(
        active.user_id(),
        &active.user.user_principal_name,
        Some(ip.to_string()),
    );
    match state
        .services
        .sessions()
        .sign_out_everywhere(&caller, active.user_id(), OffsetDateTime::now_utc())
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => GraphError::from(err).into_response(),
    }
}
