//! `/v1.0/auditLogs/directoryAudits`.

use axum::Json;
use axum::extract::State;
use portcullis_store::{AuditField, AuditQuery, Cursor};
use serde_json::Value;

use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_shape::{audit_json, collection};
use crate::odata::filter::parse_filter;
use crate::odata::query::{Capabilities, ODataQuery, QueryError, to_store_filter};
use crate::odata::time_range::{TimeRange, split_time_range};
use crate::query_pairs::QueryPairs;
use crate::state::AppState;

const CAPABILITIES: Capabilities = Capabilities {
    type_name: "microsoft.graph.directoryAudit",
    selectable: &[],
    order_by: false,
};

/// Newest first, as Graph lists them. `activityDateTime` bounds (`ge`, `gt`, `le`, `lt`)
/// in the top-level `and` of `$filter` become the store's time range.
pub async fn list(
    State(state): State<AppState>,
    Admin(caller): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let filter_text = pairs
        .iter()
        .find(|(k, _)| k == "$filter")
        .map(|(_, v)| v.clone());
    let other_options: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "$filter")
        .cloned()
        .collect();
    if pairs.iter().filter(|(k, _)| k == "$filter").count() > 1 {
        return Err(
            QueryError("Query option '$filter' is specified more than once.".into()).into(),
        );
    }
    let query = ODataQuery::<AuditField>::parse(&CAPABILITIES, &other_options)?;
    let (filter, range) = match filter_text {
        None => (None, TimeRange::default()),
        Some(text) => {
            let expr = parse_filter(&text)
                .map_err(|e| QueryError(format!("Invalid filter clause: {e}")))?;
            let (rest, range) = split_time_range(expr, "activityDateTime")?;
            (
                rest.map(|e| to_store_filter::<AuditField>(&e))
                    .transpose()?,
                range,
            )
        }
    };
    let store_query = AuditQuery {
        filter,
        from: range.from,
        to: range.to,
        limit: query.top,
        cursor: query.skip_token.clone().map(Cursor::from_token),
    };
    let page = state.services.list_audit(&caller, &store_query).await?;
    let items = page.items.iter().map(audit_json).collect();
    Ok(Json(collection(
        state.base_url(),
        "/v1.0/auditLogs/directoryAudits",
        "auditLogs/directoryAudits",
        &pairs,
        items,
        page.next.as_ref(),
    )))
}
