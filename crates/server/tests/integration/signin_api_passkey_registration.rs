//! A native client creates a passkey in the sign-in's registration interrupt through the
//! JSON API, with a software authenticator making a real P-256 attestation, on SQLite and
//! (when `PORTCULLIS_TEST_POSTGRES_URL` is set) PostgreSQL: a malformed credential is
//! refused and the sign-in stays open; the right one is saved and counted as this
//! sign-in's second factor.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::{Backend, TestApp, backends, isolated, test_config};
use portcullis_core::AppPermission;
use portcullis_server::Application;
use portcullis_server::config::FileConfig;
use portcullis_server::signin_config::SignInSection;
use serde_json::{Value, json};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, Url};

const PASSWORD: &str = "correct horse battery staple";

/// A server whose public URL is `http://localhost:PORT` (a relying party WebAuthn
/// accepts), listening on that port.
async fn start(backend: &Backend) -> TestApp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data_dir = tempfile::tempdir().unwrap();
    let backend = isolated(backend).await;
    let mut config = test_config(
        data_dir.path(),
        &backend,
        FileConfig {
            signin: SignInSection {
                argon2_memory_kib: Some(8 * 1024),
                argon2_iterations: Some(1),
                argon2_parallelism: Some(1),
                ..SignInSection::default()
            },
            ..FileConfig::default()
        },
    );
    config.listen = format!("127.0.0.1:{port}").parse().unwrap();
    config.public_url = Some(format!("http://localhost:{port}"));
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

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_passkey_is_created_inside_the_sign_in_through_the_api_on_every_backend() {
    for backend in backends() {
        let app = start(&backend).await;
        app.require_mfa().await;
        let client = app
            .register_client(&[AppPermission::UserReadWriteAll], &[])
            .await;
        let token = app.token_for(&client).await;
        let (status, body) = app
            .post(
                "/v1.0/users",
                &token,
                json!({
                    "userPrincipalName": "ada@example.com", "displayName": "Ada",
                    "passwordProfile": {"password": PASSWORD, "forceChangePasswordNextSignIn": false}
                }),
            )
            .await;
        assert_eq!(status, 201, "{body}");

        let (_, begun) = post(
            &app,
            "/api/v1/signin",
            json!({"username": "ada@example.com"}),
        )
        .await;
        let transaction = begun["transaction"].as_str().unwrap().to_owned();
        let (_, body) = post(
            &app,
            &format!("/api/v1/signin/{transaction}/password"),
            json!({"password": PASSWORD}),
        )
        .await;
        assert_eq!(body["outcome"]["kind"], "registrationRequired", "{body}");
        assert!(
            body["outcome"]["methods"]
                .as_array()
                .unwrap()
                .contains(&json!("fido2")),
            "{body}"
        );
        let options_path = format!("/api/v1/signin/{transaction}/register/passkey/options");
        let finish = format!("/api/v1/signin/{transaction}/register/passkey");

        // Bad input: refused with a reason, the sign-in stays open.
        let (status, body) = post(&app, &finish, json!({"credential": {"id": "nope"}})).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "registrationRefused", "{body}");
        let (status, body) = post(&app, &finish, json!({"passkey": {}})).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (400, &json!("invalidRequest"))
        );
        let (status, _) = post(
            &app,
            "/api/v1/signin/not-a-transaction/register/passkey/options",
            json!({}),
        )
        .await;
        assert_eq!(status, 404);

        let (status, options) = post(&app, &options_path, json!({})).await;
        assert_eq!(status, 200, "{options}");
        let options: CreationChallengeResponse =
            serde_json::from_value(options["passkeyOptions"].clone()).unwrap();
        let mut authenticator = SoftPasskey::new(true);
        let origin = Url::parse(&app.base).unwrap();
        let credential = authenticator.do_registration(origin, options).unwrap();
        let (status, body) = post(
            &app,
            &finish,
            json!({"credential": serde_json::to_value(&credential).unwrap()}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
        let amr = body["outcome"]["amr"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(amr.contains(&json!("mfa")), "{body}");
    }
}
