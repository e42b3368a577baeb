//! User risk end to end, on SQLite and (with `PORTCULLIS_TEST_POSTGRES_URL`) PostgreSQL:
//! a "this wasn't me" detection makes a `userRiskLevels: ["high"]` policy block the
//! user's next sign-in (53003, logged with the risk), ends their refresh tokens, and the
//! Graph `identityProtection` API lists, confirms, dismisses, with least privilege and
//! audit; a secure password change remediates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::oidc_support;
use common::password_users::{add_password, spawn_cheap_argon2};
use common::{Backend, TestApp, assert_graph_error, backends};
use portcullis_core::{AppPermission, DirectoryRole, RiskEvent, RiskEventId, SignIn, User, UserId};
use portcullis_server::signin_config::SignInSection;
use portcullis_service::risk::{Remediation, remediate_user_risk};
use portcullis_store::{AuditQuery, Batch, Change, PolicyKind, Precondition, SignInQuery};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";

async fn start(backend: &Backend) -> TestApp {
    spawn_cheap_argon2(backend, SignInSection::default()).await
}

/// A user with a password, straight in the store.
async fn user_with_password(app: &TestApp, name: &str) -> User {
    let user = oidc_support::create_user(app, name).await;
    add_password(app, &user.id, PASSWORD).await;
    user
}

/// What the push service appends when the user answers "report suspicious".
fn fraud_report(user: &User) -> RiskEvent {
    RiskEvent {
        id: RiskEventId::from_uuid(Uuid::new_v4()),
        user_id: Some(user.id.clone()),
        user_principal_name: Some(user.user_principal_name.clone()),
        risk_event_type: "userReportedSuspiciousActivity".into(),
        risk_level: "high".into(),
        risk_state: "atRisk".into(),
        risk_detail: Some("userReportedSuspiciousActivity".into()),
        detection_timing_type: "realtime".into(),
        detected_date_time: OffsetDateTime::now_utc(),
        ip_address: Some("198.51.100.7".into()),
        sign_in_id: None,
        additional_info: json!([{"Key": "source", "Value": "End user reported"}]),
    }
}

async fn block_high_user_risk(app: &TestApp) {
    let policy = json!({
        "id": "block-risky-users", "displayName": "Block high user risk", "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
            "userRiskLevels": ["high"]
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    });
    app.store()
        .commit(Batch::new().change(Change::PutPolicy {
            kind: PolicyKind::ConditionalAccessPolicy,
            id: "block-risky-users".into(),
            json: policy,
            precondition: Precondition::None,
            at: OffsetDateTime::now_utc(),
        }))
        .await
        .unwrap();
}

/// A password sign-in through the JSON API: the step's answer.
async fn password_sign_in(app: &TestApp, upn: &str) -> Value {
    let post = |path: String, body: Value| async move {
        let response = app
            .client
            .post(app.url(&path))
            .json(&body)
            .send()
            .await
            .unwrap();
        response.json::<Value>().await.unwrap()
    };
    let begun = post("/api/v1/signin".into(), json!({"username": upn})).await;
    let transaction = begun["transaction"].as_str().unwrap().to_owned();
    post(
        format!("/api/v1/signin/{transaction}/password"),
        json!({"password": PASSWORD}),
    )
    .await
}

