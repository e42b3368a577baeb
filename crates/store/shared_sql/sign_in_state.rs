//! Sign-in transactions, users' sign-in state and the group commit of sign-in steps.
//!
//! A group of steps shares one database transaction (one fsync on SQLite, one round of
//! WAL flush on PostgreSQL). A step that loses an optimistic-concurrency race is rolled
//! back alone and reported to its own caller while the rest of the group commits: the
//! group is redone with a savepoint per step when one fails.

use async_trait::async_trait;
use portcullis_core::{RefreshToken, SecretHash, SessionId, SignIn, SignInId, UserId};
use portcullis_store::{
    LoggedSignIn, NewSignInSession, RefreshRotation, SignInStateStore, SignInStepWrite, StoreError,
    StoreResult, StoredSignInTransaction, StoredUserSignInState, TransactionSubject,
    TransactionWrite, UserStateWrite,
};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection, Row};
use time::OffsetDateTime;

use super::{
    Conn, ROWS_PER_INSERT, SqlStore, db_err, decode, encode, from_micros, micros, multi_row_insert,
    read_err, rows_named, security,
};

type DbRow = <crate::dialect::Db as sqlx::Database>::Row;

fn json_column(row: &DbRow, what: &str) -> StoreResult<Value> {
    decode(what, &row.try_get::<String, _>("doc").map_err(read_err)?)
}

/// A transaction's columns under the names the step read's `UNION ALL` gives them
/// (`grant_subject.rs`), so that [`transaction_from_row`] reads both.
const TRANSACTION_COLUMNS: &str =
    "revision, created_at AS sort_at, expires_at, doc, user_id AS id, upn_lower AS name";

/// A `sign_in_transactions` row as [`TRANSACTION_COLUMNS`] names its columns.
pub(super) fn transaction_from_row(
    id_hash: &SecretHash,
    row: &DbRow,
) -> StoreResult<StoredSignInTransaction> {
    let user_id: Option<String> = row.try_get("id").map_err(read_err)?;
    Ok(StoredSignInTransaction {
        id_hash: id_hash.clone(),
        revision: row.try_get("revision").map_err(read_err)?,
        created_at: from_micros(
            "sign-in transaction creation",
            row.try_get("sort_at").map_err(read_err)?,
        )?,
        expires_at: from_micros(
            "sign-in transaction expiry",
            row.try_get("expires_at").map_err(read_err)?,
        )?,
        doc: json_column(row, "sign-in transaction")?,
        subject: TransactionSubject {
            user_id: user_id.map(super::directory::user_id).transpose()?,
            upn_lower: row.try_get("name").map_err(read_err)?,
        },
    })
}

/// A `user_sign_in_state` row (`revision`, `doc`) of `user`.
pub(super) fn user_state_from_row(
    user: &UserId,
    row: &DbRow,
) -> StoreResult<StoredUserSignInState> {
    Ok(StoredUserSignInState {
        user_id: user.clone(),
        revision: row.try_get("revision").map_err(read_err)?,
        doc: json_column(row, "user sign-in state")?,
    })
}

