//! The sign-in log and the audit log (append happens in `commit`).

use async_trait::async_trait;
use portcullis_core::audit::{ChainHash, ChainHead};
use portcullis_core::{AuditRecord, ChainedAuditRecord, SignIn, SignInId, UserId};
use portcullis_store::sql::{SqlParam, SqlParams, render_filter};
use portcullis_store::{
    AuditLog, AuditQuery, Cursor, LoggedSignIn, MAX_LAST_SIGN_IN_USERS, Page, SignInLog,
    SignInOutcome, SignInQuery, StoreError, StoreResult,
};
use portcullis_store::{Filter, FilterField, FilterValue, SignInField};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};
use time::OffsetDateTime;

use super::{Conn, SqlStore, bind_params, db_err, decode, encode, fetch_limit, micros, read_err};

type DbRow = <crate::dialect::Db as sqlx::Database>::Row;

/// The statement of a newest-first listing over a log table, ordered by its time column
/// and then `seq`. Both backends walk the `(time, seq)` indexes (or a `(filter column,
/// time, seq)` index) backwards for this, so a page costs the same wherever in a large
/// log the time window lies.
fn log_listing(
    table: &'static str,
    time_column: &'static str,
    mut params: SqlParams,
    mut conditions: Vec<String>,
    limit: u32,
    cursor: Option<&Cursor>,
) -> StoreResult<(String, SqlParams)> {
    if let Some(cursor) = cursor {
        let bad =
            || StoreError::Invalid("the paging token ($skiptoken) does not fit this query".into());
        let key = cursor.decode(2)?;
        let at = key[0].as_i64().ok_or_else(bad)?;
        let seq = key[1].as_i64().ok_or_else(bad)?;
        let at_p = params.push(SqlParam::Int(at));
        let seq_p = params.push(SqlParam::Int(seq));
        conditions.push(format!(
            "({time_column} < {at_p} OR ({time_column} = {at_p} AND seq < {seq_p}))"
        ));
    }
    let limit_p = params.push(SqlParam::Int(fetch_limit(limit)));
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT seq, {time_column} AS at, doc FROM {table} {where_clause} \
         ORDER BY {time_column} DESC, seq DESC LIMIT {limit_p}"
    );
    Ok((sql, params))
}

/// Runs a statement from [`log_listing`] and cuts the page.
async fn fetch_log_page<T: serde::de::DeserializeOwned>(
    store: &SqlStore,
    what: &str,
    (sql, params): (String, SqlParams),
    limit: u32,
) -> StoreResult<Page<T>> {
    let rows = bind_params(sqlx::query(AssertSqlSafe(sql)), &params.values)
        .fetch_all(&store.pool)
        .await
        .map_err(read_err)?;
    let page_size = portcullis_store::page::effective_limit(limit) as usize;
    let mut items = Vec::new();
    let mut next = None;
    for (i, row) in rows.iter().take(page_size).enumerate() {
        items.push(decode(
            what,
            &row.try_get::<String, _>("doc").map_err(read_err)?,
        )?);
        if rows.len() > page_size && i + 1 == page_size {
            let at: i64 = row.try_get("at").map_err(read_err)?;
            let seq: i64 = row.try_get("seq").map_err(read_err)?;
            next = Some(Cursor::encode(&[Value::from(at), Value::from(seq)]));
        }
    }
    Ok(Page { items, next })
}

/// The statement [`SignInLog::query_sign_ins`] runs for `query` (also read by the
/// backends' query-plan tests).
pub(crate) fn sign_in_listing(query: &SignInQuery) -> StoreResult<(String, SqlParams)> {
    let mut params = SqlParams::new();
    let mut conditions = Vec::new();
    if let Some(filter) = &query.filter {
        conditions.push(render_filter(filter, &mut params)?);
        rare_value_index_conditions(filter, &mut conditions);
    }
    time_conditions(
        "created_at",
        query.from,
        query.to,
        &mut params,
        &mut conditions,
    );
    match query.outcome {
        Some(SignInOutcome::Success) => conditions.push("error_code = 0".into()),
        Some(SignInOutcome::Failure) => conditions.push("error_code <> 0".into()),
        None => {}
    }
    log_listing(
        "sign_ins",
        "created_at",
        params,
        conditions,
        query.limit,
        query.cursor.as_ref(),
    )
}

