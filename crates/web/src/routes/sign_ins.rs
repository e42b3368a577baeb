//! `/v1.0/auditLogs/signIns`: the sign-in log in the Graph `signIn` shape.
//!
//! `$filter` on `userId`, `userPrincipalName`, `appId`, `ipAddress`, `clientAppUsed`,
//! `conditionalAccessStatus`, `status/errorCode`, `correlationId`, `isInteractive`,
//! `riskLevelDuringSignIn`, `riskLevelAggregated`
//! (`eq`, `ne`, `startswith`, `and`, `or`), with `createdDateTime` bounds (`ge`, `gt`,
//! `le`, `lt`) in the top-level `and` becoming the store's time range; `$top`;
//! `@odata.nextLink` paging. Needs `SignInLogRead` (AuditLog.Read.All, Reports Reader,
//! Security Reader, Global Reader …).

use axum::Json;
use axum::extract::{Path, State};
use portcullis_store::{Cursor, SignInField, SignInQuery};
use serde_json::Value;

use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_shape::collection;
use crate::odata::filter::parse_filter;
use crate::odata::query::{Capabilities, ODataQuery, QueryError, to_store_filter};
use crate::odata::time_range::{TimeRange, split_time_range};
use crate::query_pairs::QueryPairs;
use crate::state::AppState;

const CAPABILITIES: Capabilities = Capabilities {
    type_name: "microsoft.graph.signIn",
    selectable: &[],
    order_by: false,
};

/// Newest first, as Graph lists them.
pub async fn list(
    State(state): State<AppState>,
    Admin(caller): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    if pairs.iter().filter(|(k, _)| k == "$filter").count() > 1 {
        return Err(
            QueryError("Query option '$filter' is specified more than once.".into()).into(),
        );
    }
    let filter_text = pairs
        .iter()
        .find(|(k, _)| k == "$filter")
        .map(|(_, v)| v.clone());
    let other_options: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "$filter")
        .cloned()
        .collect();
    let query = ODataQuery::<SignInField>::parse(&CAPABILITIES, &other_options)?;
    let (filter, range) = match filter_text {
        None => (None, TimeRange::default()),
        Some(text) => {
            let expr = parse_filter(&text)
                .map_err(|e| QueryError(format!("Invalid filter clause: {e}")))?;
            let (rest, range) = split_time_range(expr, "createdDateTime")?;
            (
                rest.map(|e| to_store_filter::<SignInField>(&e))
                    .transpose()?,
                range,
            )
        }
    };
    let store_query = SignInQuery {
        filter,
        from: range.from,
        to: range.to,
        outcome: None,
        limit: query.top,
        cursor: query.skip_token.clone().map(Cursor::from_token),
    };
    let page = state.services.list_sign_ins(&caller, &store_query).await?;
    let items = page
        .items
        .iter()
        .map(|record| serde_json::to_value(record).unwrap_or(Value::Null))
        .collect();
    Ok(Json(collection(
        state.base_url(),
        "/v1.0/auditLogs/signIns",
        "auditLogs/signIns",
        &pairs,
        items,
        page.next.as_ref(),
    )))
}

/// One sign-in by id.
pub async fn get(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let record = state.services.get_sign_in(&caller, &id).await?;
    let mut body = serde_json::to_value(&record).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut body {
        map.insert(
            "@odata.context".into(),
            Value::String(format!(
                "{}/v1.0/$metadata#auditLogs/signIns/$entity",
                state.base_url()
            )),
        );
    }
    Ok(Json(body))
}
