//! Self-service password reset through the sign-in service over real stores (SQLite,
//! and PostgreSQL when `PORTCULLIS_TEST_POSTGRES_URL` is set): an authenticator app code
//! or an emailed code verifies the user, the new password meets the rules, every session
//! ends, the reset is audited and the user notified; an unknown name gets the same
//! answers and no code is ever sent for it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::password_users::cheap_argon2;
use std::sync::Arc;

use common::{Backend, TestApp, backends, spawn_with_config};
use portcullis_authn::password::PasswordHasher;
use portcullis_authn::totp::{Totp, TotpAlgorithm, TotpConfig, TotpSecret};
use portcullis_core::{Credential, CredentialId, CredentialKind, User, UserId, UserType};
use portcullis_server::config::FileConfig;
use portcullis_service::signin::codes::FileCodeSender;
use portcullis_service::signin::credential_payload::{EmailPayload, PasswordPayload, TotpPayload};
use portcullis_service::signin::pipeline::{ResetChannel, ResetInput, ResetStage};
use portcullis_service::signin::{
    PasswordResetSettings, SignInError, SignInRequest, SignInService, SignInSettings,
    TargetApplication,
};
use portcullis_store::{AuditQuery, Batch, Change};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "violet harbour engine 1842";

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

/// A user with a password, an authenticator app and an email method.
async fn create_user(app: &TestApp, upn: &str) -> (UserId, Totp) {
    let user = User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: upn.to_owned(),
        display_name: "Grace".into(),
        mail: Some("grace@example.com".into()),
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: OffsetDateTime::now_utc(),
        attributes: Default::default(),
    };
    let phc = PasswordHasher::new(cheap_argon2())
        .unwrap()
        .hash(PASSWORD, &mut rand::rng())
        .unwrap();
    let secret = TotpSecret::generate(TotpAlgorithm::Sha1, &mut rand::rng());
    let totp_payload = TotpPayload {
        secret: secret.to_base32(),
        config: TotpConfig::default(),
        last_used_step: None,
    };
    let email = EmailPayload {
        email_address: "grace.private@example.net".into(),
        throttle: Default::default(),
    };
    app.store()
        .commit(
            Batch::new()
                .change(Change::CreateUser(user.clone()))
                .change(Change::AddCredential(credential(
                    &user.id,
                    CredentialKind::Password,
                    PasswordPayload {
                        phc,
                        must_change: false,
                    }
                    .to_value(),
                )))
                .change(Change::AddCredential(credential(
                    &user.id,
                    CredentialKind::SoftwareOath,
                    totp_payload.to_value(),
                )))
                .change(Change::AddCredential(credential(
                    &user.id,
                    CredentialKind::Email,
                    serde_json::to_value(&email).unwrap(),
                ))),
        )
        .await
        .unwrap();
    (user.id, Totp::new(secret, TotpConfig::default()))
}

/// The app's store with a sign-in service whose codes go to a file.
async fn service(app: &TestApp, required: u8, codes: &std::path::Path) -> SignInService {
    let mut settings = SignInSettings {
        argon2: cheap_argon2(),
        password_reset: PasswordResetSettings::default(),
        ..SignInSettings::default()
    };
    settings.password_reset.policy.methods_required = required;
    SignInService::start(
        app.store().clone(),
        settings,
        Arc::new(FileCodeSender::new(Some(codes.to_owned()))),
    )
    .await
    .unwrap()
}

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

async fn password_sign_in(signin: &SignInService, upn: &str, password: &str) -> Value {
    let begun = signin
        .begin(SignInRequest::new(
            portcullis_service::signin::pipeline::Protocol::NativeApp,
            TargetApplication::Portal,
            upn,
        ))
        .await
        .unwrap();
    let progress = signin
        .step(
            &begun.transaction,
            portcullis_service::signin::pipeline::Input::Password(password.into()),
        )
        .await
        .unwrap();
    let mut outcome = serde_json::to_value(progress.outcome).unwrap();
    if let Some(session) = progress.session {
        outcome["token"] = json!(session.cookie_value);
    }
    outcome
}

