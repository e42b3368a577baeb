//! The native sign-in API's one-request password sign-in: `POST /api/v1/signin` with the
//! password (or a Temporary Access Pass) beside the name runs the first step at once.
//! It must answer exactly as the begin-then-step pair does, on SQLite and PostgreSQL.

use serde_json::{Value, json};

use super::signin_api::{
    PASSWORD, begin, create_user, log_len, post, start, step, user_with_totp_under_an_mfa_policy,
};
use crate::common::{self, backends};
use portcullis_server::signin_config::SignInSection;
use time::OffsetDateTime;

/// The parts of an answer that differ between any two sign-ins.
fn strip(mut body: Value) -> Value {
    let fields = body.as_object_mut().unwrap();
    fields.remove("transaction");
    fields.remove("correlationId");
    fields.remove("signInId");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_password_sent_with_the_name_signs_in_in_one_request() {
    for backend in backends() {
        let app = start(&backend, None).await;
        create_user(&app, "ada@example.com").await;
        let (status, body) = post(
            &app,
            "/api/v1/signin",
            json!({"username": "ada@example.com", "password": PASSWORD}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "done", "{body}");
        assert_eq!(body["stage"], "done");
        assert_eq!(body["outcome"]["amr"], json!(["pwd"]));
        assert!(body["session"]["token"].as_str().is_some(), "{body}");
        assert_eq!(log_len(&app).await, 1, "one step, one log entry");

        // The transaction was stored once, finished and naming its user.
        let transaction = body["transaction"].as_str().unwrap();
        let stored = app
            .store()
            .get_sign_in_transaction(&portcullis_core::SecretHash::of(transaction))
            .await
            .unwrap()
            .expect("the transaction is stored with the step");
        assert!(stored.subject.user_id.is_some(), "{:?}", stored.subject);
        // It takes no more steps.
        let (status, _) = step(&app, transaction, "password", json!({"password": PASSWORD})).await;
        assert_eq!(status, 404);
        assert_eq!(log_len(&app).await, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_request_answers_a_wrong_password_and_an_unknown_name_as_two_requests_do() {
    for backend in backends() {
        let app = start(&backend, None).await;
        create_user(&app, "ada@example.com").await;
        let one_request = |name: &'static str| {
            let app = &app;
            async move {
                post(
                    app,
                    "/api/v1/signin",
                    json!({"username": name, "password": "not it"}),
                )
                .await
            }
        };
        let (wrong_status, wrong) = one_request("ada@example.com").await;
        let (unknown_status, unknown) = one_request("nobody@example.com").await;
        let two = begin(&app, "ada@example.com").await;
        let (two_status, two_requests) =
            step(&app, &two, "password", json!({"password": "not it"})).await;
        assert_eq!(wrong_status, 200, "{wrong}");
        assert_eq!(wrong["error"]["code"], 50126, "{wrong}");
        assert_eq!((unknown_status, two_status), (wrong_status, wrong_status));
        assert_eq!(strip(unknown), strip(wrong.clone()), "no user enumeration");
        assert_eq!(
            strip(two_requests),
            strip(wrong),
            "the same answer either way"
        );
        assert_eq!(log_len(&app).await, 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_request_continues_to_the_challenge_a_policy_asks_for() {
    for backend in backends() {
        let app = start(&backend, None).await;
        let totp = user_with_totp_under_an_mfa_policy(&app, "grace@example.com").await;
        let (status, body) = post(
            &app,
            "/api/v1/signin",
            json!({"username": "grace@example.com", "password": PASSWORD}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["outcome"]["kind"], "challenge", "{body}");
        assert_eq!(body["outcome"]["methods"][0]["kind"], "totp", "{body}");
        assert!(body["session"].is_null(), "no session before MFA: {body}");

        let transaction = body["transaction"].as_str().unwrap();
        let code = totp.code_at(OffsetDateTime::now_utc()).unwrap();
        let (_, done) = step(&app, transaction, "totp", json!({"code": code})).await;
        assert_eq!(done["outcome"]["kind"], "done", "{done}");
        assert_eq!(done["outcome"]["amr"], json!(["pwd", "otp", "mfa"]));
        assert_eq!(log_len(&app).await, 2, "one entry per step");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_malformed_one_request_sign_in_is_refused_without_a_step() {
    for backend in backends() {
        let app = start(&backend, None).await;
        create_user(&app, "ada@example.com").await;
        let refused = [
            json!({"username": "ada@example.com", "password": PASSWORD, "temporaryAccessPass": "x"}),
            json!({"username": "ada@example.com", "password": "p".repeat(4096)}),
            json!({"username": "ada@example.com", "password": 12345}),
        ];
        for body in refused {
            let (status, answer) = post(&app, "/api/v1/signin", body).await;
            assert_eq!(status, 400, "{answer}");
            assert_eq!(answer["error"]["code"], "invalidRequest", "{answer}");
        }
        assert_eq!(log_len(&app).await, 0, "nothing was judged");
    }
}

/// A one-request sign-in counts against the same per-address limit as a begin.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_request_sign_ins_are_rate_limited_per_address() {
    for backend in backends() {
        let app = start_limited(&backend).await;
        create_user(&app, "ada@example.com").await;
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let (status, _) = post(
                &app,
                "/api/v1/signin",
                json!({"username": "ada@example.com", "password": PASSWORD}),
            )
            .await;
            statuses.push(status);
        }
        assert_eq!(statuses, [200, 200, 429, 429]);
        assert_eq!(log_len(&app).await, 2, "a refused attempt is not judged");
    }
}

async fn start_limited(backend: &common::Backend) -> common::TestApp {
    common::password_users::spawn_cheap_argon2(
        backend,
        SignInSection {
            rate_limit_per_ip_per_minute: Some(1),
            rate_limit_per_ip_burst: Some(2),
            ..SignInSection::default()
        },
    )
    .await
}