/// The conditions of the partial indexes on rare values (migration
/// `20261125000200_rare_value_log_indexes`) that `filter` implies, added so the planner
/// can use those indexes: both backends match a partial index by finding its condition
/// among the query's terms, and `error_code = 50126` alone does not show them
/// `error_code <> 0`. Only terms every row of the result satisfies are added (equality
/// on a rare value, anywhere in a conjunction), so the result never changes.
fn rare_value_index_conditions(filter: &Filter<SignInField>, conditions: &mut Vec<String>) {
    match filter {
        Filter::And(left, right) => {
            rare_value_index_conditions(left, conditions);
            rare_value_index_conditions(right, conditions);
        }
        Filter::Eq(SignInField::ErrorCode, FilterValue::Int(code)) if *code != 0 => {
            conditions.push("error_code <> 0".into());
        }
        Filter::Eq(
            field @ (SignInField::RiskLevelDuringSignIn | SignInField::RiskLevelAggregated),
            FilterValue::Text(level),
        ) if level != "none" => {
            conditions.push(format!("{} <> 'none'", field.column()));
        }
        _ => {}
    }
}

fn time_conditions(
    column: &str,
    from: Option<time::OffsetDateTime>,
    to: Option<time::OffsetDateTime>,
    params: &mut SqlParams,
    conditions: &mut Vec<String>,
) {
    if let Some(from) = from {
        let p = params.push(SqlParam::Int(micros(from)));
        conditions.push(format!("{column} >= {p}"));
    }
    if let Some(to) = to {
        let p = params.push(SqlParam::Int(micros(to)));
        conditions.push(format!("{column} < {p}"));
    }
}

#[async_trait]
impl SignInLog for SqlStore {
    async fn append_sign_in(&self, record: &SignIn) -> StoreResult<()> {
        let entry = LoggedSignIn {
            record: record.clone(),
            evaluation_input: None,
        };
        let mut conn = self.writer.acquire().await.map_err(read_err)?;
        super::sign_in_state::insert_sign_ins(&mut conn, &[&entry]).await
    }

    async fn get_sign_in(&self, id: &SignInId) -> StoreResult<SignIn> {
        let row = sqlx::query("SELECT doc FROM sign_ins WHERE id = $1")
            .bind(id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?
            .ok_or_else(|| StoreError::not_found(format!("sign-in {id}")))?;
        decode(
            "sign-in",
            &row.try_get::<String, _>("doc").map_err(read_err)?,
        )
    }

    async fn query_sign_ins(&self, query: &SignInQuery) -> StoreResult<Page<SignIn>> {
        fetch_log_page(self, "sign-in", sign_in_listing(query)?, query.limit).await
    }

    async fn last_sign_in_times(
        &self,
        users: &[UserId],
    ) -> StoreResult<Vec<(UserId, OffsetDateTime)>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        if users.len() > MAX_LAST_SIGN_IN_USERS {
            return Err(StoreError::Invalid(format!(
                "at most {MAX_LAST_SIGN_IN_USERS} users at once, not {}",
                users.len()
            )));
        }
        let mut params = SqlParams::new();
        let placeholders: Vec<String> = users
            .iter()
            .map(|user| params.push(SqlParam::Text(user.as_str().to_owned())))
            .collect();
        let sql = format!(
            "SELECT user_id, MAX(created_at) AS at FROM sign_ins \
             WHERE user_id IN ({}) GROUP BY user_id",
            placeholders.join(", ")
        );
        let rows = bind_params(sqlx::query(AssertSqlSafe(sql)), &params.values)
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        let mut times = Vec::with_capacity(rows.len());
        for row in rows {
            let user: String = row.try_get("user_id").map_err(read_err)?;
            let at: i64 = row.try_get("at").map_err(read_err)?;
            let user = UserId::parse(&user).map_err(|_| {
                StoreError::Backend(format!("sign_ins.user_id {user:?} is not a user id"))
            })?;
            let at = portcullis_core::timestamp::from_unix_micros(at).ok_or_else(|| {
                StoreError::Backend(format!("sign_ins.created_at {at} is out of range"))
            })?;
            times.push((user, at));
        }
        Ok(times)
    }
}

fn chained_from_row(row: &DbRow) -> StoreResult<ChainedAuditRecord> {
    Ok(ChainedAuditRecord {
        seq: row.try_get("seq").map_err(read_err)?,
        prev_hash: ChainHash(row.try_get("prev_hash").map_err(read_err)?),
        hash: ChainHash(row.try_get("hash").map_err(read_err)?),
        record: decode(
            "audit record",
            &row.try_get::<String, _>("doc").map_err(read_err)?,
        )?,
    })
}

