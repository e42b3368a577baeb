//! The multi-node storage backend: PostgreSQL through sqlx.
//!
//! Several stateless nodes may share one database. Nothing here caches: every read goes
//! to the database. Commits lock one state row, so the audit chain is linear across
//! nodes. Nodes that cache policies key the cache on [`PolicyStore::policy_version`]
//! (one primary-key read, bumped in the same transaction as any policy change) and reload
//! when it moves, so a change made through any node is seen by all on their next check.
//! Optionally, [`PostgresStore::policy_listener`] (LISTEN/NOTIFY) wakes a node as soon as
//! another commits a policy change.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use portcullis_store::Store;
//! let store = portcullis_store_postgres::PostgresStore::connect("postgres://portcullis@db/portcullis").await?;
//! let store: Arc<dyn Store> = Arc::new(store);
//! # Ok(()) }
//! ```
//!
//! [`PolicyStore::policy_version`]: portcullis_store::PolicyStore::policy_version

// Tests may unwrap: a panic there is a failed test, not a crashed server.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod dialect;
mod open;
#[path = "../../store-sqlite/src/reports.rs"]
mod reports;
#[path = "../../store/shared_sql/mod.rs"]
mod shared;

pub use open::{OpenError, PolicyListener, PoolSettings};
/// The PostgreSQL store; implements every `portcullis-store` trait.
pub use shared::SqlStore as PostgresStore;
/// Connection options, re-exported so callers need no direct sqlx dependency.
pub use sqlx::postgres::PgConnectOptions;
