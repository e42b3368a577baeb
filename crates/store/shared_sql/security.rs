//! Credentials, sessions, refresh tokens, devices, risk detections and signing keys.

use async_trait::async_trait;
use portcullis_core::{
    Credential, CredentialId, Device, DeviceId, RefreshToken, RefreshTokenId, RiskEvent,
    RiskEventId, SecretHash, Session, SessionId, SigningKey, UserId, UserRisk,
};
use portcullis_store::{
    CredentialStore, DeviceStore, ListQuery, Page, RefreshTokenStore, RefreshTokenUse, RiskStore,
    RiskyUserField, SessionStore, SigningKeyStore, StoreError, StoreResult,
};
use sqlx::{AssertSqlSafe, Row};
use time::OffsetDateTime;

use super::directory::found;
use super::{
    Conn, ROWS_PER_INSERT, SqlStore, db_err, decode, encode, fetch_limit, from_micros, micros,
    multi_row_insert, read_err, rows_named,
};

type DbRow = <crate::dialect::Db as sqlx::Database>::Row;

fn doc(row: &DbRow) -> StoreResult<String> {
    row.try_get("doc").map_err(read_err)
}

fn optional_time(row: &DbRow, column: &str) -> StoreResult<Option<OffsetDateTime>> {
    row.try_get::<Option<i64>, _>(column)
        .map_err(read_err)?
        .map(|v| from_micros(column, v))
        .transpose()
}

// ---------------------------------------------------------------- credentials

pub(super) fn credential_from_row(row: &DbRow) -> StoreResult<Credential> {
    let mut credential: Credential = decode("credential", &doc(row)?)?;
    credential.revision = row.try_get("revision").map_err(read_err)?;
    Ok(credential)
}

