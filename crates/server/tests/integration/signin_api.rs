//! The JSON sign-in API (`/api/v1/signin…`) and the sign-in log API
//! (`/v1.0/auditLogs/signIns`) against a real server, on SQLite and (when
//! `PORTCULLIS_TEST_POSTGRES_URL` is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::password_users::{cheap_argon2, create_user_with_password, spawn_cheap_argon2};
use common::{Backend, TestApp, backends};
use portcullis_authn::password::PasswordHasher;
use portcullis_authn::tap::{TapIssueRequest, TapPolicy, TemporaryAccessPass};
use portcullis_authn::totp::{Totp, TotpAlgorithm, TotpConfig, TotpSecret};
use portcullis_core::{AppPermission, Credential, CredentialId, CredentialKind, UserId};
use portcullis_server::signin_config::SignInSection;
use portcullis_service::signin::credential_payload::{TemporaryAccessPassPayload, TotpPayload};
use portcullis_store::{
    Batch, Change, PolicyKind, Precondition, SignInQuery, SignInStepWrite, TransactionSubject,
    TransactionWrite,
};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

pub(crate) const PASSWORD: &str = "correct horse battery staple";

pub(crate) async fn start(backend: &Backend, lockout_threshold: Option<u32>) -> TestApp {
    spawn_cheap_argon2(
        backend,
        SignInSection {
            lockout_threshold,
            ..SignInSection::default()
        },
    )
    .await
}

fn credential(user: &UserId, kind: CredentialKind, payload: Value) -> Credential {
    Credential {
        id: CredentialId::from_uuid(Uuid::new_v4()),
        user_id: user.clone(),
        kind,
        display_name: None,
        payload,
        metadata: json!({}),
        created_date_time: OffsetDateTime::now_utc(),
        last_used_date_time: None,
        revision: 0,
    }
}

/// A user with a password, straight in the store.
pub(crate) async fn create_user(app: &TestApp, upn: &str) -> UserId {
    create_user_with_password(app, upn, PASSWORD).await
}

async fn add_credential(app: &TestApp, credential: Credential) {
    app.store()
        .commit(Batch::new().change(Change::AddCredential(credential)))
        .await
        .unwrap();
}

async fn add_totp(app: &TestApp, user: &UserId) -> Totp {
    let secret = TotpSecret::generate(TotpAlgorithm::Sha1, &mut rand::rng());
    let payload = TotpPayload {
        secret: secret.to_base32(),
        config: TotpConfig::default(),
        last_used_step: None,
    };
    add_credential(
        app,
        credential(user, CredentialKind::SoftwareOath, payload.to_value()),
    )
    .await;
    Totp::new(secret, TotpConfig::default())
}

/// A user with a password and an authenticator app, and a policy asking everyone for MFA.
pub(crate) async fn user_with_totp_under_an_mfa_policy(app: &TestApp, upn: &str) -> Totp {
    let user = create_user(app, upn).await;
    let totp = add_totp(app, &user).await;
    put_policy(
        app,
        "mfa",
        json!({"operator": "OR", "builtInControls": ["mfa"]}),
    )
    .await;
    totp
}

async fn put_policy(app: &TestApp, id: &str, grant: Value) {
    let policy = json!({
        "id": id, "displayName": id, "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"]
        },
        "grantControls": grant
    });
    app.store()
        .commit(Batch::new().change(Change::PutPolicy {
            kind: PolicyKind::ConditionalAccessPolicy,
            id: id.to_owned(),
            json: policy,
            precondition: Precondition::None,
            at: OffsetDateTime::now_utc(),
        }))
        .await
        .unwrap();
}

pub(crate) async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
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

pub(crate) async fn begin(app: &TestApp, username: &str) -> String {
    let (status, body) = post(app, "/api/v1/signin", json!({"username": username})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["stage"], "firstFactor");
    body["transaction"].as_str().unwrap().to_owned()
}

pub(crate) async fn step(
    app: &TestApp,
    transaction: &str,
    kind: &str,
    body: Value,
) -> (u16, Value) {
    post(app, &format!("/api/v1/signin/{transaction}/{kind}"), body).await
}