/// The statement [`AuditLog::query_audit`] runs for `query` (also read by the
/// backends' query-plan tests).
pub(crate) fn audit_listing(query: &AuditQuery) -> StoreResult<(String, SqlParams)> {
    let mut params = SqlParams::new();
    let mut conditions = Vec::new();
    if let Some(filter) = &query.filter {
        conditions.push(render_filter(filter, &mut params)?);
    }
    time_conditions(
        "activity_at",
        query.from,
        query.to,
        &mut params,
        &mut conditions,
    );
    log_listing(
        "audit_log",
        "activity_at",
        params,
        conditions,
        query.limit,
        query.cursor.as_ref(),
    )
}

#[async_trait]
impl AuditLog for SqlStore {
    async fn query_audit(&self, query: &AuditQuery) -> StoreResult<Page<AuditRecord>> {
        fetch_log_page(self, "audit record", audit_listing(query)?, query.limit).await
    }

    async fn read_audit_chain(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<ChainedAuditRecord>> {
        let rows = sqlx::query(
            "SELECT seq, prev_hash, hash, doc FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(fetch_limit(limit) - 1)
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        rows.iter().map(chained_from_row).collect()
    }

    async fn audit_chain_start(&self) -> StoreResult<ChainHead> {
        let row =
            sqlx::query("SELECT audit_start_seq, audit_start_hash FROM store_state WHERE id = 1")
                .fetch_one(&self.pool)
                .await
                .map_err(read_err)?;
        Ok(ChainHead {
            seq: row.try_get("audit_start_seq").map_err(read_err)?,
            hash: ChainHash(row.try_get("audit_start_hash").map_err(read_err)?),
        })
    }

    async fn audit_chain_head(&self) -> StoreResult<ChainHead> {
        let row = sqlx::query("SELECT audit_seq, audit_head_hash FROM store_state WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(read_err)?;
        Ok(ChainHead {
            seq: row.try_get("audit_seq").map_err(read_err)?,
            hash: ChainHash(row.try_get("audit_head_hash").map_err(read_err)?),
        })
    }
}

/// Appends one chained record inside the commit transaction.
pub(super) async fn insert_audit(conn: &mut Conn, linked: &ChainedAuditRecord) -> StoreResult<()> {
    let record = &linked.record;
    let first_target = record.target_resources.first().map(|t| t.id.clone());
    sqlx::query(
        "INSERT INTO audit_log (seq, id, activity_at, category, activity_display_name, result, correlation_id, \
         logged_by_service, operation_type, initiated_by_user_id, initiated_by_app_id, target_resource_id, \
         prev_hash, hash, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(linked.seq)
    .bind(record.id.as_str().to_owned())
    .bind(micros(record.activity_date_time))
    .bind(record.category.clone())
    .bind(record.activity_display_name.clone())
    .bind(record.result.as_str())
    .bind(record.correlation_id.as_ref().map(|c| c.as_str().to_owned()))
    .bind(record.logged_by_service.clone())
    .bind(record.operation_type.clone())
    .bind(record.initiated_by.user.as_ref().map(|u| u.id.clone()))
    .bind(record.initiated_by.app.as_ref().map(|a| a.app_id.clone()))
    .bind(first_target)
    .bind(linked.prev_hash.as_str().to_owned())
    .bind(linked.hash.as_str().to_owned())
    .bind(encode("audit record", record)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err(&format!("audit record {}", record.id)))?;
    Ok(())
}

/// Deletes the chain prefix up to the last record older than `before` and moves the
/// verification start past it (inside the commit transaction, which holds the lock).
pub(super) async fn prune_audit(conn: &mut Conn, before: time::OffsetDateTime) -> StoreResult<()> {
    let last = sqlx::query("SELECT MAX(seq) AS seq FROM audit_log WHERE activity_at < $1")
        .bind(micros(before))
        .fetch_one(&mut *conn)
        .await
        .map_err(read_err)?;
    let Some(last): Option<i64> = last.try_get("seq").map_err(read_err)? else {
        return Ok(());
    };
    let row = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(last)
        .fetch_one(&mut *conn)
        .await
        .map_err(read_err)?;
    let hash: String = row.try_get("hash").map_err(read_err)?;
    sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
        .bind(last)
        .execute(&mut *conn)
        .await
        .map_err(db_err("audit pruning"))?;
    sqlx::query("UPDATE store_state SET audit_start_seq = $1, audit_start_hash = $2 WHERE id = 1")
        .bind(last)
        .bind(hash)
        .execute(&mut *conn)
        .await
        .map_err(db_err("audit pruning"))?;
    Ok(())
}
