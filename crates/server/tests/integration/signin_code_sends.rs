//! Text-message codes in sign-ins on both backends: two sign-ins of one user (two tabs,
//! two nodes) asking at once for a code to the same phone get one code between them,
//! and the one that did not send is told when it may ask again — never "code sent".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::password_users::{cheap_argon2, create_user_with_password};
use std::sync::Arc;

use common::{Backend, TestApp, backends, spawn_with_config};
use portcullis_authn::otp_code::OtpCodePolicy;
use portcullis_core::{Credential, CredentialId, CredentialKind, UserId};
use portcullis_server::config::FileConfig;
use portcullis_service::signin::codes::{FileCodeSender, claim_code_send};
use portcullis_service::signin::credential_payload::PhonePayload;
use portcullis_service::signin::pipeline::{Challenge, Input, Outcome, PhoneChannel, Protocol};
use portcullis_service::signin::{
    SignInRequest, SignInService, SignInSettings, TargetApplication, TransactionId,
};
use portcullis_store::{Batch, Change};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";

fn credential(user: &UserId, kind: CredentialKind, payload: serde_json::Value) -> Credential {
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

/// A user with a password and one phone for text messages; returns the phone's id.
async fn user_with_phone(app: &TestApp, upn: &str) -> CredentialId {
    let user = create_user_with_password(app, upn, PASSWORD).await;
    let phone = credential(
        &user,
        CredentialKind::Phone,
        serde_json::to_value(PhonePayload {
            phone_number: "+31201230000".into(),
            channel: PhoneChannel::Sms,
            throttle: Default::default(),
        })
        .unwrap(),
    );
    let phone_id = phone.id.clone();
    app.store()
        .commit(Batch::new().change(Change::AddCredential(phone)))
        .await
        .unwrap();
    phone_id
}

/// A server requiring MFA, a user with a phone, and a sign-in service whose codes go
/// to a file.
struct Rig {
    app: TestApp,
    phone: CredentialId,
    signin: SignInService,
    codes: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Rig {
    async fn start(backend: &Backend, upn: &str) -> Rig {
        let app = spawn_with_config(backend, FileConfig::default()).await;
        app.require_mfa().await;
        let params = cheap_argon2();
        let phone = user_with_phone(&app, upn).await;
        let dir = tempfile::tempdir().unwrap();
        let codes = dir.path().join("codes.jsonl");
        let signin = SignInService::start(
            app.store().clone(),
            SignInSettings {
                argon2: params,
                ..SignInSettings::default()
            },
            Arc::new(FileCodeSender::new(Some(codes.clone()))),
        )
        .await
        .unwrap();
        Rig {
            app,
            phone,
            signin,
            codes,
            _dir: dir,
        }
    }
}

/// A password sign-in of `upn` up to its second-factor challenge.
async fn to_challenge(signin: &SignInService, upn: &str) -> (TransactionId, Challenge) {
    let begun = signin
        .begin(SignInRequest::new(
            Protocol::NativeApp,
            TargetApplication::Portal,
            upn,
        ))
        .await
        .unwrap();
    let challenged = signin
        .step(&begun.transaction, Input::Password(PASSWORD.into()))
        .await
        .unwrap();
    let Some(Outcome::Challenge(challenge)) = challenged.outcome else {
        panic!("expected the challenge, got {:?}", challenged.outcome);
    };
    (begun.transaction, challenge)
}

async fn racing_sends(backend: Backend) {
    // The server lives as long as `_app`.
    let Rig {
        app: _app,
        phone,
        signin,
        codes,
        _dir,
    } = Rig::start(&backend, "ada@example.com").await;
    // Two sign-ins at the text-message challenge.
    let mut transactions = Vec::new();
    for _ in 0..2 {
        let (transaction, challenge) = to_challenge(&signin, "ada@example.com").await;
        assert_eq!(challenge.methods[0].credential_id, phone);
        transactions.push(transaction);
    }
    let sends = transactions.iter().map(|transaction| {
        signin.step(
            transaction,
            Input::SendCode {
                credential_id: phone.clone(),
            },
        )
    });
    let mut said_sent = 0;
    let mut told_to_wait = 0;
    for answer in futures::future::join_all(sends).await {
        let progress = answer.unwrap();
        let Some(Outcome::Challenge(challenge)) = progress.outcome else {
            panic!("expected the challenge again, got {:?}", progress.outcome);
        };
        match (&challenge.code_sent_to, challenge.code_throttled_until) {
            (Some(sent_to), None) => {
                assert_eq!(sent_to, &phone);
                said_sent += 1;
            }
            (None, Some(until)) => {
                assert!(until > OffsetDateTime::now_utc(), "{until}");
                told_to_wait += 1;
            }
            other => panic!("neither sent nor throttled: {other:?}"),
        }
    }
    let delivered = std::fs::read_to_string(&codes)
        .unwrap_or_default()
        .lines()
        .count();
    assert_eq!(delivered, 1, "one code left for the phone");
    assert_eq!(
        (said_sent, told_to_wait),
        (1, 1),
        "the page says 'sent' exactly when a code left"
    );
}

/// A code to the same number just left by another path (My security info verifying it,
/// another node): the phone's own throttle allows a send, the store's atomic claim
/// refuses it, and the answer says when to ask again rather than "code sent".
async fn a_send_refused_by_the_store_claim_is_shown(backend: Backend) {
    let Rig {
        app,
        phone,
        signin,
        codes,
        _dir,
    } = Rig::start(&backend, "grace@example.com").await;
    let (transaction, _) = to_challenge(&signin, "grace@example.com").await;
    let user = app
        .store()
        .find_user_by_upn("grace@example.com")
        .await
        .unwrap()
        .unwrap();
    claim_code_send(
        app.store().as_ref(),
        &OtpCodePolicy::default(),
        &user.id,
        "+31201230000",
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap()
    .unwrap();
    let progress = signin
        .step(
            &transaction,
            Input::SendCode {
                credential_id: phone.clone(),
            },
        )
        .await
        .unwrap();
    let Some(Outcome::Challenge(challenge)) = progress.outcome else {
        panic!("expected the challenge again, got {:?}", progress.outcome);
    };
    assert_eq!(challenge.code_sent_to, None, "nothing was sent");
    assert!(
        challenge
            .code_throttled_until
            .is_some_and(|until| until > OffsetDateTime::now_utc()),
        "{challenge:?}"
    );
    assert!(!codes.exists() || std::fs::read_to_string(&codes).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_sign_ins_send_one_code_and_the_other_is_told_to_wait_on_every_backend() {
    for backend in backends() {
        racing_sends(backend.clone()).await;
        a_send_refused_by_the_store_claim_is_shown(backend).await;
    }
}
