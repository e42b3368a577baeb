//! The `portcullis-store` conformance suite against a real PostgreSQL server named by
//! `PORTCULLIS_TEST_POSTGRES_URL` (`scripts/test.sh` starts one). Each test gets its own
//! schema, so tests run in parallel without seeing each other's data.
//!
//! Without the variable the tests fail under `CI=true` and print a skip message otherwise.

#![allow(clippy::unwrap_used)]

use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use portcullis_store::Store;
use portcullis_store::testsuite::TestBackend;
use portcullis_store_postgres::{PgConnectOptions, PoolSettings, PostgresStore};
use sqlx::AssertSqlSafe;

const URL_VAR: &str = "PORTCULLIS_TEST_POSTGRES_URL";

struct Harness {
    store: PostgresStore,
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

/// The server URL, or `None` (after saying so) when PostgreSQL tests cannot run here.
pub fn test_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "{URL_VAR} is not set under CI=true: the PostgreSQL tests must run (use scripts/test.sh)"
            )
        }
        _ => {
            eprintln!(
                "SKIPPED: {URL_VAR} is not set; PostgreSQL tests did not run (scripts/test.sh sets it)"
            );
            None
        }
    }
}

async fn harness() -> Option<Harness> {
    let url = test_url()?;
    let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    // The schema name is generated from a UUID above, never from input.
    sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let settings = PoolSettings {
        max_connections: 10,
        ..PoolSettings::default()
    };
    let store = PostgresStore::connect_with(options, settings)
        .await
        .unwrap();
    Some(Harness { store })
}

portcullis_store::conformance_tests!(harness().await);

/// Two stores on one schema behave like two nodes: commits from both interleave into
/// one linear chain and each sees the other's policy version.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_share_one_chain_and_policy_version() {
    let Some(node_a) = harness().await else {
        return;
    };
    let search_path: String = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(node_a.store.pool())
        .await
        .unwrap();
    let url = test_url().unwrap();
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", search_path.as_str())]);
    let node_b = PostgresStore::connect_with(options, PoolSettings::default())
        .await
        .unwrap();
    assert_eq!(node_b.policy_version().await.unwrap(), 0);

    use portcullis_store::{AuditLog, Batch, Change, PolicyKind, PolicyStore, Precondition};
    let put = |id: String| Change::PutPolicy {
        kind: PolicyKind::ConditionalAccessPolicy,
        id,
        json: serde_json::json!({}),
        precondition: Precondition::None,
        at: time::OffsetDateTime::UNIX_EPOCH,
    };
    let record = || {
        portcullis_core::AuditRecord::new(
            portcullis_core::AuditId::from_uuid(uuid::Uuid::new_v4()),
            time::OffsetDateTime::UNIX_EPOCH,
            "Policy",
            "Update policy",
            "Update",
            Default::default(),
        )
    };
    let mut tasks = Vec::new();
    for (node, store) in [("a", node_a.store.clone()), ("b", node_b.clone())] {
        for t in 0..3 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..10 {
                    store
                        .commit(Batch::single(put(format!("{node}-{t}-{i}")), record()))
                        .await
                        .unwrap();
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(node_a.store.policy_version().await.unwrap(), 60);
    assert_eq!(node_b.policy_version().await.unwrap(), 60);
    let chain = node_b.read_audit_chain(0, 1000).await.unwrap();
    portcullis_core::verify_chain(portcullis_core::ChainHead::genesis(), &chain).unwrap();
    assert_eq!(chain.len(), 60);
}

/// A commit on one node wakes a listener on another with the new version; a rolled-back
/// policy change announces nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_changes_are_announced_to_listeners() {
    use portcullis_store::{Batch, Change, PolicyKind, Precondition};
    let Some(node) = harness().await else { return };
    let mut listener = node.store.policy_listener().await.unwrap();
    let put = |id: &str, precondition| Change::PutPolicy {
        kind: PolicyKind::NamedLocation,
        id: id.into(),
        json: serde_json::json!({}),
        precondition,
        at: time::OffsetDateTime::UNIX_EPOCH,
    };
    node.store
        .commit(Batch::new().change(put("a", Precondition::None)))
        .await
        .unwrap();
    // Fails on its second change: rolled back, nothing announced.
    let failed = node
        .store
        .commit(
            Batch::new()
                .change(put("b", Precondition::None))
                .change(put("a", Precondition::MustNotExist)),
        )
        .await;
    assert!(failed.is_err());
    node.store
        .commit(Batch::new().change(put("c", Precondition::None)))
        .await
        .unwrap();
    let wait = std::time::Duration::from_secs(5);
    assert_eq!(
        tokio::time::timeout(wait, listener.next_version())
            .await
            .unwrap()
            .unwrap(),
        1
    );
    assert_eq!(
        tokio::time::timeout(wait, listener.next_version())
            .await
            .unwrap()
            .unwrap(),
        2
    );
}
