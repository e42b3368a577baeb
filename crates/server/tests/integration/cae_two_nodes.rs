//! Continuous access evaluation across nodes: two servers on one store (the way several
//! stateless nodes run behind a load balancer on PostgreSQL; also two processes on one
//! SQLite file). An administrator's change made through node A — disabling the user,
//! revoking their sessions — and the user's own "sign out everywhere" through node A
//! must end forward-auth sessions and refresh tokens answered by node B within seconds,
//! although node B cached both the session and the judgement before the change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::oidc_support;
use std::time::{Duration, Instant};

use common::{Backend, TestApp};
use oidc_support::*;
use portcullis_core::{AppPermission, Application, ApplicationId, ApplicationKind, ClientId};
use portcullis_server::config::FileConfig;
use portcullis_store::{Batch, Change};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

const HOST: &str = "wiki.two-nodes.test";
/// The issuer both nodes share, as behind one load balancer.
const PUBLIC_URL: &str = "http://portcullis.two-nodes.test";
/// How long a change may take to reach the other node.
const WITHIN: Duration = Duration::from_secs(5);

/// Starts one node on `backend` (already isolated) with `data_dir` (shared, so both
/// nodes hold the same key-encryption key, as `PORTCULLIS_SIGNING_KEY_ENCRYPTION_KEY`
/// would give them). `base` is this node's own address; the issuer is shared.
async fn node(backend: &Backend, data_dir: &std::path::Path) -> TestApp {
    let config = common::test_config(
        data_dir,
        backend,
        FileConfig {
            public_url: Some(PUBLIC_URL.into()),
            ..FileConfig::default()
        },
    );
    let app = portcullis_server::Application::build(config)
        .await
        .expect("node starts");
    let base = format!("http://{}", app.local_addr());
    let services = app.services().clone();
    let shutdown = app.shutdown_handle();
    let server = tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        client: reqwest::Client::new(),
        services,
        bootstrap_link: None,
        shutdown,
        data_dir: tempfile::tempdir().unwrap(),
        server,
    }
}

async fn forward_auth(node: &TestApp, cookie: &str) -> u16 {
    no_redirects()
        .get(node.url("/forward-auth/nginx"))
        .header("X-Forwarded-Method", "GET")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", HOST)
        .header("X-Forwarded-Uri", "/page")
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Polls node B until forward-auth answers `want`; how long it took (fails after WITHIN).
async fn until_forward_auth(node: &TestApp, cookie: &str, want: u16, what: &str) -> Duration {
    let start = Instant::now();
    loop {
        let got = forward_auth(node, cookie).await;
        if got == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < WITHIN,
            "{what}: node B still answers {got} after {WITHIN:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A refresh token obtained through node A.
async fn refresh_token_from(a: &TestApp, client: &OidcClient, cookie: &str) -> String {
    let body = tokens_for(a, cookie, client, "openid offline_access").await;
    body["refresh_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_through_one_node_end_access_on_the_other() {
    for backend in common::backends() {
        let backend = common::isolated(&backend).await;
        let data_dir = tempfile::tempdir().unwrap();
        let a = node(&backend, data_dir.path()).await;
        let b = node(&backend, data_dir.path()).await;
        let now = OffsetDateTime::now_utc();
        let wiki = Application {
            id: ApplicationId::from_uuid(Uuid::new_v4()),
            app_id: ClientId::from_uuid(Uuid::new_v4()),
            display_name: "Wiki".into(),
            kind: ApplicationKind::ForwardAuth,
            redirect_uris: vec![],
            granted_permissions: vec![],
            enabled: true,
            created_date_time: now,
            settings: json!({"host": HOST, "pathPrefix": "/"}),
        };
        a.store()
            .commit(Batch::new().change(Change::CreateApplication(wiki)))
            .await
            .unwrap();
        let client = register_oidc_client(&a, json!({}), true).await;
        let admin = a.admin_token().await;
        let revoker = a
            .register_client(&[AppPermission::UserRevokeSessionsAll], &[])
            .await;
        let revoker = a.token_for(&revoker).await;

        // 1. Disabled through node A's Graph API.
        let ada = create_user(&a, "ada").await;
        let (cookie, _) = sign_in(&a, &ada, &["pwd"]).await;
        let refresh_token = refresh_token_from(&a, &client, &cookie).await;
        assert_eq!(
            forward_auth(&b, &cookie).await,
            200,
            "node B sees the session"
        );
        let (status, rotated) = refresh(&b, &client, &refresh_token).await;
        assert_eq!(
            status, 200,
            "node B refreshes a token node A issued: {rotated}"
        );
        let refresh_token = rotated["refresh_token"].as_str().unwrap().to_owned();
        let (status, body) = a
            .patch(
                &format!("/v1.0/users/{}", ada.id),
                &admin,
                json!({"accountEnabled": false}),
            )
            .await;
        assert!(status < 300, "{status} {body}");
        let took = until_forward_auth(&b, &cookie, 401, "disabled on node A").await;
        eprintln!("{backend:?}: disabled on A, refused on B after {took:?}");
        let (status, body) = refresh(&b, &client, &refresh_token).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );

        // 2. Admin revoke through node A.
        let bob = create_user(&a, "bob").await;
        let (cookie, _) = sign_in(&a, &bob, &["pwd"]).await;
        let refresh_token = refresh_token_from(&a, &client, &cookie).await;
        assert_eq!(forward_auth(&b, &cookie).await, 200);
        let (status, body) = a
            .post(
                &format!("/v1.0/users/{}/revokeSignInSessions", bob.id),
                &revoker,
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let took = until_forward_auth(&b, &cookie, 401, "revoked on node A").await;
        eprintln!("{backend:?}: revoked on A, refused on B after {took:?}");
        let (status, body) = refresh(&b, &client, &refresh_token).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );

        // 3. The user signs out everywhere through node A; a second browser's session
        // on node B ends too.
        let cy = create_user(&a, "cy").await;
        let (here, _) = sign_in(&a, &cy, &["pwd"]).await;
        let (elsewhere, _) = sign_in(&a, &cy, &["pwd"]).await;
        assert_eq!(forward_auth(&b, &elsewhere).await, 200);
        let response = a
            .client
            .post(a.url("/api/v1/me/sessions/revokeAll"))
            .header("cookie", &here)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
        let took = until_forward_auth(&b, &elsewhere, 401, "signed out everywhere on A").await;
        eprintln!("{backend:?}: signed out everywhere on A, refused on B after {took:?}");

        // Nothing above was decided by node A's cache alone: node B still serves others.
        let dee = create_user(&a, "dee").await;
        let (cookie, _) = sign_in(&a, &dee, &["pwd"]).await;
        assert_eq!(forward_auth(&b, &cookie).await, 200);

        a.shutdown.shutdown();
        b.shutdown.shutdown();
    }
}
