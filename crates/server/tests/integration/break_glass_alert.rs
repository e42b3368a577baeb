//! Every sign-in attempt by a break-glass account, successful or not, raises an alert
//! (an audit entry the portal's overview lists); nobody else's does. On SQLite and
//! (when `PORTCULLIS_TEST_POSTGRES_URL` is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::password_users::{create_user_with_password, spawn_cheap_argon2};
use common::{Backend, TestApp, backends};
use portcullis_core::UserId;
use portcullis_server::signin_config::SignInSection;
use portcullis_service::signin::BREAK_GLASS_SIGN_IN_ACTIVITY;
use portcullis_store::{AuditField, AuditQuery, Batch, Change, Filter, FilterValue};
use serde_json::{Value, json};
use time::OffsetDateTime;

const PASSWORD: &str = "correct horse battery staple 42";

async fn start(backend: &Backend) -> TestApp {
    spawn_cheap_argon2(backend, SignInSection::default()).await
}

async fn create_user(app: &TestApp, upn: &str) -> UserId {
    create_user_with_password(app, upn, PASSWORD).await
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

/// A password sign-in through the JSON API; the log's error code of its outcome.
async fn sign_in(app: &TestApp, upn: &str, password: &str) {
    let (status, body) = post(app, "/api/v1/signin", json!({"username": upn})).await;
    assert_eq!(status, 200, "{body}");
    let transaction = body["transaction"].as_str().unwrap();
    let (status, body) = post(
        app,
        &format!("/api/v1/signin/{transaction}/password"),
        json!({"password": password}),
    )
    .await;
    assert!(
        status == 200 || status == 401 || status == 400,
        "{status} {body}"
    );
}

async fn alerts(app: &TestApp) -> Vec<portcullis_core::AuditRecord> {
    app.store()
        .query_audit(&AuditQuery {
            filter: Some(Filter::Eq(
                AuditField::ActivityDisplayName,
                FilterValue::Text(BREAK_GLASS_SIGN_IN_ACTIVITY.to_owned()),
            )),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .items
}

fn detail(record: &portcullis_core::AuditRecord, key: &str) -> String {
    record
        .additional_details
        .iter()
        .find(|d| d.key == key)
        .map(|d| d.value.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn break_glass_sign_ins_raise_an_alert_and_others_do_not() {
    for backend in backends() {
        let app = start(&backend).await;
        let ada = create_user(&app, "ada@example.com").await;
        let emergency = create_user(&app, "emergency@example.com").await;

        // Before the mark: nobody's sign-in alerts (and the pipeline caches the
        // configuration without marks).
        sign_in(&app, "emergency@example.com", PASSWORD).await;
        assert!(alerts(&app).await.is_empty(), "{backend:?}");

        app.store()
            .commit(Batch::new().change(Change::MarkBreakGlass {
                user: emergency.clone(),
                at: OffsetDateTime::now_utc(),
            }))
            .await
            .unwrap();

        // A failed and a successful attempt both alert, each naming its sign-in.
        sign_in(&app, "emergency@example.com", "wrong password 1").await;
        sign_in(&app, "emergency@example.com", PASSWORD).await;
        // An ordinary user does not.
        sign_in(&app, "ada@example.com", PASSWORD).await;
        let raised = alerts(&app).await;
        assert_eq!(raised.len(), 2, "{backend:?}: {raised:?}");
        assert_eq!(detail(&raised[0], "signInResult"), "success");
        assert!(
            detail(&raised[1], "signInResult").starts_with("failure ("),
            "{raised:?}"
        );
        for record in &raised {
            assert_eq!(record.target_resources[0].id, emergency.to_string());
            let sign_in_id = portcullis_core::SignInId::parse(&detail(record, "signInId")).unwrap();
            let logged = app.store().get_sign_in(&sign_in_id).await.unwrap();
            assert_eq!(logged.user_id.as_ref(), Some(&emergency));
        }
        assert!(
            raised
                .iter()
                .all(|r| r.target_resources[0].id != ada.to_string())
        );

        // Unmarked: alerts stop.
        app.store()
            .commit(Batch::new().change(Change::UnmarkBreakGlass(emergency.clone())))
            .await
            .unwrap();
        sign_in(&app, "emergency@example.com", PASSWORD).await;
        assert_eq!(alerts(&app).await.len(), 2, "{backend:?}");
    }
}
