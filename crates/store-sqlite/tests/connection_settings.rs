//! Every pooled connection runs with the settings the store relies on: WAL, a commit on
//! disk before it returns (`synchronous = FULL`), foreign keys, and statement journals
//! kept in memory (`temp_store = MEMORY`, see `open.rs`).

#![allow(clippy::unwrap_used)]

use portcullis_store_sqlite::SqliteStore;

#[tokio::test]
async fn every_pooled_connection_has_the_store_settings() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    // Several connections at once, so more than the first one is checked.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(store.pool().acquire().await.unwrap());
    }
    for conn in &mut held {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        for (pragma, expected) in [("synchronous", 2), ("foreign_keys", 1), ("temp_store", 2)] {
            let value: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("PRAGMA {pragma}")))
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            assert_eq!(value, expected, "PRAGMA {pragma}");
        }
    }
}