#[async_trait]
impl SignInStateStore for SqlStore {
    async fn get_sign_in_transaction(
        &self,
        id_hash: &SecretHash,
    ) -> StoreResult<Option<StoredSignInTransaction>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TRANSACTION_COLUMNS} FROM sign_in_transactions WHERE id_hash = $1"
        )))
        .bind(id_hash.as_str().to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(read_err)?;
        row.map(|row| transaction_from_row(id_hash, &row))
            .transpose()
    }

    async fn get_user_sign_in_state(
        &self,
        user: &UserId,
    ) -> StoreResult<Option<StoredUserSignInState>> {
        let row = sqlx::query("SELECT revision, doc FROM user_sign_in_state WHERE user_id = $1")
            .bind(user.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?;
        row.map(|row| user_state_from_row(user, &row)).transpose()
    }

    async fn commit_sign_in_steps(
        &self,
        writes: &[SignInStepWrite],
    ) -> StoreResult<Vec<StoreResult<()>>> {
        self.commit_steps(writes, Durability::Full).await
    }

    async fn commit_sign_in_steps_relaxed(
        &self,
        writes: &[SignInStepWrite],
    ) -> StoreResult<Vec<StoreResult<()>>> {
        self.commit_steps(writes, Durability::Relaxed).await
    }

    async fn get_session_authentication(&self, session: &SessionId) -> StoreResult<Option<Value>> {
        let row = sqlx::query("SELECT authentication FROM sessions WHERE id = $1")
            .bind(session.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?;
        let Some(row) = row else { return Ok(None) };
        let facts: Option<String> = row.try_get("authentication").map_err(read_err)?;
        facts
            .map(|facts| decode("session authentication", &facts))
            .transpose()
    }

    async fn get_sign_in_evaluation_input(&self, id: &SignInId) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT evaluation_input FROM sign_ins WHERE id = $1")
            .bind(id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?;
        match row {
            None => Ok(None),
            Some(row) => row.try_get("evaluation_input").map_err(read_err),
        }
    }

    async fn purge_expired_sign_in_transactions(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sign_in_transactions WHERE expires_at < $1")
            .bind(micros(before))
            .execute(&self.writer)
            .await
            .map_err(db_err("sign-in transaction purge"))?;
        Ok(done.rows_affected())
    }
}

/// The writes a group of steps makes by the row — refresh-token claims, sign-in log
/// entries and successor refresh tokens — gathered so that each kind is one statement
/// for the whole group: on SQLite every statement is a round trip to the connection's
/// worker thread, and a group of twenty grants would otherwise make sixty. They run
/// after the group's other writes, inside the same transaction (or the step's savepoint),
/// so a claim that fails still leaves nothing of its step behind.
#[derive(Default)]
struct Batched<'w> {
    claims: Vec<&'w RefreshRotation>,
    sign_ins: Vec<&'w LoggedSignIn>,
    refresh_tokens: Vec<&'w RefreshToken>,
}

impl<'w> Batched<'w> {
    fn gather(&mut self, write: &'w SignInStepWrite) {
        if let Some(rotation) = &write.refresh_rotation {
            self.claims.push(rotation);
            self.refresh_tokens.extend(&rotation.successor);
        }
        self.sign_ins.extend(&write.sign_ins);
    }

    async fn write(&mut self, conn: &mut Conn) -> StoreResult<()> {
        if !security::claim_refresh_tokens(conn, &self.claims).await? {
            return Err(StoreError::Conflict(
                "the refresh token was already used, revoked or expired".into(),
            ));
        }
        insert_sign_ins(conn, &self.sign_ins).await?;
        security::insert_refresh_tokens(conn, &self.refresh_tokens).await?;
        self.claims.clear();
        self.sign_ins.clear();
        self.refresh_tokens.clear();
        Ok(())
    }
}

/// The transaction a write creates, when that is all the write does (a begun sign-in).
/// Every field is named, so a field added to the write is considered here too.
fn lone_created_transaction(write: &SignInStepWrite) -> Option<&StoredSignInTransaction> {
    let SignInStepWrite {
        transaction: Some(TransactionWrite::Create(created)),
        user_state: None,
        credentials,
        sign_ins,
        session: None,
        revoke_sessions,
        push_approvals,
        refresh_rotation: None,
    } = write
    else {
        return None;
    };
    (credentials.is_empty()
        && sign_ins.is_empty()
        && revoke_sessions.is_empty()
        && push_approvals.is_empty())
    .then_some(created)
}

/// A step's writes but those the caller makes with the group's ([`Batched`]).
async fn apply_step(conn: &mut Conn, write: &SignInStepWrite) -> StoreResult<()> {
    match &write.transaction {
        Some(TransactionWrite::Create(created)) => create_transaction(conn, created).await?,
        Some(TransactionWrite::Update {
            id_hash,
            expected_revision,
            doc,
            subject,
        }) => update_transaction(conn, id_hash, *expected_revision, doc, subject).await?,
        None => {}
    }
    if let Some(state) = &write.user_state {
        write_user_state(conn, state).await?;
    }
    for credential in &write.credentials {
        security::update_credential(conn, credential).await?;
    }
    if let Some(created) = &write.session {
        insert_session(conn, created).await?;
    }
    for (session, at) in &write.revoke_sessions {
        sqlx::query("UPDATE sessions SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1")
            .bind(session.as_str().to_owned())
            .bind(micros(*at))
            .execute(&mut *conn)
            .await
            .map_err(db_err("session revocation"))?;
    }
    for approval in &write.push_approvals {
        super::push_state::insert_approval(conn, approval).await?;
    }
    Ok(())
}

