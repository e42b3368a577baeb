//! The first-start link: the page, its single use, and the client address that the
//! audit record names (trusted-proxy handling of `X-Forwarded-For`).
#![allow(clippy::unwrap_used)]

use crate::common;
use portcullis_server::config::HttpSection;
use serde_json::Value;

fn token_of(link: &str) -> String {
    link.split("token=").nth(1).unwrap().to_owned()
}

async fn submit(
    app: &common::TestApp,
    token: &str,
    upn: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (u16, String) {
    let mut request = app.client.post(app.url("/bootstrap")).form(&[
        ("token", token),
        ("userPrincipalName", upn),
        ("displayName", "First Admin"),
        ("password", password),
    ]);
    if let Some(xff) = forwarded_for {
        request = request.header("x-forwarded-for", xff);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn audit_ip(app: &common::TestApp) -> Value {
    let token = app.admin_token().await;
    let (_, audit) = app
        .get("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Complete first administrator setup'", &token)
        .await;
    audit["value"][0]["initiatedBy"]["user"]["ipAddress"].clone()
}

#[tokio::test]
async fn first_start_link_creates_one_global_administrator_once() {
    let app = common::spawn().await;
    let link = app
        .bootstrap_link
        .clone()
        .expect("a fresh installation prints a link");
    assert!(link.starts_with(&format!("{}/bootstrap?token=pcb_", app.base)));
    let token = token_of(&link);

    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(page.text().await.unwrap().contains("<form"));
    let wrong = app
        .client
        .get(app.url("/bootstrap?token=pcb_wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);

    // Too short a password: the form comes back, the link still works.
    let (status, body) = submit(&app, &token, "root@example.com", "short", None).await;
    assert_eq!(status, 400);
    assert!(body.contains("at least 12"), "{body}");

    let (status, body) = submit(
        &app,
        &token,
        "root@example.com",
        "a long enough password",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("root@example.com"));
    assert!(app.services.global_admin_exists().await.unwrap());

    // Single use.
    let (status, _) = submit(
        &app,
        &token,
        "second@example.com",
        "a long enough password",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(app.client.get(&link).send().await.unwrap().status(), 404);

    // The administrator has an argon2id password, never the clear text.
    let admin = app
        .store()
        .find_user_by_upn("root@example.com")
        .await
        .unwrap()
        .unwrap();
    let credentials = app.store().list_credentials(&admin.id).await.unwrap();
    assert_eq!(credentials.len(), 1);
    assert!(
        credentials[0].payload["phc"]
            .as_str()
            .unwrap()
            .starts_with("$argon2id$")
    );
    assert!(
        !credentials[0]
            .payload
            .to_string()
            .contains("a long enough password")
    );

    // Without trusted proxies the TCP peer is the client, whatever the header says.
    assert_eq!(audit_ip(&app).await, "127.0.0.1");
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let app = common::spawn_with(
        &common::Backend::Sqlite,
        HttpSection {
            trusted_proxies: Some(vec!["127.0.0.0/8".into(), "10.0.0.0/8".into()]),
            ..Default::default()
        },
    )
    .await;
    let token = token_of(app.bootstrap_link.as_deref().unwrap());
    // The client forged 6.6.6.6; the outer proxy appended 203.0.113.7, an inner trusted
    // proxy 10.1.2.3; the TCP peer (127.0.0.1) is trusted too.
    let (status, body) = submit(
        &app,
        &token,
        "root@example.com",
        "a long enough password",
        Some("6.6.6.6, 203.0.113.7, 10.1.2.3"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(audit_ip(&app).await, "203.0.113.7");
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = common::spawn_with(
        &common::Backend::Sqlite,
        HttpSection {
            trusted_proxies: Some(vec!["10.0.0.0/8".into()]),
            ..Default::default()
        },
    )
    .await;
    let token = token_of(app.bootstrap_link.as_deref().unwrap());
    let (status, _) = submit(
        &app,
        &token,
        "root@example.com",
        "a long enough password",
        Some("203.0.113.7"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(audit_ip(&app).await, "127.0.0.1");
}

#[tokio::test]
async fn a_restart_with_an_administrator_prints_no_link() {
    let app = common::spawn().await;
    let token = token_of(app.bootstrap_link.as_deref().unwrap());
    assert_eq!(
        submit(
            &app,
            &token,
            "root@example.com",
            "a long enough password",
            None
        )
        .await
        .0,
        200
    );
    assert!(app.services.first_start_link().await.unwrap().is_none());
}

#[tokio::test]
async fn the_offline_bootstrap_link_sets_the_existing_administrators_password() {
    let app = common::spawn().await;
    let outcome = app
        .services
        .offline_bootstrap("ops@example.com", false)
        .await
        .unwrap();
    assert!(
        outcome
            .sign_in_url
            .starts_with(&format!("{}/bootstrap?token=", app.base))
    );
    let page = app
        .client
        .get(&outcome.sign_in_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("ops@example.com") && page.contains("readonly"),
        "{page}"
    );
    let token = token_of(&outcome.sign_in_url);
    let (status, body) = submit(
        &app,
        &token,
        "ops@example.com",
        "another long password",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let admin = app
        .store()
        .find_user_by_upn("ops@example.com")
        .await
        .unwrap()
        .unwrap();
    let credentials = app.store().list_credentials(&admin.id).await.unwrap();
    assert_eq!(credentials.len(), 1);
    // Only one administrator: the link did not create a second user.
    let users = app.store().count_users(None).await.unwrap();
    assert_eq!(users, 1);
}
