//! The SQLite specifics the shared SQL implementation needs.

use sqlx::{Pool, Transaction};

pub(crate) type Db = sqlx::Sqlite;

pub(crate) const BACKEND: &str = "sqlite";

/// `BEGIN IMMEDIATE` takes the database's write lock at the start, so a commit never
/// fails half-way with SQLITE_BUSY on a read-to-write upgrade; other writers wait in the
/// busy handler. SQLite has one writer at a time, which also keeps the audit chain linear.
pub(crate) async fn begin_write(pool: &Pool<Db>) -> Result<Transaction<'static, Db>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// A deferred transaction reads from one WAL snapshot from its first read on.
pub(crate) async fn begin_snapshot(
    pool: &Pool<Db>,
) -> Result<Transaction<'static, Db>, sqlx::Error> {
    pool.begin().await
}

/// The relaxed pool's connection runs `synchronous = NORMAL`, so a statement committed
/// by itself there is already a relaxed commit: no transaction needed around it.
pub(crate) const RELAXED_AUTOCOMMIT: bool = true;

/// A transaction on the relaxed pool, whose connection runs `synchronous = NORMAL`: in
/// WAL mode its commit is not fsync'd by itself but by the next FULL commit (the WAL is
/// one file, synced whole) or checkpoint; never corrupt, only possibly lost in a power cut.
pub(crate) async fn begin_relaxed(
    relaxed: &Pool<Db>,
) -> Result<Transaction<'static, Db>, sqlx::Error> {
    relaxed.begin().await
}

/// Reading the state row inside `BEGIN IMMEDIATE` is already exclusive.
pub(crate) const LOCK_STORE_STATE: &str =
    "SELECT policy_version, audit_seq, audit_head_hash FROM store_state WHERE id = 1";

/// One SQLite database has one process serving it: nobody else to tell.
pub(crate) async fn announce_policy_version(
    _conn: &mut <Db as sqlx::Database>::Connection,
    _version: i64,
) -> Result<(), sqlx::Error> {
    Ok(())
}