async fn create_transaction(conn: &mut Conn, created: &StoredSignInTransaction) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sign_in_transactions \
           (id_hash, revision, created_at, expires_at, doc, user_id, upn_lower) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(created.id_hash.as_str().to_owned())
    .bind(created.revision)
    .bind(micros(created.created_at))
    .bind(micros(created.expires_at))
    .bind(encode("sign-in transaction", &created.doc)?)
    .bind(
        created
            .subject
            .user_id
            .as_ref()
            .map(|id| id.as_str().to_owned()),
    )
    .bind(created.subject.upn_lower.clone())
    .execute(&mut *conn)
    .await
    .map_err(db_err("sign-in transaction"))?;
    Ok(())
}

async fn update_transaction(
    conn: &mut Conn,
    id_hash: &SecretHash,
    expected_revision: i64,
    doc: &Value,
    subject: &TransactionSubject,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE sign_in_transactions SET revision = $3, doc = $4, user_id = $5, upn_lower = $6 \
         WHERE id_hash = $1 AND revision = $2",
    )
    .bind(id_hash.as_str().to_owned())
    .bind(expected_revision)
    .bind(expected_revision + 1)
    .bind(encode("sign-in transaction", doc)?)
    .bind(subject.user_id.as_ref().map(|id| id.as_str().to_owned()))
    .bind(subject.upn_lower.clone())
    .execute(&mut *conn)
    .await
    .map_err(db_err("sign-in transaction update"))?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "sign-in transaction changed since revision {expected_revision} was read"
        )))
    }
}

pub(super) async fn write_user_state(conn: &mut Conn, state: &UserStateWrite) -> StoreResult<()> {
    let doc = encode("user sign-in state", &state.doc)?;
    let user = state.user_id.as_str().to_owned();
    let done = match state.expected_revision {
        // A concurrent first write makes this insert a unique violation: a conflict.
        None => sqlx::query(
            "INSERT INTO user_sign_in_state (user_id, revision, doc) VALUES ($1, 0, $2)",
        )
        .bind(user)
        .bind(doc)
        .execute(&mut *conn)
        .await
        .map_err(db_err(&format!("sign-in state of user {}", state.user_id)))?,
        Some(revision) => sqlx::query(
            "UPDATE user_sign_in_state SET revision = $3, doc = $4 WHERE user_id = $1 AND revision = $2",
        )
        .bind(user)
        .bind(revision)
        .bind(revision + 1)
        .bind(doc)
        .execute(&mut *conn)
        .await
        .map_err(db_err("user sign-in state update"))?,
    };
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "sign-in state of user {} changed since it was read",
            state.user_id
        )))
    }
}

const SIGN_IN_COLUMNS: &[&str] = &[
    "id",
    "created_at",
    "user_id",
    "upn_lower",
    "app_id",
    "ip_address",
    "client_app_used",
    "conditional_access_status",
    "error_code",
    "correlation_id",
    "is_interactive",
    "doc",
    "evaluation_input",
    "risk_level_during_sign_in",
    "risk_level_aggregated",
];

/// Inserts sign-in log entries, many rows per statement.
pub(super) async fn insert_sign_ins(conn: &mut Conn, entries: &[&LoggedSignIn]) -> StoreResult<()> {
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        let sql = multi_row_insert("sign_ins", SIGN_IN_COLUMNS, chunk.len());
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for logged in chunk {
            let record: &SignIn = &logged.record;
            query = query
                .bind(record.id.as_str().to_owned())
                .bind(micros(record.created_date_time))
                .bind(record.user_id.as_ref().map(|u| u.as_str().to_owned()))
                .bind(
                    record
                        .user_principal_name
                        .as_deref()
                        .map(portcullis_core::user::normalize_upn),
                )
                .bind(record.app_id.clone())
                .bind(record.ip_address.clone())
                .bind(record.client_app_used.clone())
                .bind(record.conditional_access_status.as_str())
                .bind(i64::from(record.status.error_code))
                .bind(
                    record
                        .correlation_id
                        .as_ref()
                        .map(|c| c.as_str().to_owned()),
                )
                .bind(record.is_interactive)
                .bind(encode("sign-in", record)?)
                .bind(logged.evaluation_input.clone())
                .bind(record.risk_level_during_sign_in.clone())
                .bind(record.risk_level_aggregated.clone());
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(db_err(&rows_named("sign-in", chunk, |l| &l.record.id)))?;
    }
    Ok(())
}

