//! Passwordless phone sign-in against a real server: the sign-in service sends the
//! request, the app approves it with the number and its local unlock, and the sign-in
//! meets the Passwordless MFA strength. Wrong number, denial and report fail it (the
//! report raises user risk), an approval without local unlock or from a device not
//! enabled for it is refused, and a name without an enabled device gets a number that
//! no device ever sees. On SQLite, and on PostgreSQL when `PORTCULLIS_TEST_POSTGRES_URL`
//! is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use std::sync::Arc;
use std::time::Duration;

use common::{Server, backends, create_user, start};
use portcullis_authenticator::client::{Client, ClientError};
use portcullis_authenticator::commands::{self, CommandError, RespondRequest};
use portcullis_authenticator::datadir::DataDir;
use portcullis_authenticator::device::UnlockedDevice;
use portcullis_core::UserId;
use portcullis_core::UserRiskLevel;
use portcullis_push::{Decision, MatchNumber, NoticePurpose, PushNotice};
use portcullis_service::signin::codes::FileCodeSender;
use portcullis_service::signin::{
    PhoneSignIn, SignInProgress, SignInRequest, SignInService, SignInSettings, TargetApplication,
    TransactionId,
};
use portcullis_signin::{ErrorCode, Outcome, Protocol};
use portcullis_store::{Batch, Change};
use time::OffsetDateTime;

const PASSWORDLESS_MFA_ID: &str = "00000000-0000-0000-0000-000000000003";

struct Phone {
    _temp: tempfile::TempDir,
    dir: DataDir,
}

/// Activates one app for `user`, enabled for phone sign-in or not (no passphrase: the
/// scriptable path then needs `--confirm-local`).
async fn activate(server: &Server, user: &UserId, phone_sign_in: bool) -> Phone {
    let temp = tempfile::tempdir().unwrap();
    let dir = DataDir::resolve(Some(temp.path().join("app"))).unwrap();
    let link = server
        .services
        .push()
        .issue_activation(user, OffsetDateTime::now_utc())
        .await
        .unwrap();
    commands::activate(&dir, &link.link, "phone", false, phone_sign_in)
        .await
        .unwrap();
    Phone { _temp: temp, dir }
}

/// Every sign-in must meet the built-in Passwordless MFA strength.
async fn require_passwordless(server: &Server) {
    let policy = serde_json::json!({
        "id": "passwordless-all", "displayName": "Passwordless MFA", "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"]
        },
        "grantControls": {"operator": "OR", "builtInControls": [],
            "authenticationStrength": {"id": PASSWORDLESS_MFA_ID}}
    });
    server
        .services
        .store()
        .commit(Batch::new().change(Change::PutPolicy {
            kind: portcullis_store::PolicyKind::ConditionalAccessPolicy,
            id: "passwordless-all".into(),
            json: policy,
            precondition: portcullis_store::Precondition::None,
            at: OffsetDateTime::now_utc(),
        }))
        .await
        .unwrap();
}

async fn signin_service(server: &Server) -> SignInService {
    SignInService::start(
        server.services.store().clone(),
        SignInSettings::default(),
        Arc::new(FileCodeSender::new(None)),
    )
    .await
    .unwrap()
}

async fn begin(signin: &SignInService, server: &Server, upn: &str) -> (TransactionId, PhoneSignIn) {
    let begun = signin
        .begin(SignInRequest::new(
            Protocol::Browser,
            TargetApplication::Portal,
            upn,
        ))
        .await
        .unwrap();
    let shown = signin
        .start_phone_sign_in(server.services.push(), &begun.transaction)
        .await
        .unwrap();
    (begun.transaction, shown)
}

async fn notices(phone: &Phone) -> (UnlockedDevice, Client, Vec<PushNotice>) {
    let device = commands::unlock(&phone.dir, None).unwrap();
    let client = Client::new(&device.file.server).unwrap();
    let pending = client.pending(&device).await.unwrap();
    (device, client, pending)
}

async fn finish(signin: &SignInService, server: &Server, tx: &TransactionId) -> SignInProgress {
    signin
        .finish_phone_sign_in(server.services.push(), tx, Duration::from_secs(5))
        .await
        .unwrap()
        .expect("the request was answered")
}

fn other(number: MatchNumber) -> MatchNumber {
    MatchNumber::try_from(if number.value() == 99 {
        10
    } else {
        number.value() + 1
    })
    .unwrap()
}