async fn last_sign_in(app: &TestApp, user: &UserId) -> SignIn {
    let log = app
        .store()
        .query_sign_ins(&SignInQuery {
            limit: 100,
            ..SignInQuery::default()
        })
        .await
        .unwrap();
    log.items
        .into_iter()
        .find(|entry| entry.user_id.as_ref() == Some(user))
        .expect("a sign-in log entry for the user")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fraud_report_blocks_the_next_sign_in_until_remediated() {
    for backend in backends() {
        let app = start(&backend).await;
        let ada = user_with_password(&app, "ada").await;
        block_high_user_risk(&app).await;
        // Not risky yet: the policy does not apply.
        let answer = password_sign_in(&app, &ada.user_principal_name).await;
        assert_eq!(answer["outcome"]["kind"], "done", "{answer}");
        let entry = last_sign_in(&app, &ada.id).await;
        assert_eq!(entry.risk_level_aggregated.as_deref(), Some("none"));

        app.store()
            .append_risk_event(&fraud_report(&ada))
            .await
            .unwrap();
        let answer = password_sign_in(&app, &ada.user_principal_name).await;
        assert_eq!(answer["outcome"]["kind"], "blocked", "{answer}");
        assert_eq!(answer["error"]["code"], 53003, "{answer}");
        let entry = last_sign_in(&app, &ada.id).await;
        assert_eq!(entry.status.error_code, 53003);
        assert_eq!(entry.conditional_access_status.as_str(), "failure");
        assert_eq!(entry.risk_level_aggregated.as_deref(), Some("high"));
        assert_eq!(entry.risk_state.as_deref(), Some("atRisk"));
        let applied = serde_json::to_string(&entry.applied_conditional_access_policies).unwrap();
        assert!(applied.contains("block-risky-users"), "{applied}");

        // A secure password change remediates: the next sign-in passes and says so.
        let now = OffsetDateTime::now_utc();
        let store = app.store().as_ref();
        assert!(
            remediate_user_risk(store, &ada.id, Remediation::SecuredPasswordReset, now)
                .await
                .unwrap()
        );
        assert!(
            !remediate_user_risk(store, &ada.id, Remediation::SecuredPasswordReset, now)
                .await
                .unwrap(),
            "nothing left to remediate"
        );
        let answer = password_sign_in(&app, &ada.user_principal_name).await;
        assert_eq!(answer["outcome"]["kind"], "done", "{answer}");
        let entry = last_sign_in(&app, &ada.id).await;
        assert_eq!(entry.risk_level_aggregated.as_deref(), Some("none"));
        assert_eq!(entry.risk_state.as_deref(), Some("remediated"));
        assert_eq!(
            entry.risk_detail.as_deref(),
            Some("userPerformedSecuredPasswordReset")
        );
        let audit = app
            .store()
            .query_audit(&AuditQuery {
                limit: 100,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert!(
            audit
                .items
                .iter()
                .any(|record| record.activity_display_name == "Remediate user risk"),
            "remediation is audited"
        );
        app.shutdown.shutdown();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fraud_report_ends_refresh_tokens() {
    use oidc_support::{register_oidc_client, sign_in, token, tokens_for};
    for backend in backends() {
        let app = common::spawn_with(&backend, Default::default()).await;
        let client = register_oidc_client(
            &app,
            json!({"grantTypes": ["authorization_code", "refresh_token"]}),
            true,
        )
        .await;
        let user = oidc_support::create_user(&app, "rio").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let tokens = tokens_for(&app, &cookie, &client, "openid offline_access").await;
        let refresh = |token_text: String| {
            let app = &app;
            let client = &client;
            async move {
                token(
                    app,
                    client,
                    &[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", &token_text),
                    ],
                )
                .await
            }
        };
        // Medium risk does not end the session; the issuance is judged and logged with it.
        let mut medium = fraud_report(&user);
        medium.risk_level = "medium".into();
        app.store().append_risk_event(&medium).await.unwrap();
        let (status, rotated) = refresh(tokens["refresh_token"].as_str().unwrap().into()).await;
        assert_eq!(status, 200, "{rotated}");
        let logged = last_sign_in(&app, &user.id).await;
        assert_eq!(logged.status.error_code, 0);
        assert_eq!(logged.risk_level_aggregated.as_deref(), Some("medium"));
        assert_eq!(logged.risk_state.as_deref(), Some("atRisk"));
        app.store()
            .append_risk_event(&fraud_report(&user))
            .await
            .unwrap();
        let (status, body) = refresh(rotated["refresh_token"].as_str().unwrap().into()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
        assert!(
            body["error_description"].as_str().unwrap().contains("risk"),
            "{body}"
        );
        app.shutdown.shutdown();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn risky_users_api_lists_confirms_dismisses_with_least_privilege() {
    for backend in backends() {
        let app = common::spawn_with(&backend, Default::default()).await;
        let ada = oidc_support::create_user(&app, "ada").await;
        let bob = oidc_support::create_user(&app, "bob").await;
        let mut medium = fraud_report(&bob);
        medium.risk_level = "medium".into();
        app.store()
            .append_risk_event(&fraud_report(&ada))
            .await
            .unwrap();
        app.store().append_risk_event(&medium).await.unwrap();

        let reader_app = app
            .register_client(&[AppPermission::IdentityRiskyUserReadAll], &[])
            .await;
        let reader = app.token_for(&reader_app).await;
        let operator_app = app
            .register_client(&[], &[DirectoryRole::SecurityOperator])
            .await;
        let operator = app.token_for(&operator_app).await;
        let helpdesk_app = app
            .register_client(&[], &[DirectoryRole::HelpdeskAdministrator])
            .await;
        let helpdesk = app.token_for(&helpdesk_app).await;

        let (status, list) = app
            .get("/v1.0/identityProtection/riskyUsers", &reader)
            .await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["value"].as_array().unwrap().len(), 2, "{list}");
        let (status, high) = app
            .get(
                "/v1.0/identityProtection/riskyUsers?$filter=riskLevel%20eq%20'high'",
                &reader,
            )
            .await;
        assert_eq!(status, 200, "{high}");
        let high = high["value"].as_array().unwrap();
        assert_eq!(high.len(), 1);
        assert_eq!(high[0]["id"], ada.id.as_str());
        assert_eq!(high[0]["riskState"], "atRisk");
        assert_eq!(
            high[0]["userPrincipalName"],
            ada.user_principal_name.as_str()
        );
        assert_eq!(high[0]["isDeleted"], false);
        let (status, one) = app
            .get(
                &format!("/v1.0/identityProtection/riskyUsers/{}", bob.id),
                &reader,
            )
            .await;
        assert_eq!(status, 200, "{one}");
        assert_eq!(one["riskLevel"], "medium");
        let (status, detections) = app
            .get(
                &format!(
                    "/v1.0/identityProtection/riskDetections?$filter=userId%20eq%20'{}'",
                    ada.id
                ),
                &reader,
            )
            .await;
        assert_eq!(status, 200, "{detections}");
        let detections = detections["value"].as_array().unwrap();
        assert_eq!(detections.len(), 1);
        assert_eq!(
            detections[0]["riskEventType"],
            "userReportedSuspiciousActivity"
        );
        assert_eq!(detections[0]["source"], "End user reported");
        assert!(detections[0]["additionalInfo"].is_string());

        // Readers cannot act; the helpdesk cannot even read; bad bodies say why.
        let body = json!({"userIds": [bob.id.as_str()]});
        let audit_before = app.audit_len().await;
        let refused = app
            .post(
                "/v1.0/identityProtection/riskyUsers/dismiss",
                &reader,
                body.clone(),
            )
            .await;
        assert_graph_error(&refused, 403, "Authorization_RequestDenied");
        let refused = app
            .get("/v1.0/identityProtection/riskyUsers", &helpdesk)
            .await;
        assert_graph_error(&refused, 403, "Authorization_RequestDenied");
        let bad = app
            .post(
                "/v1.0/identityProtection/riskyUsers/dismiss",
                &operator,
                json!({"userIds": ["nope"]}),
            )
            .await;
        assert_eq!(bad.0, 400, "{}", bad.1);
        assert_eq!(
            app.audit_len().await,
            audit_before,
            "refusals write nothing"
        );

        let (status, _) = app
            .post(
                "/v1.0/identityProtection/riskyUsers/confirmCompromised",
                &operator,
                body.clone(),
            )
            .await;
        assert_eq!(status, 204);
        let (_, one) = app
            .get(
                &format!("/v1.0/identityProtection/riskyUsers/{}", bob.id),
                &reader,
            )
            .await;
        assert_eq!(one["riskLevel"], "high");
        assert_eq!(one["riskState"], "confirmedCompromised");
        assert_eq!(one["riskDetail"], "adminConfirmedUserCompromised");

        let (status, _) = app
            .post(
                "/v1.0/identityProtection/riskyUsers/dismiss",
                &operator,
                body,
            )
            .await;
        assert_eq!(status, 204);
        let (_, one) = app
            .get(
                &format!("/v1.0/identityProtection/riskyUsers/{}", bob.id),
                &reader,
            )
            .await;
        assert_eq!(one["riskLevel"], "none");
        assert_eq!(one["riskState"], "dismissed");
        assert_eq!(one["riskDetail"], "adminDismissedAllRiskForUser");
        let (_, dismissed) = app
            .get(
                "/v1.0/identityProtection/riskyUsers?$filter=riskState%20eq%20'dismissed'",
                &reader,
            )
            .await;
        assert_eq!(dismissed["value"].as_array().unwrap().len(), 1);
        assert_eq!(app.audit_len().await, audit_before + 2);
        let audit = app
            .store()
            .query_audit(&AuditQuery {
                limit: 10,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        let activities: Vec<_> = audit
            .items
            .iter()
            .map(|record| record.activity_display_name.as_str())
            .collect();
        assert!(
            activities.contains(&"Confirm user compromised"),
            "{activities:?}"
        );
        assert!(activities.contains(&"Dismiss user risk"), "{activities:?}");

        let unknown = app
            .get(
                &format!("/v1.0/identityProtection/riskyUsers/{}", Uuid::new_v4()),
                &reader,
            )
            .await;
        assert_graph_error(&unknown, 404, "Request_ResourceNotFound");
        app.shutdown.shutdown();
    }
}
