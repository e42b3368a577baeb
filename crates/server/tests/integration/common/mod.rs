//! Starts a real Portcullis on port 0 with a temporary data directory and drives it
//! over HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod password_users;

use std::sync::Arc;

use portcullis_core::{
    AppPermission, Application as AppRecord, ApplicationId, ApplicationKind, ApplicationSecret,
    ClientId, DirectoryRole, Principal, RoleAssignment, RoleAssignmentId, SecretId,
};
use portcullis_server::config::{FileConfig, HttpSection};
use portcullis_server::{Application, Config};
use portcullis_service::Services;
use portcullis_store::{Batch, Change, PolicyKind, Precondition, Store};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub services: Services,
    pub bootstrap_link: Option<String>,
    pub shutdown: portcullis_server::listener::ShutdownHandle,
    pub data_dir: tempfile::TempDir,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Which store a test runs against.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// SQLite always; PostgreSQL too when `PORTCULLIS_TEST_POSTGRES_URL` is set. Under
/// `CI=true` a missing URL is a failure, never a silent skip.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    match std::env::var("PORTCULLIS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => list.push(Backend::Postgres(url)),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but PORTCULLIS_TEST_POSTGRES_URL is not set: the PostgreSQL API tests must run in CI"
            );
            eprintln!(
                "PORTCULLIS_TEST_POSTGRES_URL not set: PostgreSQL API tests skipped (local run)"
            );
        }
    }
    list
}

pub fn test_config(data_dir: &std::path::Path, backend: &Backend, layer: FileConfig) -> Config {
    Config::from_layers(FileConfig {
        listen: Some("127.0.0.1:0".into()),
        data_dir: Some(data_dir.to_owned()),
        database_url: match backend {
            Backend::Sqlite => None,
            Backend::Postgres(url) => Some(url.clone()),
        },
        ..layer
    })
    .unwrap()
}

pub async fn spawn() -> TestApp {
    spawn_with(&Backend::Sqlite, HttpSection::default()).await
}

/// Every test gets its own PostgreSQL schema, so tests sharing one server stay apart.
pub async fn isolated(backend: &Backend) -> Backend {
    let Backend::Postgres(url) = backend else {
        return backend.clone();
    };
    let schema = format!("t_{}", Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let separator = if url.contains('?') { '&' } else { '?' };
    Backend::Postgres(format!(
        "{url}{separator}options=-c%20search_path%3D{schema}"
    ))
}

pub async fn spawn_with(backend: &Backend, http: HttpSection) -> TestApp {
    spawn_with_config(
        backend,
        FileConfig {
            http,
            ..FileConfig::default()
        },
    )
    .await
}

/// Starts with any configuration layer (listen, data dir and database are the test's).
pub async fn spawn_with_config(backend: &Backend, layer: FileConfig) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap();
    let backend = isolated(backend).await;
    let config = test_config(data_dir.path(), &backend, layer);
    let app = Application::build(config)
        .await
        .expect("application starts");
    let base = app.public_url().to_owned();
    let services = app.services().clone();
    let bootstrap_link = app.bootstrap_link().map(str::to_owned);
    let shutdown = app.shutdown_handle();
    let server = tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        client: reqwest::Client::new(),
        services,
        bootstrap_link,
        shutdown,
        data_dir,
        server,
    }
}

/// A registered client application and its secret.
pub struct Client {
    pub object_id: String,
    pub client_id: String,
    pub secret: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        self.services.store()
    }

    /// An enabled Conditional Access policy "Require MFA" for every user and
    /// application, straight in the store.
    pub async fn require_mfa(&self) {
        let policy = json!({
            "id": "mfa", "displayName": "Require MFA", "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"]
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
        });
        self.store()
            .commit(Batch::new().change(Change::PutPolicy {
                kind: PolicyKind::ConditionalAccessPolicy,
                id: "mfa".into(),
                json: policy,
                precondition: Precondition::None,
                at: OffsetDateTime::now_utc(),
            }))
            .await
            .unwrap();
    }

    /// Registers an application with Graph permissions and directory roles, straight in
    /// the store (the API has no application endpoints yet).
    pub async fn register_client(
        &self,
        permissions: &[AppPermission],
        roles: &[DirectoryRole],
    ) -> Client {
        let now = OffsetDateTime::now_utc();
        let app = AppRecord {
            id: ApplicationId::from_uuid(Uuid::new_v4()),
            app_id: ClientId::from_uuid(Uuid::new_v4()),
            display_name: "test client".into(),
            kind: ApplicationKind::Automation,
            redirect_uris: vec![],
            granted_permissions: permissions.to_vec(),
            enabled: true,
            created_date_time: now,
            settings: Value::Null,
        };
        let secret = portcullis_service::secrets::new_secret("pcs_").unwrap();
        let mut batch = Batch::new()
            .change(Change::CreateApplication(app.clone()))
            .change(Change::AddApplicationSecret(ApplicationSecret {
                key_id: SecretId::from_uuid(Uuid::new_v4()),
                application_id: app.id.clone(),
                display_name: "test".into(),
                hint: secret.hint.clone(),
                secret_hash: secret.hash.clone(),
                start_date_time: now,
                end_date_time: None,
            }));
        for role in roles {
            batch = batch.change(Change::AssignRole(RoleAssignment {
                id: RoleAssignmentId::from_uuid(Uuid::new_v4()),
                principal: Principal::Application(app.id.clone()),
                role: *role,
                directory_scope_id: "/".into(),
                created_date_time: now,
            }));
        }
        self.store().commit(batch).await.unwrap();
        Client {
            object_id: app.id.to_string(),
            client_id: app.app_id.to_string(),
            secret: secret.plaintext,
        }
    }

    pub async fn token_for(&self, client: &Client) -> String {
        let response = self
            .client
            .post(self.url("/oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client.client_id.as_str()),
                ("client_secret", client.secret.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A token with every permission the bootstrap automation client gets.
    pub async fn admin_token(&self) -> String {
        let client = self
            .register_client(portcullis_service::bootstrap::AUTOMATION_PERMISSIONS, &[])
            .await;
        self.token_for(&client).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(json!(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PATCH, path, token, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> (u16, Value) {
        self.send(reqwest::Method::DELETE, path, token, None).await
    }

    /// The audit chain's length, to prove a refused request wrote nothing.
    pub async fn audit_len(&self) -> i64 {
        self.store().audit_chain_head().await.unwrap().seq
    }
}

/// Asserts a Graph error with this status and code.
pub fn assert_graph_error(result: &(u16, Value), status: u16, code: &str) {
    assert_eq!(result.0, status, "unexpected status, body: {}", result.1);
    assert_eq!(
        result.1["error"]["code"], code,
        "unexpected error body: {}",
        result.1
    );
    assert!(
        result.1["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "error without message: {}",
        result.1
    );
}
