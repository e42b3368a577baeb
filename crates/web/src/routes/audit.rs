//! `/v1.0/auditLogs/directoryAudits`.

use axum::Json;
use axum::extract::State;
use portcullis_store::{AuditField, AuditQuery, Cursor};
use serde_json::Value;

use crate::auth::Admin;
use crate::graph_error::GraphError;
use crate::graph_shape::{audit_json, collection};
use crate::odata::query::{Capabilities, ODataQuery};
use crate::query_pairs::QueryPairs;
use crate::state::AppState;

const CAPABILITIES: Capabilities = Capabilities {
    type_name: "microsoft.graph.directoryAudit",
    selectable: &[],
    order_by: false,
};

/// Newest first, as Graph lists them.
pub async fn list(
    State(state): State<AppState>,
    Admin(caller): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, GraphError> {
    let query = ODataQuery::<AuditField>::parse(&CAPABILITIES, &pairs)?;
    let store_query = AuditQuery {
        filter: query.filter.clone(),
        from: None,
        to: None,
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
