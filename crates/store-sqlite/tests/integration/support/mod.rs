//! Shared by the migration tests: a database in a data directory, migrated only up to a
//! version, so a test can write rows as an older release did before opening the store
//! (which runs the rest).

use std::path::Path;

use portcullis_store_sqlite::DATABASE_FILE;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// A one-connection pool on `data_dir`'s database, migrated up to `version` inclusive.
/// `foreign_keys`: off when the test writes rows without the rows they refer to.
pub async fn migrated_to(data_dir: &Path, version: i64, foreign_keys: bool) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(data_dir.join(DATABASE_FILE))
        .create_if_missing(true)
        .foreign_keys(foreign_keys);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("open the database");
    sqlx::migrate!("./migrations")
        .run_to(version, &pool)
        .await
        .expect("migrate up to the version");
    pool
}