#[async_trait]
impl CredentialStore for SqlStore {
    async fn get_credential(&self, id: &CredentialId) -> StoreResult<Credential> {
        let row = sqlx::query("SELECT doc, revision FROM credentials WHERE id = $1")
            .bind(id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?
            .ok_or_else(|| StoreError::not_found(format!("credential {id}")))?;
        credential_from_row(&row)
    }

    async fn list_credentials(&self, user: &UserId) -> StoreResult<Vec<Credential>> {
        let rows = sqlx::query(
            "SELECT doc, revision FROM credentials WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user.as_str().to_owned())
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        rows.iter().map(credential_from_row).collect()
    }
}

pub(super) async fn add_credential(conn: &mut Conn, credential: &Credential) -> StoreResult<()> {
    sqlx::query("INSERT INTO credentials (id, user_id, kind, revision, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(credential.id.as_str().to_owned())
        .bind(credential.user_id.as_str().to_owned())
        .bind(credential.kind.as_str())
        .bind(credential.revision)
        .bind(micros(credential.created_date_time))
        .bind(encode("credential", credential)?)
        .execute(&mut *conn)
        .await
        .map_err(db_err(&format!("credential {} of user {}", credential.id, credential.user_id)))?;
    Ok(())
}

pub(super) async fn update_credential(conn: &mut Conn, credential: &Credential) -> StoreResult<()> {
    let mut stored = credential.clone();
    stored.revision = credential.revision + 1;
    let done = sqlx::query(
        "UPDATE credentials SET revision = $3, doc = $4 WHERE id = $1 AND revision = $2",
    )
    .bind(credential.id.as_str().to_owned())
    .bind(credential.revision)
    .bind(stored.revision)
    .bind(encode("credential", &stored)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err("credential update"))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let exists = sqlx::query("SELECT revision FROM credentials WHERE id = $1")
        .bind(credential.id.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await
        .map_err(read_err)?;
    match exists {
        None => Err(StoreError::NotFound(format!(
            "credential {}",
            credential.id
        ))),
        Some(_) => Err(StoreError::Conflict(format!(
            "credential {} changed since revision {} was read",
            credential.id, credential.revision
        ))),
    }
}

pub(super) async fn delete_credential(conn: &mut Conn, id: &CredentialId) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM credentials WHERE id = $1")
        .bind(id.as_str().to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("credential deletion"))?;
    found(done.rows_affected(), || format!("credential {id}"))
}

// ---------------------------------------------------------------- sessions

pub(super) fn session_from_row(row: &DbRow) -> StoreResult<Session> {
    let mut session: Session = decode("session", &doc(row)?)?;
    session.revoked_date_time = optional_time(row, "revoked_at")?;
    Ok(session)
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at, revoked_at, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(session.id.as_str().to_owned())
        .bind(session.user_id.as_str().to_owned())
        .bind(session.token_hash.as_str().to_owned())
        .bind(micros(session.created_date_time))
        .bind(micros(session.expires_date_time))
        .bind(session.revoked_date_time.map(micros))
        .bind(encode("session", session)?)
        .execute(&self.writer)
        .await
        .map_err(db_err(&format!("session {}", session.id)))?;
        Ok(())
    }

    async fn find_session_by_token_hash(
        &self,
        token_hash: &SecretHash,
    ) -> StoreResult<Option<Session>> {
        let row = sqlx::query("SELECT doc, revoked_at FROM sessions WHERE token_hash = $1")
            .bind(token_hash.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn get_session(&self, id: &SessionId) -> StoreResult<Session> {
        let row = sqlx::query("SELECT doc, revoked_at FROM sessions WHERE id = $1")
            .bind(id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?
            .ok_or_else(|| StoreError::not_found(format!("session {id}")))?;
        session_from_row(&row)
    }

    async fn update_session(&self, session: &Session) -> StoreResult<()> {
        // A revocation that happened meanwhile wins: revoked_at is never cleared here.
        let done = sqlx::query("UPDATE sessions SET expires_at = $2, doc = $3 WHERE id = $1")
            .bind(session.id.as_str().to_owned())
            .bind(micros(session.expires_date_time))
            .bind(encode("session", session)?)
            .execute(&self.writer)
            .await
            .map_err(db_err("session update"))?;
        found(done.rows_affected(), || format!("session {}", session.id))
    }

    async fn revoke_session(&self, id: &SessionId, at: OffsetDateTime) -> StoreResult<()> {
        let done =
            sqlx::query("UPDATE sessions SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1")
                .bind(id.as_str().to_owned())
                .bind(micros(at))
                .execute(&self.writer)
                .await
                .map_err(db_err("session revocation"))?;
        found(done.rows_affected(), || format!("session {id}"))
    }

    async fn list_sessions(&self, user: &UserId) -> StoreResult<Vec<Session>> {
        let rows = sqlx::query(
            "SELECT doc, revoked_at FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(user.as_str().to_owned())
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        rows.iter().map(session_from_row).collect()
    }

    async fn purge_expired_sessions(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(micros(before))
            .execute(&self.writer)
            .await
            .map_err(db_err("session purge"))?;
        Ok(done.rows_affected())
    }
}

pub(super) async fn revoke_user_sessions(
    conn: &mut Conn,
    user: &UserId,
    at: OffsetDateTime,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user.as_str().to_owned())
        .bind(micros(at))
        .execute(&mut *conn)
        .await
        .map_err(db_err("session revocation"))?;
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user.as_str().to_owned())
    .bind(micros(at))
    .execute(&mut *conn)
    .await
    .map_err(db_err("refresh token revocation"))?;
    Ok(())
}

// ---------------------------------------------------------------- refresh tokens

#[async_trait]
impl RefreshTokenStore for SqlStore {
    async fn insert_refresh_token(&self, token: &RefreshToken) -> StoreResult<()> {
        let mut conn = self.writer.acquire().await.map_err(read_err)?;
        insert_refresh_tokens(&mut conn, &[token]).await
    }

    async fn use_refresh_token(
        &self,
        token_hash: &SecretHash,
        at: OffsetDateTime,
    ) -> StoreResult<RefreshTokenUse> {
        // The conditional UPDATE is the atomic step: of concurrent callers, one changes the
        // row and the others see it already used.
        let claimed = {
            let mut conn = self.writer.acquire().await.map_err(read_err)?;
            claim_refresh_token(&mut conn, token_hash, at).await?
        };
        let row = sqlx::query(
            "SELECT doc, family_id, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(token_hash.as_str().to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(read_err)?;
        let Some(row) = row else {
            return Ok(RefreshTokenUse::Invalid);
        };
        let mut token: RefreshToken = decode("refresh token", &doc(&row)?)?;
        token.used_date_time = optional_time(&row, "used_at")?;
        token.revoked_date_time = optional_time(&row, "revoked_at")?;
        if claimed {
            return Ok(RefreshTokenUse::Fresh(Box::new(token)));
        }
        if token.used_date_time.is_some() {
            let family = token.family_id.clone();
            self.revoke_refresh_token_family(&family, at).await?;
            return Ok(RefreshTokenUse::Reused { family });
        }
        Ok(RefreshTokenUse::Invalid)
    }

    async fn revoke_refresh_token_family(
        &self,
        family: &RefreshTokenId,
        at: OffsetDateTime,
    ) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
        )
        .bind(family.as_str().to_owned())
        .bind(micros(at))
        .execute(&self.writer)
        .await
        .map_err(db_err("refresh token family revocation"))?;
        Ok(done.rows_affected())
    }
}

/// Marks the token used at `at` if it is still unused, unrevoked and unexpired; `true`
/// if this call did. The conditional UPDATE is the atomic step: of concurrent callers
/// (on any node), one changes the row and the others see it already used.
pub(super) async fn claim_refresh_token(
    conn: &mut Conn,
    token_hash: &SecretHash,
    at: OffsetDateTime,
) -> StoreResult<bool> {
    let claimed = sqlx::query(
        "UPDATE refresh_tokens SET used_at = $2 \
         WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash.as_str().to_owned())
    .bind(micros(at))
    .execute(&mut *conn)
    .await
    .map_err(db_err("refresh token use"))?;
    Ok(claimed.rows_affected() == 1)
}

/// Claims a group's presented refresh tokens, each at its own grant's time, with one
/// conditional `UPDATE` (the same condition as [`claim_refresh_token`]): true when every
/// one was claimed. A token presented twice in the group is claimed once, so the group
/// is refused and redone step by step, where the first presentation wins.
pub(super) async fn claim_refresh_tokens(
    conn: &mut Conn,
    rotations: &[&portcullis_store::RefreshRotation],
) -> StoreResult<bool> {
    match rotations {
        [] => Ok(true),
        [only] => claim_refresh_token(conn, &only.presented, only.at).await,
        several => {
            for chunk in several.chunks(ROWS_PER_INSERT) {
                // `$2k+1` the k-th token's hash, `$2k+2` its grant's time.
                let when: String = (0..chunk.len())
                    .map(|k| format!(" WHEN ${} THEN ${}", 2 * k + 1, 2 * k + 2))
                    .collect();
                let hashes: Vec<String> = (0..chunk.len())
                    .map(|k| format!("${}", 2 * k + 1))
                    .collect();
                let sql = format!(
                    "UPDATE refresh_tokens SET used_at = CASE token_hash{when} END \
                     WHERE token_hash IN ({}) AND used_at IS NULL AND revoked_at IS NULL \
                     AND expires_at > CASE token_hash{when} END \
                     RETURNING token_hash",
                    hashes.join(", ")
                );
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for rotation in chunk {
                    query = query
                        .bind(rotation.presented.as_str().to_owned())
                        .bind(micros(rotation.at));
                }
                let claimed = query
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(db_err("refresh token use"))?;
                if claimed.len() != chunk.len() {
                    return Ok(false);
                }
            }
            Ok(true)
        }
    }
}

const REFRESH_TOKEN_COLUMNS: &[&str] = &[
    "id",
    "token_hash",
    "family_id",
    "user_id",
    "session_id",
    "expires_at",
    "used_at",
    "revoked_at",
    "doc",
];

/// Inserts refresh tokens, many rows per statement (a group commit's successors).
pub(super) async fn insert_refresh_tokens(
    conn: &mut Conn,
    tokens: &[&RefreshToken],
) -> StoreResult<()> {
    for chunk in tokens.chunks(ROWS_PER_INSERT) {
        let sql = multi_row_insert("refresh_tokens", REFRESH_TOKEN_COLUMNS, chunk.len());
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for token in chunk {
            query = query
                .bind(token.id.as_str().to_owned())
                .bind(token.token_hash.as_str().to_owned())
                .bind(token.family_id.as_str().to_owned())
                .bind(token.user_id.as_ref().map(|u| u.as_str().to_owned()))
                .bind(token.session_id.as_ref().map(|s| s.as_str().to_owned()))
                .bind(micros(token.expires_date_time))
                .bind(token.used_date_time.map(micros))
                .bind(token.revoked_date_time.map(micros))
                .bind(encode("refresh token", token)?);
        }
        query.execute(&mut *conn).await.map_err(db_err(&rows_named(
            "refresh token",
            chunk,
            |t| &t.id,
        )))?;
    }
    Ok(())
}

// ---------------------------------------------------------------- devices

#[async_trait]
impl DeviceStore for SqlStore {
    async fn upsert_device(&self, device: &Device) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO devices (id, owner_user_id, registered_at, doc) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET owner_user_id = excluded.owner_user_id, doc = excluded.doc",
        )
        .bind(device.id.as_str().to_owned())
        .bind(device.owner_user_id.as_ref().map(|u| u.as_str().to_owned()))
        .bind(micros(device.registration_date_time))
        .bind(encode("device", device)?)
        .execute(&self.writer)
        .await
        .map_err(db_err(&format!("device {}", device.id)))?;
        Ok(())
    }

    async fn get_device(&self, id: &DeviceId) -> StoreResult<Device> {
        let row = sqlx::query("SELECT doc FROM devices WHERE id = $1")
            .bind(id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?
            .ok_or_else(|| StoreError::not_found(format!("device {id}")))?;
        decode("device", &doc(&row)?)
    }

    async fn list_devices(&self, owner: Option<&UserId>) -> StoreResult<Vec<Device>> {
        let rows =
            match owner {
                Some(owner) => sqlx::query(
                    "SELECT doc FROM devices WHERE owner_user_id = $1 ORDER BY registered_at, id",
                )
                .bind(owner.as_str().to_owned())
                .fetch_all(&self.pool)
                .await,
                None => {
                    sqlx::query("SELECT doc FROM devices ORDER BY registered_at, id")
                        .fetch_all(&self.pool)
                        .await
                }
            }
            .map_err(read_err)?;
        rows.iter()
            .map(|row| decode("device", &doc(row)?))
            .collect()
    }
}

pub(super) async fn update_device(conn: &mut Conn, device: &Device) -> StoreResult<()> {
    let done = sqlx::query("UPDATE devices SET owner_user_id = $2, doc = $3 WHERE id = $1")
        .bind(device.id.as_str().to_owned())
        .bind(device.owner_user_id.as_ref().map(|u| u.as_str().to_owned()))
        .bind(encode("device", device)?)
        .execute(&mut *conn)
        .await
        .map_err(db_err("device update"))?;
    found(done.rows_affected(), || format!("device {}", device.id))
}

pub(super) async fn delete_device(conn: &mut Conn, id: &DeviceId) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM devices WHERE id = $1")
        .bind(id.as_str().to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("device deletion"))?;
    found(done.rows_affected(), || format!("device {id}"))
}

// ---------------------------------------------------------------- risk events

#[async_trait]
impl RiskStore for SqlStore {
    async fn append_risk_event(&self, event: &RiskEvent) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(read_err)?;
        super::user_risk::add_event(&mut tx, event).await?;
        tx.commit().await.map_err(db_err("risk event"))?;
        Ok(())
    }

    async fn list_risk_events(
        &self,
        user: Option<&UserId>,
        since: Option<OffsetDateTime>,
        limit: u32,
    ) -> StoreResult<Vec<RiskEvent>> {
        let since = since.map(micros).unwrap_or(i64::MIN);
        let limit = fetch_limit(limit) - 1;
        let rows = match user {
            Some(user) => sqlx::query(
                "SELECT doc FROM risk_events WHERE user_id = $1 AND detected_at >= $2 \
                 ORDER BY detected_at DESC, id LIMIT $3",
            )
            .bind(user.as_str().to_owned())
            .bind(since)
            .bind(limit)
            .fetch_all(&self.pool)
            .await,
            None => sqlx::query("SELECT doc FROM risk_events WHERE detected_at >= $1 ORDER BY detected_at DESC, id LIMIT $2")
                .bind(since)
                .bind(limit)
                .fetch_all(&self.pool)
                .await,
        }
        .map_err(read_err)?;
        rows.iter()
            .map(|row| decode("risk event", &doc(row)?))
            .collect()
    }

    async fn get_user_risk(&self, user: &UserId) -> StoreResult<Option<UserRisk>> {
        self.user_risk(user).await
    }

    async fn list_user_risks(
        &self,
        query: &ListQuery<RiskyUserField>,
        now: OffsetDateTime,
    ) -> StoreResult<Page<UserRisk>> {
        self.user_risks(query, now).await
    }
}

pub(super) async fn set_risk_state(
    conn: &mut Conn,
    id: &RiskEventId,
    risk_state: &str,
    risk_detail: Option<&str>,
) -> StoreResult<()> {
    let row = sqlx::query("SELECT doc FROM risk_events WHERE id = $1")
        .bind(id.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await
        .map_err(read_err)?
        .ok_or_else(|| StoreError::not_found(format!("risk event {id}")))?;
    let mut event: RiskEvent = decode("risk event", &doc(&row)?)?;
    event.risk_state = risk_state.to_owned();
    event.risk_detail = risk_detail.map(str::to_owned);
    sqlx::query("UPDATE risk_events SET doc = $2 WHERE id = $1")
        .bind(id.as_str().to_owned())
        .bind(encode("risk event", &event)?)
        .execute(&mut *conn)
        .await
        .map_err(db_err("risk event update"))?;
    if let Some(user) = &event.user_id {
        // An admin action on one detection: its time is now.
        super::user_risk::recompute(conn, user, OffsetDateTime::now_utc()).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- signing keys

#[async_trait]
impl SigningKeyStore for SqlStore {
    async fn list_signing_keys(&self) -> StoreResult<Vec<SigningKey>> {
        let rows = sqlx::query("SELECT doc FROM signing_keys ORDER BY created_at DESC, kid")
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        rows.iter()
            .map(|row| decode("signing key", &doc(row)?))
            .collect()
    }
}

pub(super) async fn put_signing_key(conn: &mut Conn, key: &SigningKey) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO signing_keys (kid, state, created_at, doc) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (kid) DO UPDATE SET state = excluded.state, doc = excluded.doc",
    )
    .bind(key.kid.clone())
    .bind(key.state.as_str())
    .bind(micros(key.created_date_time))
    .bind(encode("signing key", key)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err(&format!("signing key {}", key.kid)))?;
    Ok(())
}
