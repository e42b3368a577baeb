//! The refresh-token session migration fills the new `session_id` column from tokens
//! issued before it, so a refresh of such a token still reads (and judges) its session.

#![allow(clippy::unwrap_used)]

use portcullis_core::{ClientId, RefreshToken, RefreshTokenId, SecretHash, SessionId, UserId};
use portcullis_store_sqlite::SqliteStore;
use time::macros::datetime;
use uuid::Uuid;

use crate::support;
/// The last migration before refresh tokens had a session column.
const BEFORE_SESSION_COLUMN: i64 = 20261125000099;

fn token(value: &str, session: Option<&SessionId>) -> RefreshToken {
    let id = RefreshTokenId::from_uuid(Uuid::new_v4());
    RefreshToken {
        family_id: id.clone(),
        id,
        token_hash: SecretHash::of(value),
        client_id: ClientId::from_uuid(Uuid::nil()),
        user_id: Some(UserId::from_uuid(Uuid::new_v4())),
        session_id: session.cloned(),
        scopes: vec!["openid".into()],
        created_date_time: datetime!(2026-11-24 08:00 UTC),
        expires_date_time: datetime!(2026-12-24 08:00 UTC),
        used_date_time: None,
        revoked_date_time: None,
    }
}

#[tokio::test]
async fn tokens_issued_before_keep_their_session() {
    let dir = tempfile::tempdir().unwrap();
    // The tokens' users are not written: the column is what is under test.
    let pool = support::migrated_to(dir.path(), BEFORE_SESSION_COLUMN, false).await;
    let session = SessionId::from_uuid(Uuid::new_v4());
    let old = [
        token("rt-browser", Some(&session)),
        token("rt-device", None),
    ];
    for token in &old {
        // The columns an older release wrote.
        sqlx::query(
            "INSERT INTO refresh_tokens (id, token_hash, family_id, user_id, expires_at, doc) \
             VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(token.id.to_string())
        .bind(token.token_hash.as_str().to_owned())
        .bind(token.family_id.to_string())
        .bind(token.user_id.as_ref().map(ToString::to_string))
        .bind(serde_json::to_string(token).unwrap())
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;

    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    let session_of = |token: &RefreshToken| {
        let store = store.clone();
        let hash = token.token_hash.as_str().to_owned();
        async move {
            sqlx::query_scalar::<_, Option<String>>(
                "SELECT session_id FROM refresh_tokens WHERE token_hash = $1",
            )
            .bind(hash)
            .fetch_one(store.pool())
            .await
            .unwrap()
        }
    };
    assert_eq!(session_of(&old[0]).await, Some(session.to_string()));
    assert_eq!(session_of(&old[1]).await, None);
}
