//! The `portcullis-store` conformance suite against SQLite, each test on its own database
//! file in a temporary directory.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use async_trait::async_trait;
use portcullis_store::Store;
use portcullis_store::testsuite::TestBackend;
use portcullis_store_sqlite::SqliteStore;

struct Harness {
    store: SqliteStore,
    // Keeps the directory alive for the test's duration.
    _dir: tempfile::TempDir,
}

#[async_trait]
impl TestBackend for Harness {
    fn store(&self) -> Arc<dyn Store> {
        Arc::new(self.store.clone())
    }

    async fn execute_raw_sql(&self, sql: &'static str) -> Result<u64, String> {
        sqlx::query(sql)
            .execute(self.store.writer())
            .await
            .map(|done| done.rows_affected())
            .map_err(|err| err.to_string())
    }
}

async fn harness() -> Option<Harness> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    Some(Harness { store, _dir: dir })
}

portcullis_store::conformance_tests!(harness().await);
