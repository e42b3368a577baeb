//! The `risky_users` rows: each user's risk, recomputed from all their detections by
//! every write of a detection, inside that write's transaction.

use portcullis_core::user_risk::{UserRiskLevel, UserRiskState, aggregate};
use portcullis_core::{RiskEvent, UserId, UserRisk};
use portcullis_store::sql::{SqlParam, SqlParams, keyset, render_filter};
use portcullis_store::{Cursor, ListQuery, Page, RiskyUserField, StoreError, StoreResult};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};
use time::OffsetDateTime;

use super::{
    Conn, SqlStore, bind_params, db_err, decode, encode, fetch_limit, from_micros, micros, read_err,
};

type DbRow = <crate::dialect::Db as sqlx::Database>::Row;

/// `risky_users` as it stands at the time bound to `now` — what [`UserRisk::at`] does
/// to one row, done in SQL so `$filter` and paging see it: a row whose (low-only) risk
/// expired reads as level, state and detail `none`, updated at its expiry, with no
/// expiry and no high detection. Same column names, so filters render unchanged.
fn aged_out_view(now: &str) -> String {
    let expired = format!("(expires_at IS NOT NULL AND expires_at <= {now})");
    format!(
        "(SELECT id, \
         CASE WHEN {expired} THEN 'none' ELSE risk_level END AS risk_level, \
         CASE WHEN {expired} THEN 'none' ELSE risk_state END AS risk_state, \
         CASE WHEN {expired} THEN 'none' ELSE risk_detail END AS risk_detail, \
         CASE WHEN {expired} THEN expires_at ELSE updated_at END AS updated_at, \
         CASE WHEN {expired} THEN NULL ELSE expires_at END AS expires_at, \
         CASE WHEN {expired} THEN NULL ELSE high_detected_at END AS high_detected_at \
         FROM risky_users) AS risky_users"
    )
}

const COLUMNS: &str =
    "id, risk_level, risk_state, risk_detail, updated_at, expires_at, high_detected_at";

/// Recomputes the user's row from all their detections as of `changed_at`.
///
/// The row is locked first (an upsert that changes nothing when it exists): on
/// PostgreSQL two transactions writing detections of the same user then recompute one
/// after the other, and the second sees the first's detection; SQLite serialises writers
/// anyway.
pub(super) async fn recompute(
    conn: &mut Conn,
    user: &UserId,
    changed_at: OffsetDateTime,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO risky_users (id, risk_level, risk_state, risk_detail, updated_at) \
         VALUES ($1, 'none', 'none', 'none', $2) \
         ON CONFLICT (id) DO UPDATE SET risk_level = risky_users.risk_level",
    )
    .bind(user.as_str().to_owned())
    .bind(micros(changed_at))
    .execute(&mut *conn)
    .await
    .map_err(db_err("risky user"))?;
    let events = user_events(conn, user).await?;
    let Some(risk) = aggregate(user, &events, changed_at) else {
        sqlx::query("DELETE FROM risky_users WHERE id = $1")
            .bind(user.as_str().to_owned())
            .execute(&mut *conn)
            .await
            .map_err(db_err("risky user"))?;
        return Ok(());
    };
    sqlx::query(
        "UPDATE risky_users SET risk_level = $2, risk_state = $3, risk_detail = $4, \
         updated_at = $5, expires_at = $6, high_detected_at = $7 WHERE id = $1",
    )
    .bind(user.as_str().to_owned())
    .bind(risk.risk_level.as_str())
    .bind(risk.risk_state.as_str())
    .bind(risk.risk_detail.clone())
    .bind(micros(risk.risk_last_updated_date_time))
    .bind(risk.expires_date_time.map(micros))
    .bind(risk.high_risk_detected_date_time.map(micros))
    .execute(&mut *conn)
    .await
    .map_err(db_err("risky user"))?;
    Ok(())
}

async fn user_events(conn: &mut Conn, user: &UserId) -> StoreResult<Vec<RiskEvent>> {
    let rows = sqlx::query("SELECT doc FROM risk_events WHERE user_id = $1")
        .bind(user.as_str().to_owned())
        .fetch_all(&mut *conn)
        .await
        .map_err(read_err)?;
    rows.iter()
        .map(|row| {
            decode(
                "risk event",
                &row.try_get::<String, _>("doc").map_err(read_err)?,
            )
        })
        .collect()
}

/// Inserts a detection (inside the caller's transaction).
pub(super) async fn insert_event(conn: &mut Conn, event: &RiskEvent) -> StoreResult<()> {
    sqlx::query("INSERT INTO risk_events (id, user_id, detected_at, doc) VALUES ($1, $2, $3, $4)")
        .bind(event.id.as_str().to_owned())
        .bind(event.user_id.as_ref().map(|u| u.as_str().to_owned()))
        .bind(micros(event.detected_date_time))
        .bind(encode("risk event", event)?)
        .execute(&mut *conn)
        .await
        .map_err(db_err(&format!("risk event {}", event.id)))?;
    Ok(())
}

