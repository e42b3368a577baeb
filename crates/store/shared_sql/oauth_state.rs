//! Short-lived OAuth protocol state (`oauth_state` table) and refresh-token lookup
//! without use. Compare-and-set on `version` is the only concurrency control needed:
//! each record has one writer that wins.

use async_trait::async_trait;
use portcullis_core::{RefreshToken, SecretHash};
use portcullis_store::{OAuthRecord, OAuthStateStore, StoreResult};
use sqlx::Row;
use time::OffsetDateTime;

use super::{SqlStore, db_err, decode, encode, from_micros, micros, read_err};

type DbRow = <crate::dialect::Db as sqlx::Database>::Row;

#[async_trait]
impl OAuthStateStore for SqlStore {
    async fn insert_oauth_record(&self, record: &OAuthRecord) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO oauth_state (kind, key, version, expires_at, doc) VALUES ($1, $2, 1, $3, $4) \
             ON CONFLICT (kind, key) DO NOTHING",
        )
        .bind(record.kind.clone())
        .bind(record.key.clone())
        .bind(micros(record.expires_date_time))
        .bind(encode("oauth state", &record.doc)?)
        .execute(&self.writer)
        .await
        .map_err(db_err("oauth state"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn get_oauth_record(&self, kind: &str, key: &str) -> StoreResult<Option<OAuthRecord>> {
        let row = sqlx::query(
            "SELECT version, expires_at, doc FROM oauth_state WHERE kind = $1 AND key = $2",
        )
        .bind(kind.to_owned())
        .bind(key.to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(read_err)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let doc: String = row.try_get("doc").map_err(read_err)?;
        Ok(Some(OAuthRecord {
            kind: kind.to_owned(),
            key: key.to_owned(),
            version: row.try_get("version").map_err(read_err)?,
            expires_date_time: from_micros(
                "oauth state expiry",
                row.try_get("expires_at").map_err(read_err)?,
            )?,
            doc: decode("oauth state", &doc)?,
        }))
    }

    async fn replace_oauth_record(&self, record: &OAuthRecord) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE oauth_state SET version = version + 1, expires_at = $4, doc = $5 \
             WHERE kind = $1 AND key = $2 AND version = $3",
        )
        .bind(record.kind.clone())
        .bind(record.key.clone())
        .bind(record.version)
        .bind(micros(record.expires_date_time))
        .bind(encode("oauth state", &record.doc)?)
        .execute(&self.writer)
        .await
        .map_err(db_err("oauth state"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge_expired_oauth_records(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM oauth_state WHERE expires_at < $1")
            .bind(micros(before))
            .execute(&self.writer)
            .await
            .map_err(db_err("oauth state purge"))?;
        Ok(done.rows_affected())
    }

    async fn find_refresh_token(
        &self,
        token_hash: &SecretHash,
    ) -> StoreResult<Option<RefreshToken>> {
        let row = sqlx::query(
            "SELECT doc, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(token_hash.as_str().to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(read_err)?;
        row.as_ref().map(refresh_token_from_row).transpose()
    }
}

/// A refresh token from a row with its `doc`, `used_at` and `revoked_at`: the columns,
/// not the document, hold the current use and revocation.
pub(super) fn refresh_token_from_row(row: &DbRow) -> StoreResult<RefreshToken> {
    let doc: String = row.try_get("doc").map_err(read_err)?;
    let mut token: RefreshToken = decode("refresh token", &doc)?;
    let time_of = |column: &str| -> StoreResult<Option<OffsetDateTime>> {
        row.try_get::<Option<i64>, _>(column)
            .map_err(read_err)?
            .map(|v| from_micros(column, v))
            .transpose()
    };
    token.used_date_time = time_of("used_at")?;
    token.revoked_date_time = time_of("revoked_at")?;
    Ok(token)
}
