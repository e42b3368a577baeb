//! `/v1.0/identityProtection`: `riskyUsers` (list with `$filter` on `riskLevel`,
//! `riskState`, `riskDetail`, `id`; `$orderby=riskLastUpdatedDateTime`; `$top`;
//! `$skiptoken`), one risky user, the `confirmCompromised` and `dismiss` actions
//! (`{"userIds": [...]}` → 204), and `riskDetections` (newest first; `$filter` on
//! `userId eq '…'` and `detectedDateTime ge|gt …`; `$top`). Permissions are the
//! services': `IdentityRiskyUser.Read.All` / `IdentityRiskEvent.Read.All` to read,
//! `IdentityRiskyUser.ReadWrite.All` to act, or the Security Administrator, Security
//! Operator, Security Reader and Global Reader roles as Entra allows them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_core::{RiskEvent, UserId};
use portcullis_service::risk::admin::RiskyUser;
use portcullis_store::RiskyUserField;
use serde_json::{Value, json};

use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_json::GraphJson;
use crate::graph_shape::collection;
use crate::odata::filter::{CompareOp, FilterExpr, Literal, parse_filter};
use crate::odata::query::{Capabilities, DEFAULT_TOP, ODataQuery, QueryError, parse_top};
use crate::odata::time_range::split_time_range;
use crate::query_pairs::QueryPairs;
use crate::state::AppState;

const RISKY_USERS: Capabilities = Capabilities {
    type_name: "microsoft.graph.riskyUser",
    selectable: &[],
    order_by: true,
};

pub async fn list_risky_users(
    State(state): State<AppState>,
    Admin(caller): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let query = ODataQuery::<RiskyUserField>::parse(&RISKY_USERS, &pairs)?;
    let page = state
        .services
        .list_risky_users(&caller, &query.to_store())
        .await?;
    let items = page.items.iter().map(risky_user_json).collect();
    Ok(Json(collection(
        state.base_url(),
        "/v1.0/identityProtection/riskyUsers",
        "identityProtection/riskyUsers",
        &pairs,
        items,
        page.next.as_ref(),
    )))
}

pub async fn get_risky_user(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    // A text that is not a GUID names no user: nothing is revealed by saying so.
    let id = UserId::parse(&id)
        .map_err(|_| GraphError::not_found(format!("riskyUser {id} not found: not a user id")))?;
    let risky = state.services.get_risky_user(&caller, &id).await?;
    let mut body = risky_user_json(&risky);
    body["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#identityProtection/riskyUsers/$entity",
        state.base_url()
    ));
    Ok(Json(body))
}

