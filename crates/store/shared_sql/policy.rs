//! Policy objects (Graph JSON + version), the store-wide policy version, and settings.

use async_trait::async_trait;
use portcullis_store::{
    PolicyKind, PolicySnapshot, PolicyStore, Precondition, SettingStore, StoreError, StoreResult,
    StoredPolicy,
};
use serde_json::Value;
use sqlx::Row;
use time::OffsetDateTime;

use super::directory::found;
use super::{Conn, SqlStore, db_err, decode, from_micros, micros, read_err};

type DbRow = <crate::dialect::Db as sqlx::Database>::Row;

fn policy_from_row(row: &DbRow) -> StoreResult<StoredPolicy> {
    let kind: String = row.try_get("kind").map_err(read_err)?;
    let kind = PolicyKind::parse(&kind)
        .ok_or_else(|| StoreError::Backend(format!("unknown stored policy kind {kind}")))?;
    let doc: String = row.try_get("doc").map_err(read_err)?;
    Ok(StoredPolicy {
        kind,
        id: row.try_get("id").map_err(read_err)?,
        json: decode("policy", &doc)?,
        version: row.try_get("version").map_err(read_err)?,
        created_at: from_micros(
            "policy creation",
            row.try_get("created_at").map_err(read_err)?,
        )?,
        modified_at: from_micros(
            "policy modification",
            row.try_get("modified_at").map_err(read_err)?,
        )?,
    })
}

#[async_trait]
impl PolicyStore for SqlStore {
    async fn policy_version(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT policy_version FROM store_state WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(read_err)?;
        row.try_get("policy_version").map_err(read_err)
    }

    async fn get_policy(&self, kind: PolicyKind, id: &str) -> StoreResult<StoredPolicy> {
        let row = sqlx::query("SELECT kind, id, version, created_at, modified_at, doc FROM policy_objects WHERE kind = $1 AND id = $2")
            .bind(kind.as_str())
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?
            .ok_or_else(|| StoreError::not_found(format!("{} {id}", kind.as_str())))?;
        policy_from_row(&row)
    }

    async fn list_policies(&self, kind: PolicyKind) -> StoreResult<Vec<StoredPolicy>> {
        let rows = sqlx::query("SELECT kind, id, version, created_at, modified_at, doc FROM policy_objects WHERE kind = $1 ORDER BY created_at, id")
            .bind(kind.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        rows.iter().map(policy_from_row).collect()
    }

    async fn policy_snapshot(&self) -> StoreResult<PolicySnapshot> {
        let mut tx = crate::dialect::begin_snapshot(&self.pool)
            .await
            .map_err(read_err)?;
        let row = sqlx::query("SELECT policy_version FROM store_state WHERE id = 1")
            .fetch_one(&mut *tx)
            .await
            .map_err(read_err)?;
        let policy_version: i64 = row.try_get("policy_version").map_err(read_err)?;
        let rows = sqlx::query("SELECT kind, id, version, created_at, modified_at, doc FROM policy_objects ORDER BY kind, created_at, id")
            .fetch_all(&mut *tx)
            .await
            .map_err(read_err)?;
        let objects = rows
            .iter()
            .map(policy_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await.map_err(read_err)?;
        Ok(PolicySnapshot {
            policy_version,
            objects,
        })
    }
}

pub(super) async fn put_policy(
    conn: &mut Conn,
    kind: PolicyKind,
    id: &str,
    json: &Value,
    precondition: Precondition,
    at: OffsetDateTime,
) -> StoreResult<()> {
    let what = format!("{} {id}", kind.as_str());
    let current = sqlx::query("SELECT version FROM policy_objects WHERE kind = $1 AND id = $2")
        .bind(kind.as_str())
        .bind(id.to_owned())
        .fetch_optional(&mut *conn)
        .await
        .map_err(read_err)?
        .map(|row| row.try_get::<i64, _>("version"))
        .transpose()
        .map_err(read_err)?;
    let doc =
        serde_json::to_string(json).map_err(|err| StoreError::Invalid(format!("{what}: {err}")))?;
    match (current, precondition) {
        (Some(_), Precondition::MustNotExist) => {
            Err(StoreError::Conflict(format!("{what} already exists")))
        }
        (Some(version), Precondition::Version(expected)) if version != expected => {
            Err(StoreError::Conflict(format!(
                "{what} is at version {version}, not {expected} (changed by someone else)"
            )))
        }
        (None, Precondition::Version(_)) => Err(StoreError::NotFound(what)),
        (Some(version), _) => {
            sqlx::query("UPDATE policy_objects SET version = $3, modified_at = $4, doc = $5 WHERE kind = $1 AND id = $2")
                .bind(kind.as_str())
                .bind(id.to_owned())
                .bind(version + 1)
                .bind(micros(at))
                .bind(doc)
                .execute(&mut *conn)
                .await
                .map_err(db_err(&what))?;
            Ok(())
        }
        (None, _) => {
            sqlx::query(
                "INSERT INTO policy_objects (kind, id, version, created_at, modified_at, doc) VALUES ($1, $2, 1, $3, $3, $4)",
            )
            .bind(kind.as_str())
            .bind(id.to_owned())
            .bind(micros(at))
            .bind(doc)
            .execute(&mut *conn)
            .await
            .map_err(db_err(&what))?;
            Ok(())
        }
    }
}

pub(super) async fn delete_policy(conn: &mut Conn, kind: PolicyKind, id: &str) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM policy_objects WHERE kind = $1 AND id = $2")
        .bind(kind.as_str())
        .bind(id.to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("policy deletion"))?;
    found(done.rows_affected(), || format!("{} {id}", kind.as_str()))
}

#[async_trait]
impl SettingStore for SqlStore {
    async fn get_setting(&self, key: &str) -> StoreResult<Option<Value>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?;
        row.map(|row| {
            decode(
                "setting",
                &row.try_get::<String, _>("value").map_err(read_err)?,
            )
        })
        .transpose()
    }
}

pub(super) async fn put_setting(conn: &mut Conn, key: &str, value: &Value) -> StoreResult<()> {
    let text = serde_json::to_string(value)
        .map_err(|err| StoreError::Invalid(format!("setting {key}: {err}")))?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key.to_owned())
        .bind(text)
        .execute(&mut *conn)
        .await
        .map_err(db_err(&format!("setting {key}")))?;
    Ok(())
}

pub(super) async fn delete_setting(conn: &mut Conn, key: &str) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM settings WHERE key = $1")
        .bind(key.to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("setting deletion"))?;
    found(done.rows_affected(), || format!("setting {key}"))
}
