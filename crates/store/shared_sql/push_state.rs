//! Portcullis Authenticator state (`push_activations`, `push_approvals`,
//! `push_fatigue`). Single use and compare-and-set are done in one statement each, so
//! they hold across nodes without extra locking.

use async_trait::async_trait;
use portcullis_core::UserId;
use portcullis_store::push_state::{
    PushActivationRecord, PushApprovalRecord, PushFatigueRecord, PushStateStore,
};
use portcullis_store::{StoreError, StoreResult};
use sqlx::Row;
use time::OffsetDateTime;

use crate::dialect::Db;

use super::{Conn, SqlStore, db_err, decode, encode, from_micros, micros, read_err};

fn user_id(text: String) -> StoreResult<UserId> {
    UserId::parse(&text).map_err(|e| StoreError::Backend(format!("stored user id: {e}")))
}

fn approval_from_row(row: &<Db as sqlx::Database>::Row) -> StoreResult<PushApprovalRecord> {
    let doc: String = row.try_get("doc").map_err(read_err)?;
    Ok(PushApprovalRecord {
        id: row.try_get("id").map_err(read_err)?,
        user_id: user_id(row.try_get("user_id").map_err(read_err)?)?,
        state: row.try_get("state").map_err(read_err)?,
        expires_date_time: from_micros(
            "push approval expiry",
            row.try_get("expires_at").map_err(read_err)?,
        )?,
        changed_date_time: from_micros(
            "push approval change",
            row.try_get("changed_at").map_err(read_err)?,
        )?,
        version: row.try_get("version").map_err(read_err)?,
        doc: decode("push approval", &doc)?,
    })
}

#[async_trait]
impl PushStateStore for SqlStore {
    async fn insert_push_activation(&self, record: &PushActivationRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO push_activations (code_hash, user_id, expires_at, doc) VALUES ($1, $2, $3, $4)",
        )
        .bind(record.code_hash.clone())
        .bind(record.user_id.as_str().to_owned())
        .bind(micros(record.expires_date_time))
        .bind(encode("push activation", &record.doc)?)
        .execute(&self.writer)
        .await
        .map_err(db_err("push activation"))?;
        Ok(())
    }

    async fn take_push_activation(
        &self,
        code_hash: &str,
    ) -> StoreResult<Option<PushActivationRecord>> {
        let row = sqlx::query(
            "DELETE FROM push_activations WHERE code_hash = $1 RETURNING user_id, expires_at, doc",
        )
        .bind(code_hash.to_owned())
        .fetch_optional(&self.writer)
        .await
        .map_err(db_err("push activation"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let doc: String = row.try_get("doc").map_err(read_err)?;
        Ok(Some(PushActivationRecord {
            code_hash: code_hash.to_owned(),
            user_id: user_id(row.try_get("user_id").map_err(read_err)?)?,
            expires_date_time: from_micros(
                "push activation expiry",
                row.try_get("expires_at").map_err(read_err)?,
            )?,
            doc: decode("push activation", &doc)?,
        }))
    }

    async fn insert_push_approval(&self, record: &PushApprovalRecord) -> StoreResult<()> {
        let mut conn = self.writer.acquire().await.map_err(read_err)?;
        insert_approval(&mut conn, record).await
    }

    async fn get_push_approval(&self, id: &str) -> StoreResult<Option<PushApprovalRecord>> {
        let row = sqlx::query(
            "SELECT id, user_id, state, expires_at, changed_at, version, doc \
             FROM push_approvals WHERE id = $1",
        )
        .bind(id.to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(read_err)?;
        row.as_ref().map(approval_from_row).transpose()
    }

    async fn list_push_approvals(
        &self,
        user: &UserId,
        state: &str,
        expiring_after: OffsetDateTime,
    ) -> StoreResult<Vec<PushApprovalRecord>> {
        let rows = sqlx::query(
            "SELECT id, user_id, state, expires_at, changed_at, version, doc FROM push_approvals \
             WHERE user_id = $1 AND state = $2 AND expires_at > $3 ORDER BY changed_at, id",
        )
        .bind(user.as_str().to_owned())
        .bind(state.to_owned())
        .bind(micros(expiring_after))
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        rows.iter().map(approval_from_row).collect()
    }

    async fn push_approvals_changed_since(
        &self,
        since: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<PushApprovalRecord>> {
        let rows = sqlx::query(
            "SELECT id, user_id, state, expires_at, changed_at, version, doc FROM push_approvals \
             WHERE changed_at >= $1 ORDER BY changed_at, id LIMIT $2",
        )
        .bind(micros(since))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        rows.iter().map(approval_from_row).collect()
    }

    async fn replace_push_approval(&self, record: &PushApprovalRecord) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE push_approvals SET version = version + 1, state = $3, changed_at = $4, doc = $5 \
             WHERE id = $1 AND version = $2",
        )
        .bind(record.id.clone())
        .bind(record.version)
        .bind(record.state.clone())
        .bind(micros(record.changed_date_time))
        .bind(encode("push approval", &record.doc)?)
        .execute(&self.writer)
        .await
        .map_err(db_err("push approval"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge_push_state(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let approvals = sqlx::query("DELETE FROM push_approvals WHERE expires_at < $1")
            .bind(micros(before))
            .execute(&self.writer)
            .await
            .map_err(db_err("push approval purge"))?;
        let codes = sqlx::query("DELETE FROM push_activations WHERE expires_at < $1")
            .bind(micros(before))
            .execute(&self.writer)
            .await
            .map_err(db_err("push activation purge"))?;
        Ok(approvals.rows_affected() + codes.rows_affected())
    }

    async fn get_push_fatigue(&self, user: &UserId) -> StoreResult<Option<PushFatigueRecord>> {
        let row = sqlx::query("SELECT version, doc FROM push_fatigue WHERE user_id = $1")
            .bind(user.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let doc: String = row.try_get("doc").map_err(read_err)?;
        Ok(Some(PushFatigueRecord {
            user_id: user.clone(),
            version: row.try_get("version").map_err(read_err)?,
            doc: decode("push fatigue", &doc)?,
        }))
    }

    async fn put_push_fatigue(&self, record: &PushFatigueRecord) -> StoreResult<bool> {
        let doc = encode("push fatigue", &record.doc)?;
        let done = if record.version == 0 {
            sqlx::query(
                "INSERT INTO push_fatigue (user_id, version, doc) VALUES ($1, 1, $2) \
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(record.user_id.as_str().to_owned())
            .bind(doc)
            .execute(&self.writer)
            .await
        } else {
            sqlx::query(
                "UPDATE push_fatigue SET version = version + 1, doc = $3 \
                 WHERE user_id = $1 AND version = $2",
            )
            .bind(record.user_id.as_str().to_owned())
            .bind(record.version)
            .bind(doc)
            .execute(&self.writer)
            .await
        }
        .map_err(db_err("push fatigue"))?;
        Ok(done.rows_affected() == 1)
    }
}

/// Inserts one approval on `conn` (alone, or inside a sign-in step's transaction).
pub(super) async fn insert_approval(
    conn: &mut Conn,
    record: &PushApprovalRecord,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO push_approvals (id, user_id, state, expires_at, changed_at, version, doc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(record.id.clone())
    .bind(record.user_id.as_str().to_owned())
    .bind(record.state.clone())
    .bind(micros(record.expires_date_time))
    .bind(micros(record.changed_date_time))
    .bind(record.version)
    .bind(encode("push approval", &record.doc)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err("push approval"))?;
    Ok(())
}