async fn insert_session(conn: &mut Conn, created: &NewSignInSession) -> StoreResult<()> {
    let session = &created.session;
    sqlx::query(
        "INSERT INTO sessions \
           (id, user_id, token_hash, created_at, expires_at, revoked_at, doc, authentication) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(session.id.as_str().to_owned())
    .bind(session.user_id.as_str().to_owned())
    .bind(session.token_hash.as_str().to_owned())
    .bind(micros(session.created_date_time))
    .bind(micros(session.expires_date_time))
    .bind(session.revoked_date_time.map(micros))
    .bind(encode("session", session)?)
    .bind(encode("session authentication", &created.authentication)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err(&format!("session {}", session.id)))?;
    Ok(())
}

/// Whether a group's commit must be on disk before it returns.
#[derive(Clone, Copy)]
enum Durability {
    Full,
    Relaxed,
}

impl SqlStore {
    async fn commit_steps(
        &self,
        writes: &[SignInStepWrite],
        durability: Durability,
    ) -> StoreResult<Vec<StoreResult<()>>> {
        // No store-state lock: these writes touch neither the audit chain nor policies,
        // and their own revision checks order concurrent steps.
        //
        // Almost every group succeeds whole, so it is first applied straight in one
        // transaction: a savepoint per step would make SQLite copy every page the step
        // touches into a sub-journal. Only when a step fails is the group redone with a
        // savepoint per step, so that step fails alone and the others still commit.
        if let (Durability::Relaxed, [write]) = (durability, writes)
            && crate::dialect::RELAXED_AUTOCOMMIT
            && let Some(created) = lone_created_transaction(write)
        {
            // A lone begun sign-in: one statement, committed by itself on the relaxed
            // connection (one round trip instead of BEGIN, INSERT and COMMIT).
            let mut conn = self.relaxed.acquire().await.map_err(read_err)?;
            return Ok(vec![create_transaction(&mut conn, created).await]);
        }
        let mut tx = self.begin_steps(durability).await?;
        let mut whole = Ok(());
        let mut batched = Batched::default();
        for write in writes {
            whole = apply_step(&mut tx, write).await;
            if whole.is_err() {
                break;
            }
            batched.gather(write);
        }
        if whole.is_ok() {
            whole = batched.write(&mut tx).await;
        }
        if whole.is_ok() {
            tx.commit().await.map_err(read_err)?;
            return Ok(writes.iter().map(|_| Ok(())).collect());
        }
        tx.rollback().await.map_err(read_err)?;
        self.commit_sign_in_steps_one_by_one(writes, durability)
            .await
    }

    async fn begin_steps(
        &self,
        durability: Durability,
    ) -> StoreResult<sqlx::Transaction<'static, crate::dialect::Db>> {
        match durability {
            Durability::Full => self.writer.begin().await.map_err(read_err),
            Durability::Relaxed => crate::dialect::begin_relaxed(&self.relaxed)
                .await
                .map_err(read_err),
        }
    }

    /// The group again with a savepoint per step: a step that fails (most often one that
    /// lost an optimistic-concurrency race) is rolled back and reported alone.
    async fn commit_sign_in_steps_one_by_one(
        &self,
        writes: &[SignInStepWrite],
        durability: Durability,
    ) -> StoreResult<Vec<StoreResult<()>>> {
        let mut tx = self.begin_steps(durability).await?;
        let mut results = Vec::with_capacity(writes.len());
        for write in writes {
            let mut savepoint = Connection::begin(&mut *tx).await.map_err(read_err)?;
            let mut batched = Batched::default();
            batched.gather(write);
            let applied = match apply_step(&mut savepoint, write).await {
                Ok(()) => batched.write(&mut savepoint).await,
                failed => failed,
            };
            match applied {
                Ok(()) => {
                    savepoint.commit().await.map_err(read_err)?;
                    results.push(Ok(()));
                }
                Err(err) => {
                    savepoint.rollback().await.map_err(read_err)?;
                    results.push(Err(err));
                }
            }
        }
        tx.commit().await.map_err(read_err)?;
        Ok(results)
    }
}
