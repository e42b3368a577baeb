//! A user without a method adds a phone or an email address inside the sign-in's
//! registration interrupt through the JSON API, against a real server on SQLite and
//! (when `PORTCULLIS_TEST_POSTGRES_URL` is set) PostgreSQL: the code goes through the
//! development code file, bad numbers, unknown fields, wrong and malformed codes and
//! resends too soon are refused with codes a client can act on, a verification started
//! in another sign-in does not count in this one, and the sign-in goes on with the new
//! method counted as performed, audited.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::password_users::spawn_cheap_argon2;
use std::path::Path;

use common::{TestApp, backends};
use portcullis_core::{AppPermission, Credential, CredentialId, CredentialKind};
use portcullis_server::signin_config::SignInSection;
use portcullis_store::{AuditQuery, Batch, Change};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";

async fn start(backend: &common::Backend, code_file: &Path) -> TestApp {
    spawn_cheap_argon2(
        backend,
        SignInSection {
            code_file: Some(code_file.to_path_buf()),
            ..SignInSection::default()
        },
    )
    .await
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

async fn create_user(app: &TestApp, upn: &str) {
    let client = app
        .register_client(&[AppPermission::UserReadWriteAll], &[])
        .await;
    let token = app.token_for(&client).await;
    let (status, body) = app
        .post(
            "/v1.0/users",
            &token,
            json!({
                "userPrincipalName": upn, "displayName": "Grace Hopper",
                "passwordProfile": {"password": PASSWORD, "forceChangePasswordNextSignIn": false}
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// Begins a sign-in and answers the password: the registration interrupt.
async fn to_registration(app: &TestApp, upn: &str) -> String {
    let (status, body) = post(app, "/api/v1/signin", json!({"username": upn})).await;
    assert_eq!(status, 200, "{body}");
    let transaction = body["transaction"].as_str().unwrap().to_owned();
    let (status, body) = post(
        app,
        &format!("/api/v1/signin/{transaction}/password"),
        json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"]["kind"], "registrationRequired", "{body}");
    let methods = body["outcome"]["methods"].as_array().unwrap();
    for kind in ["sms", "voice"] {
        assert!(methods.contains(&json!(kind)), "{kind} offered: {body}");
    }
    // Email codes are not a second factor: never offered by an MFA requirement.
    assert!(!methods.contains(&json!("email")), "{body}");
    transaction
}

/// The codes the development provider wrote to `destination`, oldest first.
fn codes_to(code_file: &Path, destination: &str) -> Vec<Value> {
    std::fs::read_to_string(code_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|entry| entry["destination"] == destination && entry["code"].is_string())
        .collect()
}

fn last_code(code_file: &Path, destination: &str) -> String {
    codes_to(code_file, destination).last().unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn wrong(code: &str) -> String {
    code.bytes()
        .map(|digit| char::from(b'0' + (digit - b'0' + 1) % 10))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_phone_or_an_address_is_added_inside_the_sign_in_on_every_backend() {
    for backend in backends() {
        let scratch = tempfile::tempdir().unwrap();
        let code_file = scratch.path().join("codes.jsonl");
        let app = start(&backend, &code_file).await;
        app.require_mfa().await;
        create_user(&app, "grace@example.com").await;
        let transaction = to_registration(&app, "grace@example.com").await;
        let phone = format!("/api/v1/signin/{transaction}/register/phone");
        let verify = format!("/api/v1/signin/{transaction}/register/contact/verify");
        let resend = format!("/api/v1/signin/{transaction}/register/contact/resend");

        // Bad input: named, nothing sent.
        let (status, body) = post(&app, &phone, json!({"phoneNumber": "0612345678"})).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (400, &json!("invalidPhoneNumber")),
            "{body}"
        );
        let (status, body) = post(
            &app,
            &phone,
            json!({"phoneNumber": "+31612345678", "channel": "pigeon"}),
        )
        .await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (400, &json!("invalidRequest")),
            "{body}"
        );
        let (status, body) = post(&app, &phone, json!({"number": "+31612345678"})).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (400, &json!("invalidRequest")),
            "{body}"
        );
        let (status, body) = post(&app, &verify, json!({"code": "123456"})).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (409, &json!("verificationEnded")),
            "{body}"
        );
        let (status, body) = post(
            &app,
            "/api/v1/signin/not-a-transaction/register/phone",
            json!({"phoneNumber": "+31612345678"}),
        )
        .await;
        assert_eq!(status, 404, "{body}");
        assert!(codes_to(&code_file, "+31612345678").is_empty());

        // The code goes out, worded for a registration.
        let (status, sent) = post(
            &app,
            &phone,
            json!({"phoneNumber": "+31 6 1234 5678", "channel": "sms"}),
        )
        .await;
        assert_eq!(status, 200, "{sent}");
        assert_eq!(sent["method"], "sms");
        assert_eq!(sent["destination"], "+31612345678");
        assert_eq!(sent["digits"], 6);
        let entry = codes_to(&code_file, "+31612345678").pop().unwrap();
        assert_eq!(entry["purpose"], "registration");
        assert!(
            entry["text"]
                .as_str()
                .unwrap()
                .contains("add this phone number to your security info"),
            "{entry}"
        );
        let code = last_code(&code_file, "+31612345678");

        // Asking again at once: throttled, with Retry-After; nothing sent.
        let response = app
            .client
            .post(app.url(&resend))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 429);
        assert!(response.headers().get("retry-after").is_some());
        assert_eq!(codes_to(&code_file, "+31612345678").len(), 1);

        // A verification of another sign-in of the same user does not count here.
        let other = to_registration(&app, "grace@example.com").await;
        let (status, body) = post(
            &app,
            &format!("/api/v1/signin/{other}/register/contact/verify"),
            json!({"code": code}),
        )
        .await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (409, &json!("verificationEnded")),
            "{body}"
        );

        // Wrong, then malformed (no attempt used), then right.
        let (status, body) = post(&app, &verify, json!({"code": wrong(&code)})).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (400, &json!("wrongCode")),
            "{body}"
        );
        assert_eq!(body["error"]["attemptsLeft"], 4);
        let (status, body) = post(&app, &verify, json!({"code": "12"})).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (400, &json!("malformedCode")),
            "{body}"
        );
        let (status, body) = post(&app, &verify, json!({"code": code})).await;
        assert_eq!(status, 200, "{body}");
        // The phone counted as this sign-in's second factor: the default registration
        // campaign's nudge (only after a multifactor sign-in, for telephony-only users).
        assert_eq!(body["outcome"]["kind"], "registrationRequired", "{body}");
        assert_eq!(body["outcome"]["campaign"], true, "{body}");
        assert_eq!(
            body["outcome"]["methods"],
            json!(["authenticatorPush"]),
            "{body}"
        );
        // The code is spent.
        let (status, _) = post(&app, &verify, json!({"code": code})).await;
        assert_ne!(status, 200);

        // The nudge's Authenticator setup: the activation payload, then "not yet".
        let begin = format!("/api/v1/signin/{transaction}/register/authenticator");
        let done = format!("/api/v1/signin/{transaction}/register/authenticator/done");
        let (status, activation) = post(&app, &begin, json!({})).await;
        assert_eq!(status, 200, "{activation}");
        assert!(
            activation["activationLink"]
                .as_str()
                .unwrap()
                .contains("/authenticator/activate?code="),
            "{activation}"
        );
        assert!(activation["qrSvg"].as_str().unwrap().starts_with("<svg"));
        assert_eq!(activation["skippable"], true);
        let (status, body) = post(&app, &done, json!({})).await;
        assert_eq!((status, &body["activated"]), (202, &json!(false)), "{body}");
        // The device activates (what `POST /authenticator/activate` stores), and the
        // sign-in goes on with it.
        activated_device(&app, "grace@example.com").await;
        let (status, body) = post(&app, &done, json!({})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
        assert!(
            body["session"].is_object() || body["sessionToken"].is_string(),
            "{body}"
        );

        // Saved and audited as the user's own registration.
        let audit = app
            .store()
            .query_audit(&AuditQuery {
                limit: 100,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        let registered = audit
            .items
            .iter()
            .filter(|record| record.activity_display_name == "User registered security info")
            .count();
        assert_eq!(registered, 1);

        // The other sign-in, still at its interrupt, cannot add what its prompt does
        // not offer (an email address), and adds a phone for calls instead.
        let (status, body) = post(
            &app,
            &format!("/api/v1/signin/{other}/register/email"),
            json!({"emailAddress": "grace.hopper@example.org"}),
        )
        .await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (403, &json!("registrationRefused")),
            "{body}"
        );
        let (status, sent) = post(
            &app,
            &format!("/api/v1/signin/{other}/register/phone"),
            json!({"phoneNumber": "+31201234567", "channel": "voice"}),
        )
        .await;
        assert_eq!(status, 200, "{sent}");
        assert_eq!(sent["method"], "voice");
        let entry = codes_to(&code_file, "+31201234567").pop().unwrap();
        assert_eq!(entry["channel"], "voice");
        let code = last_code(&code_file, "+31201234567");
        let (status, body) = post(
            &app,
            &format!("/api/v1/signin/{other}/register/contact/verify"),
            json!({"code": code}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        // The app was activated before this sign-in's phone: no nudge, done.
        assert_eq!(body["outcome"]["kind"], "done", "{body}");

        // Another telephony-only user snoozes the nudge through the API.
        create_user(&app, "alan@example.com").await;
        let third = to_registration(&app, "alan@example.com").await;
        let (status, _) = post(
            &app,
            &format!("/api/v1/signin/{third}/register/phone"),
            json!({"phoneNumber": "+441632960001"}),
        )
        .await;
        assert_eq!(status, 200);
        let code = last_code(&code_file, "+441632960001");
        let (_, body) = post(
            &app,
            &format!("/api/v1/signin/{third}/register/contact/verify"),
            json!({"code": code}),
        )
        .await;
        assert_eq!(body["outcome"]["campaign"], true, "{body}");
        let (status, body) = post(
            &app,
            &format!("/api/v1/signin/{third}/skipRegistration"),
            json!({}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
    }
}

/// A Portcullis Authenticator device for the user, as activation stores it.
async fn activated_device(app: &TestApp, upn: &str) {
    let user = app.store().find_user_by_upn(upn).await.unwrap().unwrap();
    let device = Credential {
        id: CredentialId::from_uuid(Uuid::new_v4()),
        user_id: user.id.clone(),
        kind: CredentialKind::MicrosoftAuthenticator,
        display_name: Some("Work phone".into()),
        payload: json!({}),
        metadata: json!({}),
        created_date_time: OffsetDateTime::now_utc(),
        last_used_date_time: None,
        revision: 0,
    };
    app.store()
        .commit(Batch::new().change(Change::AddCredential(device)))
        .await
        .unwrap();
}
