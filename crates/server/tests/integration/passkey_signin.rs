//! Passwordless passkey sign-in through the sign-in service (what `/signin/passkey…` and
//! `/api/v1/signin/passkey…` call), with a software authenticator making real P-256
//! assertions, on SQLite and (when `PORTCULLIS_TEST_POSTGRES_URL` is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::password_users::cheap_argon2;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Backend, backends, spawn_with};
use portcullis_core::{Credential, CredentialId, CredentialKind, UserId};
use portcullis_passkeys::{AaguidPolicy, PasskeyUser, Passkeys, RelyingParty};
use portcullis_server::config::HttpSection;
use portcullis_service::security_info::{SecurityInfoService, SecurityInfoSettings};
use portcullis_service::signin::codes::FileCodeSender;
use portcullis_service::signin::pipeline::{Outcome, Protocol, Stage};
use portcullis_service::signin::{
    SignInError, SignInRequest, SignInService, SignInSettings, TargetApplication,
};
use portcullis_store::{Batch, Change};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

const PUBLIC_URL: &str = "https://login.example.com";
const PHISHING_RESISTANT: &str = "00000000-0000-0000-0000-000000000004";

fn origin() -> Url {
    Url::parse(PUBLIC_URL).unwrap()
}

/// The software authenticator keeps no resident credentials, so the test plays its part
/// of discovery: it names its own credential in the options and puts the user handle
/// (which is not signed) in the answer, as a platform authenticator would.
fn discover(
    authenticator: &mut SoftPasskey,
    mut options: Value,
    webauthn_credential_id: &[u8],
    user: &UserId,
) -> String {
    options["publicKey"]["allowCredentials"] = json!([{
        "type": "public-key",
        "id": URL_SAFE_NO_PAD.encode(webauthn_credential_id),
    }]);
    let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    let answer = authenticator.do_authentication(origin(), options).unwrap();
    let mut answer = serde_json::to_value(&answer).unwrap();
    let handle = Uuid::parse_str(user.as_str()).unwrap();
    answer["response"]["userHandle"] = json!(URL_SAFE_NO_PAD.encode(handle.as_bytes()));
    answer.to_string()
}

/// Registers `authenticator` for `user` as the security-info service would store it.
async fn register(
    app: &common::TestApp,
    user: &UserId,
    upn: &str,
    authenticator: &mut SoftPasskey,
) -> (CredentialId, Vec<u8>) {
    let rp =
        Passkeys::new(&RelyingParty::for_public_url(PUBLIC_URL, "Portcullis").unwrap()).unwrap();
    let now = OffsetDateTime::now_utc();
    let person = PasskeyUser {
        id: user,
        name: upn,
        display_name: upn,
    };
    let (options, ceremony) = rp.begin_registration(person, &[], now).unwrap();
    let options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    let response = authenticator.do_registration(origin(), options).unwrap();
    let registered = rp
        .finish_registration(
            ceremony,
            &serde_json::to_string(&response).unwrap(),
            &AaguidPolicy::default(),
            now,
        )
        .unwrap();
    let id = CredentialId::from_uuid(Uuid::new_v4());
    let webauthn_id = registered.stored.webauthn_credential_id().to_vec();
    let credential = Credential {
        id: id.clone(),
        user_id: user.clone(),
        kind: CredentialKind::Fido2,
        display_name: Some("Soft passkey".into()),
        payload: registered.stored.to_payload().unwrap(),
        metadata: json!({}),
        created_date_time: now,
        last_used_date_time: None,
        revision: 0,
    };
    app.store()
        .commit(Batch::new().change(Change::AddCredential(credential)))
        .await
        .unwrap();
    (id, webauthn_id)
}

fn request() -> SignInRequest {
    let mut request = SignInRequest::new(
        Protocol::NativeApp,
        TargetApplication::Portal,
        "ignored@example.com",
    );
    request.ip_address = Some("203.0.113.7".parse().unwrap());
    request
}

