//! Every pooled connection runs with the settings the store relies on: WAL, a commit on
//! disk before it returns (`synchronous = FULL`), foreign keys, and statement journals
//! kept in memory (`temp_store = MEMORY`, see `open.rs`); and writes go to a connection
//! of their own, beside a small read pool.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use portcullis_store::{SessionStore, SettingStore};
use portcullis_store_sqlite::SqliteStore;

#[tokio::test]
async fn every_pooled_connection_has_the_store_settings() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    // Every reading connection at once, so more than the first one is checked, and the
    // writer's.
    let readers = store.pool().options().get_max_connections();
    assert!(readers >= 2, "{readers} reading connections");
    let mut held = Vec::new();
    for _ in 0..readers {
        held.push(store.pool().acquire().await.unwrap());
    }
    held.push(store.writer().acquire().await.unwrap());
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

#[tokio::test]
async fn writes_queue_for_their_own_connection_while_reads_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    assert_eq!(store.writer().options().get_max_connections(), 1);
    let writers_only_connection = store.writer().acquire().await.unwrap();

    let read = tokio::time::timeout(Duration::from_secs(5), store.get_setting("absent"));
    assert_eq!(
        read.await.unwrap().unwrap(),
        None,
        "a read waited for the writer"
    );

    let now = time::OffsetDateTime::now_utc();
    let write = store.purge_expired_sessions(now);
    tokio::pin!(write);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), &mut write)
            .await
            .is_err(),
        "a write went around the writer's connection"
    );
    drop(writers_only_connection);
    let purged = tokio::time::timeout(Duration::from_secs(5), write).await;
    assert_eq!(purged.unwrap().unwrap(), 0);
}