pub(crate) async fn log_len(app: &TestApp) -> usize {
    app.store()
        .query_sign_ins(&SignInQuery {
            limit: 1000,
            ..SignInQuery::default()
        })
        .await
        .unwrap()
        .items
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_sign_in_issues_a_session_and_logs_each_step_once() {
    for backend in backends() {
        let app = start(&backend, None).await;
        create_user(&app, "ada@example.com").await;
        let transaction = begin(&app, "ada@example.com").await;
        assert_eq!(log_len(&app).await, 0, "begin alone logs nothing");
        let (status, body) = step(
            &app,
            &transaction,
            "password",
            json!({"password": PASSWORD}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
        assert_eq!(body["stage"], "done");
        assert_eq!(body["outcome"]["amr"], json!(["pwd"]));
        let token = body["session"]["token"].as_str().unwrap();
        assert_eq!(log_len(&app).await, 1);
        // The cookie value names an active session; the store holds only its hash.
        let signin = app_signin(&app).await;
        let session = signin.session_from_cookie(token).await.unwrap().unwrap();
        assert_eq!(session.amr, ["pwd"]);
        // The finished transaction takes no more steps.
        let (status, _) = step(
            &app,
            &transaction,
            "password",
            json!({"password": PASSWORD}),
        )
        .await;
        assert_eq!(status, 404);
        assert_eq!(log_len(&app).await, 1);
    }
}

/// A transaction stored without the subject columns beside its document (as by a build
/// before them, mid-upgrade) still signs its user in: the step reads the subject by the
/// document's name instead, and stores the columns with its write.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_transaction_stored_without_its_subject_columns_still_signs_in() {
    for backend in backends() {
        let app = start(&backend, None).await;
        create_user(&app, "ada@example.com").await;
        let transaction = begin(&app, "ada@example.com").await;
        let id_hash = portcullis_core::SecretHash::of(&transaction);
        let stored = app
            .store()
            .get_sign_in_transaction(&id_hash)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.subject.upn_lower.as_deref(),
            Some("ada@example.com"),
            "begin stores the typed name beside the document"
        );
        let written = app
            .store()
            .commit_sign_in_steps(&[SignInStepWrite {
                transaction: Some(TransactionWrite::Update {
                    id_hash: id_hash.clone(),
                    expected_revision: stored.revision,
                    doc: stored.doc.clone(),
                    subject: TransactionSubject::default(),
                }),
                ..SignInStepWrite::default()
            }])
            .await
            .unwrap();
        assert!(written.iter().all(Result::is_ok), "{written:?}");

        let (status, body) = step(
            &app,
            &transaction,
            "password",
            json!({"password": PASSWORD}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
        let after = app
            .store()
            .get_sign_in_transaction(&id_hash)
            .await
            .unwrap()
            .unwrap();
        assert!(after.subject.user_id.is_some(), "{:?}", after.subject);
    }
}

/// The sign-in service of a running app, for checks the HTTP API does not expose.
async fn app_signin(app: &TestApp) -> portcullis_service::signin::SignInService {
    portcullis_service::signin::SignInService::start(
        app.store().clone(),
        portcullis_service::signin::SignInSettings::default(),
        std::sync::Arc::new(portcullis_service::signin::codes::FileCodeSender::new(None)),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_then_totp_with_wrong_and_replayed_codes() {
    for backend in backends() {
        let app = start(&backend, None).await;
        let totp = user_with_totp_under_an_mfa_policy(&app, "grace@example.com").await;

        let transaction = begin(&app, "grace@example.com").await;
        let (_, body) = step(
            &app,
            &transaction,
            "password",
            json!({"password": PASSWORD}),
        )
        .await;
        assert_eq!(body["outcome"]["kind"], "challenge", "{body}");
        assert_eq!(body["outcome"]["methods"][0]["kind"], "totp", "{body}");

        let (_, wrong) = step(&app, &transaction, "totp", json!({"code": "000000"})).await;
        assert_eq!(wrong["outcome"]["kind"], "challenge", "{wrong}");
        assert!(wrong["error"]["code"].as_i64().is_some(), "{wrong}");

        let code = totp.code_at(OffsetDateTime::now_utc()).unwrap();
        let (_, done) = step(&app, &transaction, "totp", json!({"code": code})).await;
        assert_eq!(done["outcome"]["kind"], "done", "{done}");
        assert_eq!(done["outcome"]["amr"], json!(["pwd", "otp", "mfa"]));
        assert_eq!(log_len(&app).await, 3, "one entry per step");

        // The same code in a second sign-in is a replay.
        let second = begin(&app, "grace@example.com").await;
        step(&app, &second, "password", json!({"password": PASSWORD})).await;
        let (_, replay) = step(&app, &second, "totp", json!({"code": code})).await;
        assert_eq!(replay["outcome"]["kind"], "challenge", "{replay}");
        assert!(
            replay["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("AADSTS")
        );
        assert_eq!(log_len(&app).await, 5);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_user_is_answered_like_a_wrong_password() {
    for backend in backends() {
        let app = start(&backend, None).await;
        create_user(&app, "ada@example.com").await;
        let strip = |mut body: Value| {
            body.as_object_mut().unwrap().remove("transaction");
            body.as_object_mut().unwrap().remove("correlationId");
            body
        };
        // First-use costs (caches, each CPU thread's argon2 memory) are not what this
        // compares: one attempt of each kind first, untimed.
        for name in ["ada@example.com", "nobody@example.com"] {
            let warm = begin(&app, name).await;
            step(&app, &warm, "password", json!({"password": "warm up"})).await;
        }
        let wrong_tx = begin(&app, "ada@example.com").await;
        let started = std::time::Instant::now();
        let (wrong_status, wrong) =
            step(&app, &wrong_tx, "password", json!({"password": "not it"})).await;
        let wrong_time = started.elapsed();
        let unknown_tx = begin(&app, "nobody@example.com").await;
        let started = std::time::Instant::now();
        let (unknown_status, unknown) =
            step(&app, &unknown_tx, "password", json!({"password": "not it"})).await;
        let unknown_time = started.elapsed();
        assert_eq!(wrong_status, unknown_status);
        assert_eq!(strip(wrong.clone()), strip(unknown), "same answer");
        assert_eq!(wrong["error"]["code"], 50126, "{wrong}");
        // The unknown user costs an argon2 verification too (loose bound: shared CI cores).
        assert!(
            unknown_time * 4 > wrong_time,
            "unknown {unknown_time:?} vs wrong {wrong_time:?}"
        );
        // The log tells them apart for admins: 50034 for the unknown name.
        let log = app
            .store()
            .query_sign_ins(&SignInQuery {
                limit: 10,
                ..SignInQuery::default()
            })
            .await
            .unwrap();
        let codes: Vec<i32> = log.items.iter().map(|s| s.status.error_code).collect();
        assert!(
            codes.contains(&50034) && codes.contains(&50126),
            "{codes:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn smart_lockout_counts_distinct_wrong_passwords_only() {
    for backend in backends() {
        let app = start(&backend, Some(3)).await;
        create_user(&app, "lin@example.com").await;
        // Repeating one wrong password does not count again.
        for _ in 0..5 {
            let tx = begin(&app, "lin@example.com").await;
            let (_, body) = step(&app, &tx, "password", json!({"password": "same wrong"})).await;
            assert_eq!(body["error"]["code"], 50126, "{body}");
        }
        let tx = begin(&app, "lin@example.com").await;
        let (_, ok) = step(&app, &tx, "password", json!({"password": PASSWORD})).await;
        assert_eq!(ok["outcome"]["kind"], "done", "{ok}");
        // Distinct wrong passwords lock the account; then even the right one is refused.
        for n in 0..3 {
            let tx = begin(&app, "lin@example.com").await;
            step(
                &app,
                &tx,
                "password",
                json!({"password": format!("wrong {n}")}),
            )
            .await;
        }
        let tx = begin(&app, "lin@example.com").await;
        let (_, locked) = step(&app, &tx, "password", json!({"password": PASSWORD})).await;
        assert_eq!(locked["outcome"]["kind"], "blocked", "{locked}");
        assert_eq!(locked["error"]["code"], 50053, "{locked}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_blocking_policy_blocks_after_the_password() {
    for backend in backends() {
        let app = start(&backend, None).await;
        create_user(&app, "eve@example.com").await;
        put_policy(
            &app,
            "block",
            json!({"operator": "OR", "builtInControls": ["block"]}),
        )
        .await;
        let tx = begin(&app, "eve@example.com").await;
        let (_, body) = step(&app, &tx, "password", json!({"password": PASSWORD})).await;
        assert_eq!(body["outcome"]["kind"], "blocked", "{body}");
        assert_eq!(body["error"]["code"], 53003, "{body}");
        let log = app
            .store()
            .query_sign_ins(&SignInQuery {
                limit: 10,
                ..SignInQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(log.items.len(), 1);
        assert_eq!(log.items[0].conditional_access_status.as_str(), "failure");
        // The entry keeps the evaluation input for replay.
        let input = app
            .store()
            .get_sign_in_evaluation_input(&log.items[0].id)
            .await
            .unwrap();
        assert!(input.is_some_and(|text| text.contains("eve") || text.contains("identity")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_one_time_temporary_access_pass_signs_in_once() {
    for backend in backends() {
        let app = start(&backend, None).await;
        let user = create_user(&app, "new@example.com").await;
        let hasher = PasswordHasher::new(cheap_argon2()).unwrap();
        let (pass, issued) = TemporaryAccessPass::issue(
            &TapPolicy::default(),
            TapIssueRequest {
                is_usable_once: Some(true),
                ..TapIssueRequest::default()
            },
            &hasher,
            OffsetDateTime::now_utc(),
            &mut rand::rng(),
        )
        .unwrap();
        add_credential(
            &app,
            credential(
                &user,
                CredentialKind::TemporaryAccessPass,
                TemporaryAccessPassPayload { pass }.to_value(),
            ),
        )
        .await;
        let tx = begin(&app, "new@example.com").await;
        let (_, body) = step(
            &app,
            &tx,
            "temporaryAccessPass",
            json!({"pass": issued.as_str()}),
        )
        .await;
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
        // Spent: a second use fails.
        let tx = begin(&app, "new@example.com").await;
        let (_, again) = step(
            &app,
            &tx,
            "temporaryAccessPass",
            json!({"pass": issued.as_str()}),
        )
        .await;
        assert_eq!(again["outcome"]["kind"], "blocked", "{again}");
        assert_eq!(log_len(&app).await, 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_double_submit_runs_one_step() {
    for backend in backends() {
        let app = start(&backend, None).await;
        create_user(&app, "ada@example.com").await;
        let tx = begin(&app, "ada@example.com").await;
        let (a, b) = tokio::join!(
            step(&app, &tx, "password", json!({"password": PASSWORD})),
            step(&app, &tx, "password", json!({"password": PASSWORD})),
        );
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses[0], 200, "{a:?} {b:?}");
        assert!(matches!(statuses[1], 404 | 409), "{a:?} {b:?}");
        assert_eq!(log_len(&app).await, 1, "only the winning step is logged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_requests_are_refused_without_a_step() {
    let app = start(&Backend::Sqlite, None).await;
    let (status, _) = post(&app, "/api/v1/signin", json!({"user": "x"})).await;
    assert_eq!(status, 400);
    let (status, _) = step(&app, "not-a-handle", "password", json!({"password": "x"})).await;
    assert_eq!(status, 404);
    let (status, body) = post(
        &app,
        "/api/v1/signin",
        json!({"username": "a@example.com", "acr": "c99"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = post(
        &app,
        "/api/v1/signin",
        json!({"username": "a@example.com", "clientId": Uuid::new_v4()}),
    )
    .await;
    assert_eq!(status, 400, "unregistered application");
    assert_eq!(log_len(&app).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_in_log_api_filters_pages_and_needs_permission() {
    for backend in backends() {
        let app = start(&backend, None).await;
        create_user(&app, "ada@example.com").await;
        for password in [PASSWORD, "wrong 1", "wrong 2", PASSWORD] {
            let tx = begin(&app, "ada@example.com").await;
            step(&app, &tx, "password", json!({"password": password})).await;
        }
        let reader = app
            .register_client(&[AppPermission::AuditLogReadAll], &[])
            .await;
        let token = app.token_for(&reader).await;
        // The token grant itself may be logged too (a service principal sign-in): count
        // the user's entries.
        let ada = "$filter=userPrincipalName%20eq%20'ada@example.com'";
        let (status, all) = app
            .get(&format!("/v1.0/auditLogs/signIns?{ada}"), &token)
            .await;
        assert_eq!(status, 200, "{all}");
        assert_eq!(all["value"].as_array().unwrap().len(), 4, "{all}");

        let (_, failed) = app
            .get(
                "/v1.0/auditLogs/signIns?$filter=status/errorCode%20eq%2050126%20and%20userPrincipalName%20eq%20'ADA@example.com'",
                &token,
            )
            .await;
        assert_eq!(failed["value"].as_array().unwrap().len(), 2, "{failed}");

        let (_, page) = app
            .get(&format!("/v1.0/auditLogs/signIns?{ada}&$top=3"), &token)
            .await;
        assert_eq!(page["value"].as_array().unwrap().len(), 3);
        let next = page["@odata.nextLink"].as_str().unwrap();
        let path = next.strip_prefix(&app.base).unwrap();
        let (_, rest) = app.get(path, &token).await;
        assert_eq!(rest["value"].as_array().unwrap().len(), 1, "{rest}");

        let (_, recent) = app
            .get(
                "/v1.0/auditLogs/signIns?$filter=createdDateTime%20ge%202000-01-01T00:00:00Z%20and%20clientAppUsed%20eq%20'Mobile%20Apps%20and%20Desktop%20clients'",
                &token,
            )
            .await;
        assert_eq!(recent["value"].as_array().unwrap().len(), 4, "{recent}");

        let id = all["value"][0]["id"].as_str().unwrap();
        let (status, one) = app
            .get(&format!("/v1.0/auditLogs/signIns/{id}"), &token)
            .await;
        assert_eq!(status, 200);
        assert_eq!(one["id"], id);
        let (status, _) = app
            .get(
                &format!("/v1.0/auditLogs/signIns/{}", Uuid::new_v4()),
                &token,
            )
            .await;
        assert_eq!(status, 404);

        // Least privilege: an app without AuditLog.Read.All is refused.
        let other = app
            .register_client(&[AppPermission::UserReadAll], &[])
            .await;
        let other_token = app.token_for(&other).await;
        let (status, _) = app.get("/v1.0/auditLogs/signIns", &other_token).await;
        assert_eq!(status, 403);
    }
}

/// Smart lockout keeps separate counters for familiar and unfamiliar places: wrong
/// passwords from elsewhere lock that elsewhere only, and the user's usual address (where
/// they signed in successfully before) still works. The places are kept in the user's
/// sign-in state, so they survive across transactions and backends alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lockout_from_an_unfamiliar_place_spares_the_familiar_one() {
    use portcullis_authn::lockout::LockoutPolicy;
    use portcullis_service::signin::pipeline::{Input, Outcome, Protocol};
    use portcullis_service::signin::{SignInRequest, SignInSettings, TargetApplication};

    for backend in backends() {
        let app = start(&backend, None).await;
        let user = create_user(&app, "mei@example.com").await;
        let service = portcullis_service::signin::SignInService::start(
            app.store().clone(),
            SignInSettings {
                argon2: cheap_argon2(),
                lockout: LockoutPolicy {
                    threshold: 3,
                    ..LockoutPolicy::default()
                },
                ..SignInSettings::default()
            },
            std::sync::Arc::new(portcullis_service::signin::codes::FileCodeSender::new(None)),
        )
        .await
        .unwrap();
        let attempt = |ip: &'static str, password: String| {
            let service = service.clone();
            async move {
                let mut request = SignInRequest::new(
                    Protocol::NativeApp,
                    TargetApplication::Portal,
                    "mei@example.com",
                );
                request.ip_address = Some(ip.parse().unwrap());
                let begun = service.begin(request).await.unwrap();
                let done = service
                    .step(&begun.transaction, Input::Password(password))
                    .await
                    .unwrap();
                done.outcome.unwrap()
            }
        };
        let home = "192.0.2.10";
        let attacker = "198.51.100.66";
        assert!(matches!(
            attempt(home, PASSWORD.into()).await,
            Outcome::Done(_)
        ));
        // The place is remembered in the user's state (no log query per attempt).
        let state = app
            .store()
            .get_user_sign_in_state(&user)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            state.doc["familiarPlaces"][0]["ipAddress"], home,
            "{}",
            state.doc
        );
        for n in 0..3 {
            attempt(attacker, format!("guess {n}")).await;
        }
        let locked = attempt(attacker, PASSWORD.into()).await;
        let Outcome::Blocked { code } = locked else {
            panic!("the unfamiliar place is locked: {locked:?}");
        };
        assert_eq!(code.code(), 50053, "{code:?}");
        assert!(
            matches!(attempt(home, PASSWORD.into()).await, Outcome::Done(_)),
            "the familiar place is not locked"
        );
    }
}