async fn start(backend: &Backend) -> TestApp {
    spawn_with_config(backend, FileConfig::default()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_authenticator_code_resets_the_password_and_ends_every_session() {
    for backend in backends() {
        let app = start(&backend).await;
        let dir = tempfile::tempdir().unwrap();
        let codes = dir.path().join("codes.jsonl");
        let signin = service(&app, 1, &codes).await;
        let (_, totp) = create_user(&app, "grace@example.com").await;
        let before = password_sign_in(&signin, "grace@example.com", PASSWORD).await;
        assert_eq!(before["kind"], "done", "{before}");
        let token = before["token"].as_str().unwrap().to_owned();
        // Two different wrong passwords count toward smart lockout; the reset clears them.
        for wrong in ["not it 1", "not it 2"] {
            let refused = password_sign_in(&signin, "grace@example.com", wrong).await;
            assert_eq!(refused["kind"], "blocked", "{refused}");
        }

        let begun = signin
            .begin_password_reset("grace@example.com", None)
            .await
            .unwrap();
        assert!(matches!(
            begun.stage,
            ResetStage::Verifying {
                verified: 0,
                required: 1,
                ..
            }
        ));
        // Choosing a password before verifying is refused.
        assert!(matches!(
            signin
                .finish_password_reset(&begun.handle, NEW_PASSWORD)
                .await,
            Err(SignInError::Invalid(_))
        ));
        let code = totp.code_at(OffsetDateTime::now_utc()).unwrap();
        let verified = signin
            .password_reset_step(&begun.handle, ResetInput::TotpCode(code))
            .await
            .unwrap();
        assert_eq!(verified.stage, ResetStage::ChoosePassword);
        assert!(matches!(
            signin.finish_password_reset(&begun.handle, "grace-1234").await,
            Err(SignInError::PasswordRejected(reason)) if reason.contains("name")
        ));
        signin
            .finish_password_reset(&begun.handle, NEW_PASSWORD)
            .await
            .unwrap();
        // The handle is spent.
        assert!(matches!(
            signin
                .finish_password_reset(&begun.handle, "another fine password 9")
                .await,
            Err(SignInError::UnknownTransaction)
        ));

        assert!(
            signin.session_from_cookie(&token).await.unwrap().is_none(),
            "the session from before the reset was revoked"
        );
        let old = password_sign_in(&signin, "grace@example.com", PASSWORD).await;
        assert_eq!(old["kind"], "blocked", "{old}");
        let new = password_sign_in(&signin, "grace@example.com", NEW_PASSWORD).await;
        assert_eq!(new["kind"], "done", "{new}");

        let activities: Vec<String> = app
            .store()
            .query_audit(&AuditQuery {
                limit: 100,
                ..AuditQuery::default()
            })
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|record| record.activity_display_name)
            .collect();
        assert!(activities.contains(&"Reset password (self-service)".to_owned()));
        assert!(
            activities.contains(&"Unlock user (self-service password reset)".to_owned()),
            "{activities:?}"
        );
        let notices: Vec<Value> = lines(&codes)
            .into_iter()
            .filter(|line| line.get("notice").is_some())
            .collect();
        assert_eq!(notices.len(), 1, "the user is told: {notices:?}");
        assert_eq!(notices[0]["destination"], "grace@example.com");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_methods_with_an_emailed_code_and_an_unknown_name_answers_alike() {
    for backend in backends() {
        let app = start(&backend).await;
        let dir = tempfile::tempdir().unwrap();
        let codes = dir.path().join("codes.jsonl");
        let signin = service(&app, 2, &codes).await;
        let (_, totp) = create_user(&app, "grace@example.com").await;

        let real = signin
            .begin_password_reset("grace@example.com", None)
            .await
            .unwrap();
        let ghost = signin
            .begin_password_reset("nobody@example.com", None)
            .await
            .unwrap();
        assert_eq!(real.stage, ghost.stage);
        let send = ResetInput::SendCode(ResetChannel::Email);
        let real_sent = signin
            .password_reset_step(&real.handle, send.clone())
            .await
            .unwrap();
        let ghost_sent = signin
            .password_reset_step(&ghost.handle, send)
            .await
            .unwrap();
        assert_eq!(real_sent.stage, ghost_sent.stage);
        let sent = lines(&codes);
        assert_eq!(sent.len(), 1, "a code only for the real account: {sent:?}");
        assert_eq!(sent[0]["destination"], "grace.private@example.net");
        let code = sent[0]["code"].as_str().unwrap().to_owned();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert_eq!(
            signin
                .password_reset_step(&ghost.handle, ResetInput::OneTimeCode(code.clone()))
                .await
                .unwrap()
                .stage,
            signin
                .password_reset_step(&real.handle, ResetInput::OneTimeCode(wrong.into()))
                .await
                .unwrap()
                .stage,
        );

        let emailed = signin
            .password_reset_step(&real.handle, ResetInput::OneTimeCode(code))
            .await
            .unwrap();
        assert!(matches!(
            emailed.stage,
            ResetStage::Verifying {
                verified: 1,
                required: 2,
                ..
            }
        ));
        let app_code = totp.code_at(OffsetDateTime::now_utc()).unwrap();
        let both = signin
            .password_reset_step(&real.handle, ResetInput::TotpCode(app_code))
            .await
            .unwrap();
        assert_eq!(both.stage, ResetStage::ChoosePassword);
        signin
            .finish_password_reset(&real.handle, NEW_PASSWORD)
            .await
            .unwrap();
    }
}
