//! Online backup while writers run, validation, and restore.

#![allow(clippy::unwrap_used)]

use portcullis_core::{AuditId, AuditRecord, ChainHead, User, UserId, UserType, verify_chain};
use portcullis_store::{AuditLog, Batch, Change, Store, UserStore};
use portcullis_store_sqlite::{
    BackupError, DATABASE_FILE, SqliteStore, restore_into, validate_backup,
};

fn user(i: usize) -> User {
    User {
        id: UserId::from_uuid(uuid::Uuid::new_v4()),
        user_principal_name: format!("u{i}@example.com"),
        display_name: format!("User {i}"),
        mail: None,
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: time::OffsetDateTime::UNIX_EPOCH,
        attributes: Default::default(),
    }
}

fn record(i: usize) -> AuditRecord {
    AuditRecord::new(
        AuditId::from_uuid(uuid::Uuid::new_v4()),
        time::OffsetDateTime::UNIX_EPOCH,
        "UserManagement",
        &format!("Add user {i}"),
        "Add",
        Default::default(),
    )
}

async fn add_users(store: &SqliteStore, range: std::ops::Range<usize>) {
    for i in range {
        store
            .commit(Batch::single(Change::CreateUser(user(i)), record(i)))
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_backup_then_restore() {
    let live_dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(live_dir.path()).await.unwrap();
    add_users(&store, 0..20).await;

    // Back up while another task keeps writing: the copy is one consistent snapshot.
    let writer = {
        let store = store.clone();
        tokio::spawn(async move { add_users(&store, 20..60).await })
    };
    let backup_dir = tempfile::tempdir().unwrap();
    let backup = backup_dir.path().join("backup.db");
    store.backup_to(&backup).await.unwrap();
    writer.await.unwrap();
    assert!(matches!(
        store.backup_to(&backup).await,
        Err(BackupError::TargetExists(_))
    ));

    let audit_records = validate_backup(&backup).await.unwrap();
    assert!((20..=60).contains(&audit_records), "{audit_records}");
    store.close().await;

    let report = restore_into(&backup, live_dir.path()).await.unwrap();
    let kept = report.previous_database.unwrap();
    assert!(kept.exists());
    assert_eq!(report.audit_records, audit_records);

    let restored = SqliteStore::open_dir(live_dir.path()).await.unwrap();
    let users = restored.count_users(None).await.unwrap();
    assert_eq!(
        users as i64, audit_records,
        "users and their audit records were copied together"
    );
    let chain = restored.read_audit_chain(0, 1000).await.unwrap();
    verify_chain(ChainHead::genesis(), &chain).unwrap();
    // The restored database takes writes.
    add_users(&restored, 100..101).await;
}

#[tokio::test]
async fn restore_refuses_files_that_are_not_portcullis_databases() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    tokio::fs::write(&junk, b"this is not a database")
        .await
        .unwrap();
    let err = restore_into(&junk, dir.path()).await.unwrap_err();
    assert!(matches!(err, BackupError::InvalidBackup { .. }), "{err}");
    assert!(
        !dir.path().join(DATABASE_FILE).exists(),
        "nothing swapped in"
    );

    // A valid SQLite file without Portcullis tables is refused too.
    let other = dir.path().join("other.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", other.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE t (x INTEGER)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let err = validate_backup(&other).await.unwrap_err();
    assert!(err.to_string().contains("migration"), "{err}");
    assert!(
        validate_backup(&dir.path().join("missing.db"))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn open_url_and_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("via-url.db").display());
    let store = SqliteStore::open_url(&url).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(fk, 1);
    let cache: i64 = sqlx::query_scalar("PRAGMA cache_size")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(cache, -16384);
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(sync, 2, "FULL");
    // Reopening runs migrations idempotently.
    store.close().await;
    SqliteStore::open_url(&url).await.unwrap();
    assert!(SqliteStore::open_url("postgres://nope").await.is_err());
}
