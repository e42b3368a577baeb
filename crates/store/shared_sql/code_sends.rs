//! `CodeSendStore`: one conditional upsert per throttle key. PostgreSQL locks the
//! conflicting row and re-checks the `WHERE` against its newest version; SQLite runs the
//! claim inside `BEGIN IMMEDIATE`; either way two racing claims are counted one after
//! the other. Keys are claimed in sorted order so two claims sharing keys cannot
//! deadlock on PostgreSQL.

use async_trait::async_trait;
use portcullis_store::StoreResult;
use portcullis_store::code_sends::{CodeSendStore, SendClaim, SendLimit};
use sqlx::Row;
use time::{Duration, OffsetDateTime};

use super::{Conn, SqlStore, db_err, from_micros, micros, read_err};

/// Counts one send when the key's window has passed (starting a new one) or when it has
/// room and the last send is far enough back; returns nothing when refused.
const CLAIM: &str = "INSERT INTO code_send_counters (throttle_key, window_started_at, sends, last_sent_at) \
     VALUES ($1, $2, 1, $2) \
     ON CONFLICT (throttle_key) DO UPDATE SET \
       sends = CASE WHEN code_send_counters.window_started_at <= $3 THEN 1 \
                    ELSE code_send_counters.sends + 1 END, \
       window_started_at = CASE WHEN code_send_counters.window_started_at <= $3 THEN $2 \
                    ELSE code_send_counters.window_started_at END, \
       last_sent_at = $2 \
     WHERE code_send_counters.last_sent_at <= $5 \
       AND (code_send_counters.window_started_at <= $3 OR code_send_counters.sends < $4) \
     RETURNING sends";

#[async_trait]
impl CodeSendStore for SqlStore {
    async fn claim_code_send(
        &self,
        limits: &[SendLimit],
        now: OffsetDateTime,
    ) -> StoreResult<SendClaim> {
        let mut ordered: Vec<&SendLimit> = limits.iter().collect();
        ordered.sort_by(|a, b| a.key.cmp(&b.key));
        ordered.dedup_by(|a, b| a.key == b.key);
        let mut tx = crate::dialect::begin_write(&self.writer)
            .await
            .map_err(read_err)?;
        for limit in &ordered {
            if let Some(retry_at) = claim_one(&mut tx, limit, now).await? {
                // Dropping `tx` rolls back the keys already counted.
                return Ok(SendClaim::Refused { retry_at });
            }
        }
        tx.commit().await.map_err(read_err)?;
        if let Some(longest) = ordered.iter().map(|limit| limit.window).max() {
            // Outside the claim's transaction, so it never holds a counted key while
            // waiting for another; a failure only leaves stale rows for the next claim.
            let forgotten = sqlx::query("DELETE FROM code_send_counters WHERE last_sent_at < $1")
                .bind(micros(now - longest.max(Duration::ZERO)))
                .execute(&self.writer)
                .await;
            if let Err(error) = forgotten {
                tracing::debug!(%error, "stale code send counters were not purged");
            }
        }
        Ok(SendClaim::Granted)
    }
}

/// `None` when counted; otherwise when the key allows the next send.
async fn claim_one(
    conn: &mut Conn,
    limit: &SendLimit,
    now: OffsetDateTime,
) -> StoreResult<Option<OffsetDateTime>> {
    // At least one send per window, or a misconfigured 0 would block every code.
    let max_sends = i64::from(limit.max_sends.max(1));
    let counted = sqlx::query(CLAIM)
        .bind(limit.key.clone())
        .bind(micros(now))
        .bind(micros(now - limit.window))
        .bind(max_sends)
        .bind(micros(now - limit.min_interval))
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err("code send counter"))?;
    if counted.is_some() {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT window_started_at, sends, last_sent_at FROM code_send_counters WHERE throttle_key = $1",
    )
    .bind(limit.key.clone())
    .fetch_one(&mut *conn)
    .await
    .map_err(read_err)?;
    let window_started_at = from_micros(
        "code send window",
        row.try_get("window_started_at").map_err(read_err)?,
    )?;
    let sends: i64 = row.try_get("sends").map_err(read_err)?;
    let last_sent_at = from_micros(
        "last code send",
        row.try_get("last_sent_at").map_err(read_err)?,
    )?;
    let mut retry_at = last_sent_at + limit.min_interval;
    if sends >= max_sends && window_started_at + limit.window > now {
        retry_at = retry_at.max(window_started_at + limit.window);
    }
    // Refused means "not now": never answer with a time already past.
    Ok(Some(retry_at.max(now + Duration::seconds(1))))
}
