//! The PostgreSQL specifics the shared SQL implementation needs.

use sqlx::{Pool, Transaction};

pub(crate) type Db = sqlx::Postgres;

pub(crate) const BACKEND: &str = "postgres";

/// An ordinary READ COMMITTED transaction; exclusion comes from [`LOCK_STORE_STATE`].
pub(crate) async fn begin_write(pool: &Pool<Db>) -> Result<Transaction<'static, Db>, sqlx::Error> {
    pool.begin().await
}

/// One snapshot for every statement of the transaction.
pub(crate) async fn begin_snapshot(
    pool: &Pool<Db>,
) -> Result<Transaction<'static, Db>, sqlx::Error> {
    pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
}

/// Relaxed durability is `SET LOCAL` inside a transaction (`begin_relaxed`): a statement
/// committed by itself would wait for its WAL flush.
pub(crate) const RELAXED_AUTOCOMMIT: bool = false;

/// A transaction whose commit returns before its WAL record is flushed
/// (`synchronous_commit = off` for this transaction only): visible at once, on disk
/// within PostgreSQL's WAL writer delay; never inconsistent, only possibly lost in a crash.
pub(crate) async fn begin_relaxed(
    pool: &Pool<Db>,
) -> Result<Transaction<'static, Db>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Locking the single state row serialises commits across every node on the database:
/// the audit chain stays linear, the policy version counts commits, and each commit's
/// statements (READ COMMITTED) see everything committed before it took the lock.
pub(crate) const LOCK_STORE_STATE: &str =
    "SELECT policy_version, audit_seq, audit_head_hash FROM store_state WHERE id = 1 FOR UPDATE";

/// The channel other nodes `LISTEN` on for policy changes (see `PostgresStore::policy_listener`).
pub(crate) const POLICY_CHANNEL: &str = "portcullis_policy_version";

/// Queues a notification carrying the new version; PostgreSQL delivers it only if and when
/// the transaction commits, so listeners never hear of a change that was rolled back.
pub(crate) async fn announce_policy_version(
    conn: &mut <Db as sqlx::Database>::Connection,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(POLICY_CHANNEL)
        .bind(version.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
