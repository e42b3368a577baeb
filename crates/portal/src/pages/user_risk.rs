//! The user risk panel of a user's page (level, state, detail, last change, the newest
//! detections) and its two admin actions, dismiss and confirm compromised. Both go
//! through the Identity Protection service (`portcullis_service::risk::admin`), which
//! checks `RiskWrite` and audits them; reading needs `RiskRead`, so roles without it
//! (Helpdesk Administrator, User Administrator) see neither the panel nor its forms.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::{Permission, Target, UserId, UserRiskLevel};
use portcullis_pages::kit::PageError;
use portcullis_service::{Caller, ServiceError, Services};

use super::{PageResult, fail};
use crate::admin::Admin;
use crate::error::bad_request;
use crate::format::when;
use crate::state::PortalState;

/// How many detections the panel lists (the Graph API has them all).
const RECENT_DETECTIONS: u32 = 10;

pub struct DetectionRow {
    pub detected: String,
    pub event_type: String,
    pub level: String,
    pub state: String,
    pub ip: String,
    /// The sign-in that raised it, when there was one.
    pub sign_in: Option<String>,
}

/// What the panel shows.
pub struct UserRiskView {
    pub level: &'static str,
    pub state: &'static str,
    pub detail: String,
    /// Empty when the user never had a detection.
    pub updated: String,
    pub detections: Vec<DetectionRow>,
    /// The admin's roles allow dismissing and confirming (`RiskWrite`).
    pub may_act: bool,
    /// Dismissing is offered only while there is risk to dismiss.
    pub at_risk: bool,
}

/// The panel for `user`, or `None` when the caller's roles may not read risk.
pub async fn view(
    services: &Services,
    caller: &Caller,
    user: &UserId,
) -> Result<Option<UserRiskView>, ServiceError> {
    let risk = match services.get_risky_user(caller, user).await {
        Ok(risky) => Some(risky.risk),
        // Never had a detection: shown as no risk, as Entra does.
        Err(ServiceError::NotFound(_)) => None,
        Err(ServiceError::Forbidden(_)) => return Ok(None),
        Err(other) => return Err(other),
    };
    let detections = services
        .list_risk_detections(caller, Some(user), None, RECENT_DETECTIONS)
        .await?
        .into_iter()
        .map(|event| DetectionRow {
            detected: when(event.detected_date_time),
            event_type: event.risk_event_type,
            level: event.risk_level,
            state: event.risk_state,
            ip: event.ip_address.unwrap_or_default(),
            sign_in: event.sign_in_id.map(|id| id.to_string()),
        })
        .collect();
    let may_act = caller
        .authorize(Permission::RiskWrite, Target::Nothing)
        .is_ok();
    Ok(Some(match risk {
        Some(risk) => UserRiskView {
            level: risk.risk_level.as_str(),
            state: risk.risk_state.as_str(),
            detail: risk.risk_detail,
            updated: when(risk.risk_last_updated_date_time),
            detections,
            may_act,
            at_risk: risk.risk_level != UserRiskLevel::None,
        },
        None => UserRiskView {
            level: "none",
            state: "none",
            detail: "none".to_owned(),
            updated: String::new(),
            detections,
            may_act,
            at_risk: false,
        },
    }))
}

fn parse_user(id: &str) -> Result<UserId, PageError> {
    UserId::parse(id).map_err(|_| bad_request(format!("{id:?} is not a user ID")))
}

fn done(id: &UserId, what: &str) -> Response {
    Redirect::to(&format!("/admin/users/{id}?done={what}")).into_response()
}

/// `POST /admin/users/{id}/risk/dismiss`: every open detection becomes dismissed
/// (irreversible; the password is not reset).
pub async fn dismiss(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_user(&id).map_err(IntoResponse::into_response)?;
    state
        .kit
        .services
        .dismiss_user_risk(&admin.caller, std::slice::from_ref(&id))
        .await
        .map_err(fail)?;
    Ok(done(&id, "risk-dismissed"))
}

/// `POST /admin/users/{id}/risk/confirm-compromised`: high user risk, and the user's
/// sessions and refresh tokens end.
pub async fn confirm_compromised(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_user(&id).map_err(IntoResponse::into_response)?;
    state
        .kit
        .services
        .confirm_users_compromised(&admin.caller, std::slice::from_ref(&id))
        .await
        .map_err(fail)?;
    Ok(done(&id, "risk-compromised"))
}
