//! The sign-in's interrupts through the JSON API against a real server, on SQLite and
//! (when `PORTCULLIS_TEST_POSTGRES_URL` is set) PostgreSQL: a user without a method
//! registers an authenticator app inside the sign-in and finishes it; a password an
//! administrator marked "change at next sign-in" is changed under the password rules,
//! and the change ends the user's older sessions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::password_users::spawn_cheap_argon2;
use common::{Backend, TestApp, backends};
use portcullis_authn::totp::{Totp, TotpConfig, TotpSecret};
use portcullis_core::{AppPermission, UserId};
use portcullis_server::signin_config::{PasswordsSection, SignInSection};
use portcullis_store::{AuditQuery, Batch, Change, PolicyKind, Precondition, SignInQuery};
use serde_json::{Value, json};
use time::OffsetDateTime;

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "violet harbour engine 1842";

async fn start(backend: &Backend) -> TestApp {
    spawn_cheap_argon2(
        backend,
        SignInSection {
            passwords: Some(PasswordsSection {
                banned_words: Some(vec!["contoso".into()]),
                ..PasswordsSection::default()
            }),
            ..SignInSection::default()
        },
    )
    .await
}

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    post_as(app, path, body, None).await
}

async fn post_as(app: &TestApp, path: &str, body: Value, token: Option<&str>) -> (u16, Value) {
    let mut request = app.client.post(app.url(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// An admin token with User.ReadWrite.All, and a user created through the Graph API.
async fn create_user(app: &TestApp, upn: &str, force_change: bool) -> (String, UserId) {
    let client = app
        .register_client(
            &[
                AppPermission::UserReadWriteAll,
                AppPermission::UserAuthenticationMethodReadWriteAll,
            ],
            &[],
        )
        .await;
    let token = app.token_for(&client).await;
    let (status, body) = post_as(
        app,
        "/v1.0/users",
        json!({
            "userPrincipalName": upn, "displayName": "Ada Lovelace",
            "passwordProfile": {"password": PASSWORD, "forceChangePasswordNextSignIn": force_change}
        }),
        Some(&token),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (token, UserId::parse(body["id"].as_str().unwrap()).unwrap())
}

/// Begins a sign-in and answers the password.
async fn password_step(app: &TestApp, upn: &str, password: &str) -> (String, Value) {
    let (status, body) = post(app, "/api/v1/signin", json!({"username": upn})).await;
    assert_eq!(status, 200, "{body}");
    let transaction = body["transaction"].as_str().unwrap().to_owned();
    let (status, body) = post(
        app,
        &format!("/api/v1/signin/{transaction}/password"),
        json!({"password": password}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    (transaction, body)
}

fn code_now(secret: &str) -> String {
    Totp::new(
        TotpSecret::from_base32(secret).unwrap(),
        TotpConfig::default(),
    )
    .code_at(OffsetDateTime::now_utc())
    .unwrap()
}

async fn audit_activities(app: &TestApp) -> Vec<String> {
    app.store()
        .query_audit(&AuditQuery {
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .items
        .iter()
        .map(|record| record.activity_display_name.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_user_without_methods_registers_an_app_inside_the_sign_in() {
    for backend in backends() {
        let app = start(&backend).await;
        app.require_mfa().await;
        create_user(&app, "ada@example.com", false).await;
        let (transaction, body) = password_step(&app, "ada@example.com", PASSWORD).await;
        assert_eq!(body["outcome"]["kind"], "registrationRequired", "{body}");
        assert!(
            body["outcome"]["methods"]
                .as_array()
                .unwrap()
                .contains(&json!("totp")),
            "{body}"
        );
        let register = format!("/api/v1/signin/{transaction}/register/totp");
        let verify = format!("/api/v1/signin/{transaction}/register/totp/verify");

        // A wrong first code ends that secret; the sign-in stays open.
        let (status, setup) = post(&app, &register, json!({})).await;
        assert_eq!(status, 200, "{setup}");
        assert!(
            setup["uri"]
                .as_str()
                .unwrap()
                .starts_with("otpauth://totp/")
        );
        assert_eq!(setup["account"], "ada@example.com");
        let wrong = if code_now(setup["secret"].as_str().unwrap()) == "000000" {
            "111111"
        } else {
            "000000"
        };
        let (status, body) = post(&app, &verify, json!({"code": wrong})).await;
        assert_eq!((status, &body["error"]["code"]), (400, &json!("wrongCode")));
        let (status, body) = post(
            &app,
            &verify,
            json!({"code": code_now(setup["secret"].as_str().unwrap())}),
        )
        .await;
        assert_eq!(status, 403, "the ended secret is not accepted: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("start again")
        );

        // A new secret, verified: the app counts as this sign-in's second factor.
        let (_, setup) = post(&app, &register, json!({})).await;
        let (status, body) = post(
            &app,
            &verify,
            json!({"code": code_now(setup["secret"].as_str().unwrap())}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
        assert_eq!(body["outcome"]["amr"], json!(["pwd", "otp", "mfa"]));
        assert!(
            audit_activities(&app)
                .await
                .contains(&"User registered security info".to_owned())
        );
        // The interrupt and the completion are both in the sign-in log.
        let log = app
            .store()
            .query_sign_ins(&SignInQuery {
                limit: 10,
                ..SignInQuery::default()
            })
            .await
            .unwrap()
            .items;
        let codes: Vec<i64> = log
            .iter()
            .map(|entry| i64::from(entry.status.error_code))
            .collect();
        assert!(codes.contains(&50072) && codes.contains(&0), "{codes:?}");

        // Registering again in a finished sign-in is refused.
        let (status, _) = post(&app, &register, json!({})).await;
        assert_eq!(status, 404);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forced_password_change_checks_the_rules_and_ends_older_sessions() {
    for backend in backends() {
        let app = start(&backend).await;
        let (admin, user) = create_user(&app, "ada.lovelace@example.com", false).await;
        // A session from before the change.
        let (_, body) = password_step(&app, "ada.lovelace@example.com", PASSWORD).await;
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
        let old_session = body["session"]["token"].as_str().unwrap().to_owned();
        let sessions = app.services.sessions();
        let now = OffsetDateTime::now_utc;
        assert!(
            sessions
                .resolve_cookie(&old_session, now())
                .await
                .unwrap()
                .is_ok()
        );

        // The admin asks for a change at next sign-in (no new password).
        let response = app
            .client
            .patch(app.url(&format!("/v1.0/users/{user}")))
            .bearer_auth(&admin)
            .json(&json!({"passwordProfile": {"forceChangePasswordNextSignIn": true}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 204);

        let (transaction, body) = password_step(&app, "ada.lovelace@example.com", PASSWORD).await;
        assert_eq!(body["outcome"]["kind"], "passwordChangeRequired", "{body}");
        let change = format!("/api/v1/signin/{transaction}/passwordChange");
        for (bad, why) in [
            ("short", "at least 8"),
            ("Lovelace-1842-horse", "your name"),
            ("my Contoso password 1", "contoso"),
            (PASSWORD, "different from your current"),
        ] {
            let (status, body) = post(&app, &change, json!({"newPassword": bad})).await;
            assert_eq!(status, 400, "{bad}: {body}");
            assert_eq!(body["error"]["code"], "passwordRejected");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains(why), "{bad}: {message}");
        }
        let (status, body) = post(&app, &change, json!({"newPassword": NEW_PASSWORD})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "done", "{body}");

        // The old session ended; the old password no longer works; the new one does,
        // without another change.
        // (Continuous access evaluation: within the epoch poll interval.)
        let mut ended = false;
        for _ in 0..50 {
            if sessions
                .resolve_cookie(&old_session, now())
                .await
                .unwrap()
                .is_err()
            {
                ended = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(ended, "the session from before the change still works");
        let (_, body) = password_step(&app, "ada.lovelace@example.com", PASSWORD).await;
        assert_eq!(body["outcome"]["kind"], "blocked", "{body}");
        let (_, body) = password_step(&app, "ada.lovelace@example.com", NEW_PASSWORD).await;
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
        assert!(
            audit_activities(&app)
                .await
                .contains(&"Change password (self-service)".to_owned())
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_high_risk_user_changes_the_password_after_mfa_and_the_risk_is_remediated() {
    use portcullis_authn::totp::TotpAlgorithm;
    use portcullis_core::{Credential, CredentialId, CredentialKind, RiskEvent, RiskEventId};
    use portcullis_service::signin::credential_payload::TotpPayload;

    for backend in backends() {
        let app = start(&backend).await;
        let (_, user) = create_user(&app, "risky@example.com", false).await;
        let secret = TotpSecret::generate(TotpAlgorithm::Sha1, &mut rand::rng());
        let payload = TotpPayload {
            secret: secret.to_base32(),
            config: TotpConfig::default(),
            last_used_step: None,
        };
        let credential = Credential {
            id: CredentialId::from_uuid(uuid::Uuid::new_v4()),
            user_id: user.clone(),
            kind: CredentialKind::SoftwareOath,
            display_name: None,
            payload: payload.to_value(),
            metadata: json!({}),
            created_date_time: OffsetDateTime::now_utc(),
            last_used_date_time: None,
            revision: 0,
        };
        // Entra's template: high user risk needs MFA and a password change.
        let policy = json!({
            "id": "risky-users", "displayName": "Password change for high-risk users",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"],
                "userRiskLevels": ["high"]
            },
            "grantControls": {"operator": "AND", "builtInControls": ["mfa", "passwordChange"]}
        });
        app.store()
            .commit(
                Batch::new()
                    .change(Change::AddCredential(credential))
                    .change(Change::PutPolicy {
                        kind: PolicyKind::ConditionalAccessPolicy,
                        id: "risky-users".into(),
                        json: policy,
                        precondition: Precondition::None,
                        at: OffsetDateTime::now_utc(),
                    }),
            )
            .await
            .unwrap();
        app.store()
            .append_risk_event(&RiskEvent {
                id: RiskEventId::from_uuid(uuid::Uuid::new_v4()),
                user_id: Some(user.clone()),
                user_principal_name: Some("risky@example.com".into()),
                risk_event_type: "userReportedSuspiciousActivity".into(),
                risk_level: "high".into(),
                risk_state: "atRisk".into(),
                risk_detail: Some("userReportedSuspiciousActivity".into()),
                detection_timing_type: "realtime".into(),
                detected_date_time: OffsetDateTime::now_utc(),
                ip_address: None,
                sign_in_id: None,
                additional_info: json!([]),
            })
            .await
            .unwrap();

        let (transaction, body) = password_step(&app, "risky@example.com", PASSWORD).await;
        assert_eq!(body["outcome"]["kind"], "challenge", "MFA first: {body}");
        let code = Totp::new(secret, TotpConfig::default())
            .code_at(OffsetDateTime::now_utc())
            .unwrap();
        let (status, body) = post(
            &app,
            &format!("/api/v1/signin/{transaction}/totp"),
            json!({"code": code}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "passwordChangeRequired", "{body}");
        assert_eq!(
            body["outcome"]["reason"], "policyRequiresPasswordChange",
            "{body}"
        );
        let (status, body) = post(
            &app,
            &format!("/api/v1/signin/{transaction}/passwordChange"),
            json!({"newPassword": NEW_PASSWORD}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
        let risk = portcullis_service::risk::current_user_risk(
            app.store().as_ref(),
            &user,
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
        assert_eq!(risk.risk_state.as_str(), "remediated", "{risk:?}");
        assert_eq!(risk.risk_detail, "userPerformedSecuredPasswordChange");
    }
}