fn respond_request(decision: Decision, number: Option<&str>, confirm: bool) -> RespondRequest<'_> {
    RespondRequest {
        decision,
        number,
        approval: None,
        wait: Duration::ZERO,
        device: None,
        confirm_local: confirm,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_app_approves_with_the_number_and_local_unlock_and_meets_passwordless_mfa() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        require_passwordless(&server).await;
        let user = create_user(&server.services, "pat@example.org").await;
        let phone = activate(&server, &user, true).await;
        let signin = signin_service(&server).await;
        let (tx, shown) = begin(&signin, &server, "pat@example.org").await;

        let (_, _, pending) = notices(&phone).await;
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].purpose, NoticePurpose::PasswordlessSignIn);
        // Without the local confirmation the app itself will not approve.
        let number = shown.number.to_string();
        let refused = commands::respond(
            &phone.dir,
            respond_request(Decision::Approve, Some(&number), false),
        )
        .await;
        assert!(
            matches!(refused, Err(CommandError::LocalUnlockNeeded)),
            "{refused:?}"
        );
        let out = commands::respond(
            &phone.dir,
            respond_request(Decision::Approve, Some(&number), true),
        )
        .await
        .unwrap();
        assert!(out.starts_with("approved"), "{out}");

        let done = finish(&signin, &server, &tx).await;
        let Some(Outcome::Done(completed)) = &done.outcome else {
            panic!("expected a completed sign-in, got {:?}", done.outcome);
        };
        assert_eq!(completed.amr, ["swk", "user", "mfa"]);
        let logged = server
            .services
            .store()
            .get_sign_in(&done.sign_in_id.unwrap())
            .await
            .unwrap();
        assert_eq!(logged.status.error_code, 0);
        let steps = logged.authentication_details.as_array().unwrap();
        assert_eq!(
            steps[0]["authenticationMethod"],
            "Passwordless phone sign-in"
        );
        assert_eq!(steps[0]["succeeded"], true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_without_local_unlock_is_refused_by_the_server() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let user = create_user(&server.services, "quinn@example.org").await;
        let phone = activate(&server, &user, true).await;
        let signin = signin_service(&server).await;
        let (tx, shown) = begin(&signin, &server, "quinn@example.org").await;
        let (device, client, pending) = notices(&phone).await;
        // A modified app that skips the unlock: the signed flag says so.
        let answer = device.answer(&pending[0], Decision::Approve, Some(shown.number), false);
        let refused = client.respond(&answer).await;
        assert!(
            matches!(&refused, Err(ClientError::Refused { status: 403, message }) if message.contains("local unlock")),
            "{refused:?}"
        );
        // Nothing was settled: still waiting.
        let still = signin
            .finish_phone_sign_in(server.services.push(), &tx, Duration::ZERO)
            .await
            .unwrap();
        assert!(still.is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_number_deny_and_report_fail_the_sign_in_like_a_wrong_password() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let signin = signin_service(&server).await;
        for (n, decision) in [Decision::Approve, Decision::Deny, Decision::Report]
            .into_iter()
            .enumerate()
        {
            let upn = format!("rae{n}@example.org");
            let user = create_user(&server.services, &upn).await;
            let phone = activate(&server, &user, true).await;
            let (tx, shown) = begin(&signin, &server, &upn).await;
            let wrong = other(shown.number).to_string();
            let number = (decision == Decision::Approve).then_some(wrong.as_str());
            commands::respond(&phone.dir, respond_request(decision, number, true))
                .await
                .unwrap();
            let ended = finish(&signin, &server, &tx).await;
            assert_eq!(
                ended.outcome,
                Some(Outcome::Blocked {
                    code: ErrorCode::InvalidUserNameOrPassword
                }),
                "{decision:?}"
            );
            let logged = server
                .services
                .store()
                .get_sign_in(&ended.sign_in_id.unwrap())
                .await
                .unwrap();
            let steps = logged.authentication_details.as_array().unwrap();
            let expected = match decision {
                Decision::Approve => "MFA denied; user did not select the correct number",
                Decision::Deny => "MFA denied; user declined the authentication",
                Decision::Report => "MFA denied; Fraud Code Entered",
            };
            assert_eq!(steps[0]["authenticationStepResultDetail"], expected);
            if decision == Decision::Report {
                let risk = server
                    .services
                    .store()
                    .get_user_risk(&user)
                    .await
                    .unwrap()
                    .expect("a risk row after the report");
                assert_eq!(risk.risk_level, UserRiskLevel::High);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn names_without_an_enabled_device_get_the_same_screen_and_no_push() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let signin = signin_service(&server).await;
        let user = create_user(&server.services, "sam@example.org").await;
        let not_enabled = activate(&server, &user, false).await;

        let (unknown_tx, unknown) = begin(&signin, &server, "nobody@example.org").await;
        let (known_tx, known) = begin(&signin, &server, "sam@example.org").await;
        for (tx, shown) in [(&unknown_tx, &unknown), (&known_tx, &known)] {
            let left = (shown.expires_at - OffsetDateTime::now_utc()).whole_seconds();
            assert!((80..=90).contains(&left), "{left}");
            let state = signin
                .phone_sign_in_state(server.services.push(), tx, Duration::from_millis(200))
                .await
                .unwrap();
            assert_eq!(state.name(), "pending");
        }
        // The device not enabled for phone sign-in never saw a request.
        let (_, _, pending) = notices(&not_enabled).await;
        assert!(pending.is_empty(), "{pending:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_a_device_enabled_for_phone_sign_in_may_approve() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let signin = signin_service(&server).await;
        let user = create_user(&server.services, "tam@example.org").await;
        let enabled = activate(&server, &user, true).await;
        let other_device = activate(&server, &user, false).await;
        let (tx, shown) = begin(&signin, &server, "tam@example.org").await;
        // The request is shown only where it can be approved…
        let (_, _, seen_by_enabled) = notices(&enabled).await;
        assert_eq!(seen_by_enabled.len(), 1);
        let (device, client, seen_by_other) = notices(&other_device).await;
        assert!(seen_by_other.is_empty(), "{seen_by_other:?}");
        // …and an approval from the other device, which learnt of it some other way, is
        // refused.
        let answer = device.answer(
            &seen_by_enabled[0],
            Decision::Approve,
            Some(shown.number),
            true,
        );
        let refused = client.respond(&answer).await;
        assert!(
            matches!(&refused, Err(ClientError::Refused { status: 403, message }) if message.contains("not enabled for passwordless")),
            "{refused:?}"
        );
        let still = signin
            .finish_phone_sign_in(server.services.push(), &tx, Duration::ZERO)
            .await
            .unwrap();
        assert!(still.is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn phone_sign_in_can_be_turned_on_and_off_from_the_app_after_activation() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let signin = signin_service(&server).await;
        let user = create_user(&server.services, "uma@example.org").await;
        let phone = activate(&server, &user, false).await;
        let push = server.services.push();
        assert!(push.phone_sign_in_devices(&user).await.unwrap().is_empty());

        // Off: a passwordless request never reaches the app.
        let (_off_tx, _) = begin(&signin, &server, "uma@example.org").await;
        let (_, _, pending) = notices(&phone).await;
        assert!(pending.is_empty(), "{pending:?}");

        // On, from the app (a signed device request): the next request is shown and the
        // approval signs the user in.
        let said = commands::set_phone_sign_in(&phone.dir, None, true)
            .await
            .unwrap();
        assert!(said.contains("now on"), "{said}");
        let again = commands::set_phone_sign_in(&phone.dir, None, true)
            .await
            .unwrap();
        assert!(again.contains("already on"), "{again}");
        assert_eq!(push.phone_sign_in_devices(&user).await.unwrap().len(), 1);
        let (tx, shown) = begin(&signin, &server, "uma@example.org").await;
        let (device, client, pending) = notices(&phone).await;
        assert_eq!(pending.len(), 1, "{pending:?}");
        let answer = device.answer(&pending[0], Decision::Approve, Some(shown.number), true);
        client.respond(&answer).await.unwrap();
        let progress = finish(&signin, &server, &tx).await;
        assert!(
            matches!(progress.outcome, Some(portcullis_signin::Outcome::Done(_))),
            "{:?}",
            progress.outcome
        );

        // Off again: the app no longer sees passwordless requests.
        let said = commands::set_phone_sign_in(&phone.dir, None, false)
            .await
            .unwrap();
        assert!(said.contains("now off"), "{said}");
        assert!(push.phone_sign_in_devices(&user).await.unwrap().is_empty());
        let (_later_tx, _) = begin(&signin, &server, "uma@example.org").await;
        let (_, _, pending) = notices(&phone).await;
        assert!(pending.is_empty(), "{pending:?}");

        // Both changes are audited with the old and new setting.
        let changes = server
            .services
            .store()
            .query_audit(&portcullis_store::AuditQuery {
                filter: None,
                from: None,
                to: None,
                limit: 100,
                cursor: None,
            })
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|record| {
                record
                    .additional_details
                    .iter()
                    .any(|detail| detail.key == "newPhoneSignIn")
            })
            .count();
        assert_eq!(changes, 2);
    }
}
