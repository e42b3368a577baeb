//! What the server-backed tests share: a real server on port 0 (SQLite, or PostgreSQL in
//! its own schema), users, and the list of backends to run on.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use portcullis_core::audit::InitiatedBy;
use portcullis_core::{AuditId, AuditRecord, User, UserId, UserType};
use portcullis_server::config::FileConfig;
use portcullis_server::{Application, Config};
use portcullis_service::Services;
use portcullis_store::{Batch, Change};
use time::OffsetDateTime;
use uuid::Uuid;

pub struct Server {
    pub services: Services,
    _data: tempfile::TempDir,
    shutdown: portcullis_server::listener::ShutdownHandle,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown.shutdown();
    }
}

pub async fn start(postgres: Option<&str>) -> Server {
    let data = tempfile::tempdir().unwrap();
    let database_url = match postgres {
        None => None,
        Some(url) => {
            let schema = format!("t_{}", Uuid::new_v4().simple());
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            let separator = if url.contains('?') { '&' } else { '?' };
            Some(format!(
                "{url}{separator}options=-c%20search_path%3D{schema}"
            ))
        }
    };
    let config = Config::from_layers(FileConfig {
        listen: Some("127.0.0.1:0".into()),
        data_dir: Some(data.path().to_owned()),
        database_url,
        ..FileConfig::default()
    })
    .unwrap();
    let app = Application::build(config).await.expect("server starts");
    let services = app.services().clone();
    let shutdown = app.shutdown_handle();
    tokio::spawn(app.run_until_stopped());
    Server {
        services,
        _data: data,
        shutdown,
    }
}

pub async fn create_user(services: &Services, upn: &str) -> UserId {
    let user = User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: upn.to_owned(),
        display_name: upn.to_owned(),
        mail: None,
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: OffsetDateTime::now_utc(),
        attributes: serde_json::Map::new(),
    };
    let audit = AuditRecord::new(
        AuditId::from_uuid(Uuid::new_v4()),
        OffsetDateTime::now_utc(),
        "UserManagement",
        "Add user",
        "Add",
        InitiatedBy::default(),
    );
    services
        .store()
        .commit(Batch::single(Change::CreateUser(user.clone()), audit))
        .await
        .unwrap();
    user.id
}

pub fn backends() -> Vec<Option<String>> {
    let mut list = vec![None];
    if let Ok(url) = std::env::var("PORTCULLIS_TEST_POSTGRES_URL")
        && !url.is_empty()
    {
        list.push(Some(url));
    } else {
        eprintln!("PORTCULLIS_TEST_POSTGRES_URL not set: PostgreSQL run skipped");
    }
    list
}
