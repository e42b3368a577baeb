//! The SQL implementation of the `portcullis-store` traits, shared *as source* by the
//! SQLite and PostgreSQL backends.
//!
//! Why source sharing: the two backends run the same SQL (numbered `$n` placeholders,
//! `ON CONFLICT`, recursive CTEs, `substr`, integer microsecond timestamps and TEXT JSON
//! documents are common to both), but sqlx's driver types are concrete and writing this
//! once generically over `sqlx::Database` needs trait bounds for every bound and decoded
//! type. Each backend crate includes this directory with
//! `#[path = "../../store/shared_sql/mod.rs"] mod shared;` and provides `crate::dialect`:
//!
//! - `type Db` (the sqlx database),
//! - `begin_write(&Pool<Db>)`: a write transaction that excludes every other commit
//!   (SQLite `BEGIN IMMEDIATE`; PostgreSQL locks the `store_state` row `FOR UPDATE`),
//! - `begin_snapshot(&Pool<Db>)`: a read transaction with one consistent snapshot,
//! - `BACKEND`: the backend's name.
//!
//! Reads go to `SqlStore::pool`, writes (every statement that changes a row, and every
//! write transaction) to `SqlStore::writer`. On PostgreSQL both are the same pool. On a
//! SQLite file the writer is a pool of one connection beside a small read pool: SQLite
//! has one writer at a time anyway, so writers queue in the pool instead of sleeping in
//! SQLite's busy handler; and in WAL mode a connection drops its whole page cache when
//! another connection has committed since its last transaction, so the fewer
//! connections read, the fewer caches every commit empties (see `open.rs`).
//!
//! Schema conventions (each backend's migrations follow them): every table keeps the
//! object's full JSON in `doc` (the source of truth when reading) plus the columns that
//! are filtered, sorted or constrained; times are `BIGINT` Unix microseconds.

mod apps;
mod break_glass;
mod code_sends;
mod commit;
mod directory;
mod grant_subject;
pub(crate) mod logs;
mod oauth_state;
mod policy;
mod push_state;
mod security;
mod security_epochs;
mod sign_in_state;
mod user_risk;

use portcullis_store::StoreError;
use portcullis_store::sql::SqlParam;
use serde::de::DeserializeOwned;
use sqlx::{Database, Pool};

use crate::dialect::Db;

pub(crate) type Conn = <Db as Database>::Connection;
pub(crate) type DbQuery<'q> = sqlx::query::Query<'q, Db, <Db as Database>::Arguments>;

/// A store on one sqlx pool. The backend crate re-exports it under its own name and adds
/// opening, backup and test helpers.
#[derive(Debug, Clone)]
pub struct SqlStore {
    /// Where reads go (and, on PostgreSQL and in-memory SQLite, writes too).
    pub(crate) pool: Pool<Db>,
    /// Where writes go: on a SQLite file its own pool of one connection, else `pool`.
    pub(crate) writer: Pool<Db>,
    /// Where relaxed-durability commits go (see `commit_sign_in_steps_relaxed`): on
    /// SQLite a connection without its own fsync per commit, else the pool itself.
    pub(crate) relaxed: Pool<Db>,
}

impl SqlStore {
    pub(crate) fn from_pool(pool: Pool<Db>) -> Self {
        SqlStore {
            relaxed: pool.clone(),
            writer: pool.clone(),
            pool,
        }
    }

    /// The underlying (read) pool (for backups, health checks and tests).
    pub fn pool(&self) -> &Pool<Db> {
        &self.pool
    }

    /// The pool writes go to (the read pool itself except on a SQLite file; for tests).
    pub fn writer(&self) -> &Pool<Db> {
        &self.writer
    }
}

/// Maps a database error; unique and foreign-key violations become conflicts that say
/// what collided, everything else a backend error.
pub(crate) fn db_err(what: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |err| match &err {
        sqlx::Error::Database(db) => match db.kind() {
            sqlx::error::ErrorKind::UniqueViolation => {
                StoreError::Conflict(format!("{what} already exists"))
            }
            sqlx::error::ErrorKind::ForeignKeyViolation => {
                StoreError::Conflict(format!("{what} refers to an object that does not exist"))
            }
            _ => StoreError::Backend(format!("{what}: {err}")),
        },
        _ => StoreError::Backend(format!("{what}: {err}")),
    }
}

/// Plain backend error mapping for reads.
pub(crate) fn read_err(err: sqlx::Error) -> StoreError {
    StoreError::Backend(err.to_string())
}

/// Decodes a stored JSON document.
pub(crate) fn decode<T: DeserializeOwned>(what: &str, doc: &str) -> Result<T, StoreError> {
    serde_json::from_str(doc)
        .map_err(|err| StoreError::Backend(format!("stored {what} does not decode: {err}")))
}

/// Encodes an object as its stored JSON document.
pub(crate) fn encode<T: serde::Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|err| StoreError::Invalid(format!("{what} cannot be encoded: {err}")))
}

/// Binds rendered filter parameters in order.
pub(crate) fn bind_params<'q>(mut query: DbQuery<'q>, params: &[SqlParam]) -> DbQuery<'q> {
    for param in params {
        query = match param {
            SqlParam::Bool(b) => query.bind(*b),
            SqlParam::Int(i) => query.bind(*i),
            SqlParam::Text(s) => query.bind(s.clone()),
        };
    }
    query
}

/// The most rows one multi-row `INSERT` carries: 256 rows of 15 values stay far below
/// both backends' limit on bound parameters (SQLite 32,766; PostgreSQL 65,535).
pub(crate) const ROWS_PER_INSERT: usize = 256;

/// `INSERT INTO table (columns…) VALUES ($1, …), ($n+1, …), …` for `rows` rows.
pub(crate) fn multi_row_insert(table: &str, columns: &[&str], rows: usize) -> String {
    use std::fmt::Write;
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns.len() {
            let separator = if column == 0 { "" } else { ", " };
            // Writing to a String cannot fail.
            let _ = write!(sql, "{separator}${}", row * columns.len() + column + 1);
        }
        sql.push(')');
    }
    sql
}

/// What a multi-row write names in its error: its one row, or the first of several.
pub(crate) fn rows_named<T, I: std::fmt::Display>(
    what: &str,
    rows: &[&T],
    id: impl Fn(&T) -> &I,
) -> String {
    match rows {
        [only] => format!("{what} {}", id(only)),
        [first, ..] => format!("{what} {} and {} more", id(first), rows.len() - 1),
        [] => what.to_owned(),
    }
}

pub(crate) fn micros(at: time::OffsetDateTime) -> i64 {
    portcullis_core::timestamp::unix_micros(at)
}

pub(crate) fn from_micros(what: &str, value: i64) -> Result<time::OffsetDateTime, StoreError> {
    portcullis_core::timestamp::from_unix_micros(value)
        .ok_or_else(|| StoreError::Backend(format!("stored {what} time {value} is out of range")))
}

/// Page size plus one, to learn whether another page follows.
pub(crate) fn fetch_limit(limit: u32) -> i64 {
    i64::from(portcullis_store::page::effective_limit(limit)) + 1
}

#[cfg(test)]
mod tests {
    use super::multi_row_insert;

    #[test]
    fn multi_row_inserts_number_every_value_in_order() {
        assert_eq!(
            multi_row_insert("t", &["a", "b"], 1),
            "INSERT INTO t (a, b) VALUES ($1, $2)"
        );
        assert_eq!(
            multi_row_insert("t", &["a", "b", "c"], 3),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9)"
        );
    }
}
