//! `/v1.0/users/{id}/authentication/verificationPushes`: a helpdesk agent verifies a
//! caller's identity with a push to the user's Portcullis Authenticator (number shown
//! to the agent, typed by the user), then polls the answer. Not a Microsoft Graph
//! resource; shaped like one. Needs `UserAuthenticationMethod.ReadWrite.All`, or a role
//! that manages the target's methods (Helpdesk Administrator for non-admins).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_service::helpdesk::verification::VerificationPush;
use serde_json::{Value, json};

use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::state::AppState;

pub async fn send(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let user = state.services.resolve_user(&caller, &id).await?;
    let push = state
        .services
        .send_verification_push(&caller, &user)
        .await?;
    Ok((StatusCode::CREATED, Json(push_json(&push))))
}

pub async fn get(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path((id, push_id)): Path<(String, String)>,
) -> Result<Json<Value>, GraphError> {
    let user = state.services.resolve_user(&caller, &id).await?;
    let push = state
        .services
        .verification_push(&caller, &user, &push_id)
        .await?;
    Ok(Json(push_json(&push)))
}

fn push_json(push: &VerificationPush) -> Value {
    json!({
        "id": push.id.to_string(),
        "userId": push.user_id.as_str(),
        // Two digits, as the app asks for them.
        "number": format!("{:02}", push.number),
        "expiresDateTime": push
            .expires_at
            .format(&time::format_description::well_known::Rfc3339)
            .ok(),
        "requestedBy": push.requested_by,
        "status": push.status,
        "detail": push.detail,
        "verified": push.verified,
    })
}
