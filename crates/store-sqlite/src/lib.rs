//! The embedded default storage backend: SQLite (bundled) in WAL mode through sqlx.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use portcullis_store::Store;
//! let store = portcullis_store_sqlite::SqliteStore::open_dir("/var/lib/portcullis".as_ref()).await?;
//! let store: Arc<dyn Store> = Arc::new(store);
//! # Ok(()) }
//! ```

// Tests may unwrap: a panic there is a failed test, not a crashed server.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod backup;
mod dialect;
mod open;
#[cfg(test)]
mod query_plans;
mod reports;
#[path = "../../store/shared_sql/mod.rs"]
mod shared;

pub use backup::{BackupError, RestoreReport, restore_into, validate_backup};
pub use open::{DATABASE_FILE, OpenError};
/// The SQLite store; implements every `portcullis-store` trait.
pub use shared::SqlStore as SqliteStore;