async fn scenario(backend: Backend) {
    let app = spawn_with(&backend, HttpSection::default()).await;
    let admin = app.admin_token().await;
    let upn = format!("passkey-{}@example.com", Uuid::new_v4().simple());
    let (status, created) = app
        .post(
            "/v1.0/users",
            &admin,
            json!({"displayName": "Passkey user", "userPrincipalName": upn}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let user = UserId::parse(created["id"].as_str().unwrap()).unwrap();
    let mut authenticator = SoftPasskey::new(true);
    let (credential, webauthn_id) = register(&app, &user, &upn, &mut authenticator).await;

    let passkeys = SecurityInfoService::new(
        app.services.clone(),
        SecurityInfoSettings::for_public_url(PUBLIC_URL).unwrap(),
    )
    .unwrap();
    let settings = SignInSettings {
        argon2: cheap_argon2(),
        ..SignInSettings::default()
    };
    let signin = SignInService::start(
        app.store().clone(),
        settings,
        Arc::new(FileCodeSender::new(None)),
    )
    .await
    .unwrap();

    // Username-less: the passkey alone names and signs in the user.
    let (progress, options) = signin.begin_passkey(request(), &passkeys).await.unwrap();
    assert_eq!(progress.stage, Stage::FirstFactor);
    assert!(
        options["publicKey"]
            .get("allowCredentials")
            .is_none_or(|list| list.as_array().is_some_and(Vec::is_empty)),
        "discoverable: no credential list reveals who may sign in: {options}"
    );
    assert_eq!(options["publicKey"]["userVerification"], "required");
    let answer = discover(&mut authenticator, options, &webauthn_id, &user);
    let done = signin
        .passkey_step(&progress.transaction, &answer, &passkeys)
        .await
        .unwrap();
    let Some(Outcome::Done(completed)) = &done.outcome else {
        panic!("passkey sign-in did not complete: {:?}", done.outcome);
    };
    assert_eq!(completed.user_id, user);
    for value in ["hwk", "user", "mfa"] {
        assert!(completed.amr.iter().any(|amr| amr == value), "{value}");
    }
    assert!(
        completed
            .strengths_met
            .iter()
            .any(|id| id == PHISHING_RESISTANT),
        "a verified passkey is phishing-resistant MFA: {:?}",
        completed.strengths_met
    );
    assert!(done.session.is_some());
    assert!(done.sign_in_id.is_some(), "the sign-in was logged");
    let stored = app.store().list_credentials(&user).await.unwrap();
    let used = stored.iter().find(|c| c.id == credential).unwrap();
    assert!(used.last_used_date_time.is_some(), "last use recorded");

    // The same answer again: the transaction is over.
    assert!(matches!(
        signin
            .passkey_step(&progress.transaction, &answer, &passkeys)
            .await,
        Err(SignInError::UnknownTransaction)
    ));
    // Replayed into a new ceremony: its challenge differs, so it is refused, nothing
    // signs in, and the refusal is logged as a failed first factor, which ends that
    // sign-in.
    let failures_before = failed_passkey_entries(&app).await;
    let (second, _) = signin.begin_passkey(request(), &passkeys).await.unwrap();
    assert!(matches!(
        signin
            .passkey_step(&second.transaction, &answer, &passkeys)
            .await,
        Err(SignInError::PasskeyRejected(_))
    ));
    assert_eq!(failed_passkey_entries(&app).await, failures_before + 1);
    assert!(matches!(
        signin
            .passkey_step(&second.transaction, &answer, &passkeys)
            .await,
        Err(SignInError::UnknownTransaction)
    ));
    let (fresh_transaction, options) = signin.begin_passkey(request(), &passkeys).await.unwrap();
    let fresh = discover(&mut authenticator, options, &webauthn_id, &user);
    let fresh = signin
        .passkey_step(&fresh_transaction.transaction, &fresh, &passkeys)
        .await
        .unwrap();
    assert!(matches!(fresh.outcome, Some(Outcome::Done(_))));

    // A passkey unknown to Portcullis (another authenticator, claiming to be this user)
    // signs no one in.
    let mut stranger = SoftPasskey::new(true);
    let rp =
        Passkeys::new(&RelyingParty::for_public_url(PUBLIC_URL, "Portcullis").unwrap()).unwrap();
    let (reg_options, _) = rp
        .begin_registration(
            PasskeyUser {
                id: &user,
                name: &upn,
                display_name: "Impostor",
            },
            &[],
            OffsetDateTime::now_utc(),
        )
        .unwrap();
    let foreign = stranger
        .do_registration(origin(), serde_json::from_value(reg_options).unwrap())
        .unwrap();
    let (third, options) = signin.begin_passkey(request(), &passkeys).await.unwrap();
    let foreign_id = URL_SAFE_NO_PAD.decode(foreign.id.as_bytes()).unwrap();
    let foreign = discover(&mut stranger, options, &foreign_id, &user);
    let refused = signin
        .passkey_step(&third.transaction, &foreign, &passkeys)
        .await;
    assert!(
        matches!(refused, Err(SignInError::PasskeyRejected(_))),
        "{refused:?}"
    );
}

/// Sign-in log entries of refused passkeys (50126 with a failed passkey step).
async fn failed_passkey_entries(app: &common::TestApp) -> usize {
    app.store()
        .query_sign_ins(&portcullis_store::SignInQuery {
            limit: 1000,
            ..portcullis_store::SignInQuery::default()
        })
        .await
        .unwrap()
        .items
        .iter()
        .filter(|entry| {
            entry.status.error_code == 50126
                && entry
                    .authentication_details
                    .as_array()
                    .is_some_and(|steps| {
                        steps.iter().any(|step| {
                            step["authenticationMethod"] == "Passkey (FIDO2)"
                                && step["succeeded"] == false
                        })
                    })
        })
        .count()
}

#[tokio::test]
async fn passkey_sign_in_on_every_backend() {
    for backend in backends() {
        scenario(backend).await;
    }
}