/// A detection plus the recomputation of its user's risk.
pub(super) async fn add_event(conn: &mut Conn, event: &RiskEvent) -> StoreResult<()> {
    insert_event(conn, event).await?;
    if let Some(user) = &event.user_id {
        recompute(conn, user, event.detected_date_time).await?;
    }
    Ok(())
}

/// Gives every open detection of the user the new state and detail, then recomputes.
pub(super) async fn resolve(
    conn: &mut Conn,
    user: &UserId,
    risk_state: &str,
    risk_detail: &str,
    at: OffsetDateTime,
) -> StoreResult<()> {
    let events = user_events(conn, user).await?;
    for mut event in events {
        if !UserRiskState::parse(&event.risk_state).is_some_and(UserRiskState::is_open) {
            continue;
        }
        event.risk_state = risk_state.to_owned();
        event.risk_detail = Some(risk_detail.to_owned());
        sqlx::query("UPDATE risk_events SET doc = $2 WHERE id = $1")
            .bind(event.id.as_str().to_owned())
            .bind(encode("risk event", &event)?)
            .execute(&mut *conn)
            .await
            .map_err(db_err("risk event update"))?;
    }
    recompute(conn, user, at).await
}

fn time_column(row: &DbRow, column: &str) -> StoreResult<Option<OffsetDateTime>> {
    row.try_get::<Option<i64>, _>(column)
        .map_err(read_err)?
        .map(|v| from_micros(column, v))
        .transpose()
}

pub(super) fn risk_from_row(row: &DbRow) -> StoreResult<UserRisk> {
    let text = |column: &str| row.try_get::<String, _>(column).map_err(read_err);
    let id = text("id")?;
    let level = text("risk_level")?;
    let state = text("risk_state")?;
    Ok(UserRisk {
        user_id: UserId::parse(&id)
            .map_err(|err| StoreError::Backend(format!("stored risky user id {id:?}: {err}")))?,
        risk_level: UserRiskLevel::parse(&level)
            .ok_or_else(|| StoreError::Backend(format!("stored risk level {level:?}")))?,
        risk_state: UserRiskState::parse(&state)
            .ok_or_else(|| StoreError::Backend(format!("stored risk state {state:?}")))?,
        risk_detail: text("risk_detail")?,
        risk_last_updated_date_time: from_micros(
            "risk update",
            row.try_get("updated_at").map_err(read_err)?,
        )?,
        expires_date_time: time_column(row, "expires_at")?,
        high_risk_detected_date_time: time_column(row, "high_detected_at")?,
    })
}

impl SqlStore {
    pub(super) async fn user_risk(&self, user: &UserId) -> StoreResult<Option<UserRisk>> {
        let sql = format!("SELECT {COLUMNS} FROM risky_users WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(user.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?;
        row.as_ref().map(risk_from_row).transpose()
    }

    pub(super) async fn user_risks(
        &self,
        query: &ListQuery<RiskyUserField>,
        now: OffsetDateTime,
    ) -> StoreResult<Page<UserRisk>> {
        let mut params = SqlParams::new();
        let as_of = aged_out_view(&params.push(SqlParam::Int(micros(now))));
        let mut conditions = Vec::new();
        if let Some(filter) = &query.filter {
            conditions.push(render_filter(filter, &mut params)?);
        }
        let keys = keyset(query.order, query.cursor.as_ref(), &mut params)?;
        conditions.extend(keys.after.clone());
        let limit = params.push(SqlParam::Int(fetch_limit(query.limit)));
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        // Only allow-listed column names and placeholders reach the SQL text.
        let sql = format!(
            "SELECT {COLUMNS} FROM {as_of} {where_clause} ORDER BY {} LIMIT {limit}",
            keys.order_by
        );
        let rows = bind_params(sqlx::query(AssertSqlSafe(sql)), &params.values)
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        let page_size = portcullis_store::page::effective_limit(query.limit) as usize;
        let items = rows
            .iter()
            .take(page_size)
            .map(risk_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let next = match items.last() {
            Some(last) if rows.len() > page_size => Some(match keys.sort_column {
                None => Cursor::encode(&[Value::from(last.user_id.as_str())]),
                Some(_) => Cursor::encode(&[
                    Value::from(micros(last.risk_last_updated_date_time)),
                    Value::from(last.user_id.as_str()),
                ]),
            }),
            _ => None,
        };
        Ok(Page { items, next })
    }
}
