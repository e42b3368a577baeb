//! The session-authentication migration moves the facts a sign-in stored beside each
//! session into the session's own row, so a session created before it is still
//! re-judged on its methods (token refresh, forward-auth, step-up).

use portcullis_core::SessionId;
use portcullis_store::SignInStateStore;
use portcullis_store_sqlite::SqliteStore;
use serde_json::json;
use uuid::Uuid;

use crate::support;

/// The last migration before the facts moved into `sessions`.
const BEFORE_THE_MOVE: i64 = 20261126000199;

#[tokio::test]
async fn facts_stored_before_stay_with_their_session() {
    let dir = tempfile::tempdir().unwrap();
    // The sessions' users are not written: the facts are what is under test.
    let pool = support::migrated_to(dir.path(), BEFORE_THE_MOVE, false).await;
    let with_facts = SessionId::from_uuid(Uuid::new_v4());
    let without = SessionId::from_uuid(Uuid::new_v4());
    let facts = json!({"methods": [{"method": "password", "at": "2026-11-25T08:00:00Z"}]});
    for (n, session) in [&with_facts, &without].into_iter().enumerate() {
        // The columns an older release wrote.
        sqlx::query(
            "INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at, doc) \
             VALUES ($1, $2, $3, 0, 0, '{}')",
        )
        .bind(session.to_string())
        .bind(Uuid::new_v4().to_string())
        .bind(format!("token-{n}"))
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query("INSERT INTO sign_in_session_facts (session_id, doc) VALUES ($1, $2)")
        .bind(with_facts.to_string())
        .bind(facts.to_string())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    assert_eq!(
        store.get_session_authentication(&with_facts).await.unwrap(),
        Some(facts)
    );
    assert_eq!(
        store.get_session_authentication(&without).await.unwrap(),
        None
    );
    let left = sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM sqlite_master WHERE name = 'sign_in_session_facts'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(left, 0, "the old table is gone");
}