pub async fn confirm_compromised(
    State(state): State<AppState>,
    Admin(caller): Admin,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let ids = user_ids(&body)?;
    state
        .services
        .confirm_users_compromised(&caller, &ids)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn dismiss(
    State(state): State<AppState>,
    Admin(caller): Admin,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let ids = user_ids(&body)?;
    state.services.dismiss_user_risk(&caller, &ids).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_risk_detections(
    State(state): State<AppState>,
    Admin(caller): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let mut top = DEFAULT_TOP;
    let mut filter = None;
    for (name, value) in &pairs {
        match name.as_str() {
            "$top" => top = parse_top(value)?,
            "$filter" if filter.is_none() => filter = Some(value.clone()),
            "$filter" => {
                return Err(QueryError(
                    "Query option '$filter' is specified more than once.".into(),
                )
                .into());
            }
            other if other.starts_with('$') => {
                return Err(QueryError(format!(
                    "Query option '{other}' is not supported on microsoft.graph.riskDetection."
                ))
                .into());
            }
            _ => {}
        }
    }
    let (user, since) = match filter {
        None => (None, None),
        Some(text) => detection_filter(&text)?,
    };
    let events = state
        .services
        .list_risk_detections(&caller, user.as_ref(), since, top)
        .await?;
    let items = events.iter().map(risk_detection_json).collect();
    Ok(Json(collection(
        state.base_url(),
        "/v1.0/identityProtection/riskDetections",
        "identityProtection/riskDetections",
        &pairs,
        items,
        None,
    )))
}

/// `userId eq '…'` and a lower bound on `detectedDateTime`, joined by `and`: what the
/// store's detection index answers.
fn detection_filter(
    text: &str,
) -> Result<(Option<UserId>, Option<time::OffsetDateTime>), QueryError> {
    let expr = parse_filter(text).map_err(|e| QueryError(format!("Invalid filter clause: {e}")))?;
    let (rest, range) = split_time_range(expr, "detectedDateTime")?;
    if range.to.is_some() {
        return Err(QueryError(
            "Invalid filter clause: detectedDateTime supports only ge and gt.".into(),
        ));
    }
    let user = match rest {
        None => None,
        Some(FilterExpr::Compare {
            property,
            op: CompareOp::Eq,
            value: Literal::String(id),
        }) if property.eq_ignore_ascii_case("userId") => {
            Some(UserId::parse(&id).map_err(|_| {
                QueryError(format!("Invalid filter clause: '{id}' is not a user id."))
            })?)
        }
        Some(_) => {
            return Err(QueryError(
                "Invalid filter clause: riskDetections filter on userId eq '…' and detectedDateTime ge|gt only.".into(),
            ));
        }
    };
    Ok((user, range.from))
}

fn user_ids(body: &Value) -> Result<Vec<UserId>, GraphError> {
    let Some(list) = body.get("userIds").and_then(Value::as_array) else {
        return Err(GraphError::bad_request(
            "The body must be {\"userIds\": [\"<user id>\", …]}.",
        ));
    };
    list.iter()
        .map(|item| {
            item.as_str()
                .and_then(|text| UserId::parse(text).ok())
                .ok_or_else(|| {
                    GraphError::bad_request(format!("userIds: {item} is not a user id."))
                })
        })
        .collect()
}

fn rfc3339(at: time::OffsetDateTime) -> Value {
    at.format(&time::format_description::well_known::Rfc3339)
        .map_or(Value::Null, Value::String)
}

/// The Graph `riskyUser` shape.
fn risky_user_json(risky: &RiskyUser) -> Value {
    let risk = &risky.risk;
    json!({
        "id": risk.user_id.as_str(),
        "isDeleted": risky.is_deleted,
        // Feedback is applied in the same transaction as the request, never later.
        "isProcessing": false,
        "riskLastUpdatedDateTime": rfc3339(risk.risk_last_updated_date_time),
        "riskLevel": risk.risk_level.as_str(),
        "riskState": risk.risk_state.as_str(),
        "riskDetail": risk.risk_detail,
        "userDisplayName": risky.user_display_name,
        "userPrincipalName": risky.user_principal_name,
    })
}

/// The value of an `additionalInfo` entry (`[{"Key": …, "Value": …}]`).
fn additional(event: &RiskEvent, key: &str) -> Option<String> {
    event.additional_info.as_array()?.iter().find_map(|entry| {
        (entry.get("Key")?.as_str()? == key)
            .then(|| entry.get("Value")?.as_str().map(str::to_owned))
            .flatten()
    })
}

/// The Graph `riskDetection` shape.
fn risk_detection_json(event: &RiskEvent) -> Value {
    let detected = rfc3339(event.detected_date_time);
    json!({
        "id": event.id.as_str(),
        "requestId": event.sign_in_id.as_ref().map(|id| id.as_str().to_owned()),
        "correlationId": additional(event, "correlationId"),
        "riskEventType": event.risk_event_type,
        "riskLevel": event.risk_level,
        "riskState": event.risk_state,
        "riskDetail": event.risk_detail.as_deref().unwrap_or("none"),
        "source": additional(event, "source").unwrap_or_else(|| "IdentityProtection".to_owned()),
        "detectionTimingType": event.detection_timing_type,
        "activity": if event.sign_in_id.is_some() { "signin" } else { "user" },
        "tokenIssuerType": "AzureAD",
        "ipAddress": event.ip_address,
        "location": Value::Null,
        "activityDateTime": detected,
        "detectedDateTime": detected,
        "lastUpdatedDateTime": detected,
        "userId": event.user_id.as_ref().map(|id| id.as_str().to_owned()),
        "userDisplayName": Value::Null,
        "userPrincipalName": event.user_principal_name,
        // Graph carries it as a JSON string.
        "additionalInfo": event.additional_info.to_string(),
    })
}
