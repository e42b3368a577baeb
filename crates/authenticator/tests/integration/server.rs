//! The app against a real server: activation, push approval with number matching (right
//! and wrong number), deny, report (risk high, audit, suspension), expiry, replay, two
//! devices, removing a device, and the event stream. On SQLite, and on PostgreSQL when
//! `PORTCULLIS_TEST_POSTGRES_URL` is set (each run in its own schema).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::{backends, create_user, start};

use std::sync::Arc;
use std::time::Duration;

use portcullis_authenticator::client::{Client, ClientError};
use portcullis_authenticator::commands::{self, RespondRequest};
use portcullis_authenticator::datadir::DataDir;
use portcullis_authenticator::device::UnlockedDevice;
use portcullis_authenticator::watch::{Update, watch};
use portcullis_core::UserId;
use portcullis_push::{
    ApprovalContext, ApprovalPurpose, ApprovalState, Decision, MatchNumber, PushRefusal,
};
use portcullis_service::Services;
use portcullis_service::push::{PushError, StartedPush};
use portcullis_store::{Batch, Change};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use uuid::Uuid;

/// A user with `devices` activated authenticators, each in its own data directory.
struct Enrolled {
    user: UserId,
    dirs: Vec<(tempfile::TempDir, DataDir)>,
}

async fn enrol(services: &Services, upn: &str, devices: usize) -> Enrolled {
    let user = create_user(services, upn).await;
    let mut dirs = Vec::new();
    for n in 0..devices {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::resolve(Some(temp.path().join("app"))).unwrap();
        let link = services
            .push()
            .issue_activation(&user, OffsetDateTime::now_utc())
            .await
            .unwrap();
        let file = commands::activate(&dir, &link.link, &format!("device {n}"), false, false)
            .await
            .unwrap();
        assert_eq!(file.user_id, user);
        dirs.push((temp, dir));
    }
    Enrolled { user, dirs }
}

async fn push(services: &Services, user: &UserId) -> Result<StartedPush, PushError> {
    services
        .push()
        .start_push(
            user,
            ApprovalPurpose::SignIn {
                correlation_id: Uuid::new_v4().to_string(),
            },
            ApprovalContext {
                application: "Payroll".into(),
                ip_address: Some("198.51.100.23".into()),
                location: Some("Lisbon, PT".into()),
                requested_at: OffsetDateTime::now_utc(),
            },
            OffsetDateTime::now_utc(),
        )
        .await
}

async fn respond(
    dir: &DataDir,
    decision: Decision,
    number: Option<String>,
) -> Result<String, commands::CommandError> {
    commands::respond(
        dir,
        RespondRequest {
            decision,
            number: number.as_deref(),
            approval: None,
            wait: Duration::ZERO,
            device: None,
            confirm_local: false,
        },
    )
    .await
}

fn other_number(number: MatchNumber) -> String {
    (if number.value() == 99 {
        10
    } else {
        number.value() + 1
    })
    .to_string()
}

async fn next(updates: &mut mpsc::Receiver<Update>) -> Update {
    loop {
        let update = tokio::time::timeout(Duration::from_secs(10), updates.recv())
            .await
            .expect("an update within 10 s")
            .expect("the stream task is alive");
        if !matches!(update, Update::Disconnected { .. }) {
            return update;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_right_number_approves_a_waiting_sign_in() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let alice = enrol(&server.services, "alice@example.org", 1).await;
        let started = push(&server.services, &alice.user).await.unwrap();
        let waiter = {
            let services = server.services.clone();
            let id = started.approval_id;
            tokio::spawn(async move {
                services
                    .push()
                    .wait_for_answer(&id, Duration::from_secs(20))
                    .await
            })
        };
        let out = respond(
            &alice.dirs[0].1,
            Decision::Approve,
            Some(started.number.to_string()),
        )
        .await
        .unwrap();
        assert!(out.starts_with("approved"), "{out}");
        let state = waiter.await.unwrap().unwrap();
        let device = alice.dirs[0].1.device(None).unwrap().device_id;
        assert_eq!(state, ApprovalState::Approved { device_id: device });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wrong_number_fails_and_deny_cools_pushes_down() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let bob = enrol(&server.services, "bob@example.org", 1).await;
        let started = push(&server.services, &bob.user).await.unwrap();
        let out = respond(
            &bob.dirs[0].1,
            Decision::Approve,
            Some(other_number(started.number)),
        )
        .await
        .unwrap();
        assert!(out.starts_with("wrongNumber"), "{out}");
        let state = server
            .services
            .push()
            .wait_for_answer(&started.approval_id, Duration::from_secs(1))
            .await
            .unwrap();
        assert!(matches!(state, ApprovalState::WrongNumber { .. }));
        // A wrong number counts as a denial: the next push waits for the cool-down.
        assert!(matches!(
            push(&server.services, &bob.user).await,
            Err(PushError::Refused(PushRefusal::CoolingDown { .. }))
        ));

        let carol = enrol(&server.services, "carol@example.org", 1).await;
        push(&server.services, &carol.user).await.unwrap();
        let out = respond(&carol.dirs[0].1, Decision::Deny, None)
            .await
            .unwrap();
        assert!(out.starts_with("denied"), "{out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_report_raises_user_risk_audits_and_suspends_pushes() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let dave = enrol(&server.services, "dave@example.org", 1).await;
        push(&server.services, &dave.user).await.unwrap();
        let out = respond(&dave.dirs[0].1, Decision::Report, None)
            .await
            .unwrap();
        assert!(out.starts_with("reported"), "{out}");
        let store = server.services.store();
        let risks = store
            .list_risk_events(Some(&dave.user), None, 100)
            .await
            .unwrap();
        assert!(
            risks
                .iter()
                .any(|r| r.risk_event_type == "userReportedSuspiciousActivity"
                    && r.risk_level == "high"
                    && r.risk_state == "atRisk"),
            "{risks:?}"
        );
        let audit = store
            .query_audit(&portcullis_store::AuditQuery {
                filter: None,
                from: None,
                to: None,
                limit: 200,
                cursor: None,
            })
            .await
            .unwrap();
        assert!(
            audit
                .items
                .iter()
                .any(|a| a.activity_display_name == "Fraud reported - user is blocked for MFA")
        );
        assert!(matches!(
            push(&server.services, &dave.user).await,
            Err(PushError::Refused(PushRefusal::Suspended { .. }))
        ));
    }
}

/// The whole "this wasn't me" path: the report raises user risk, which a Conditional
/// Access policy on `userRiskLevels: ["high"]` turns into a block of the user's next
/// sign-in (53003), logged with the risk.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_report_makes_a_user_risk_policy_block_the_next_sign_in() {
    use portcullis_authn::password::{Argon2Params, PasswordHasher};
    use portcullis_service::signin::codes::FileCodeSender;
    use portcullis_service::signin::credential_payload::PasswordPayload;
    use portcullis_service::signin::{
        SignInRequest, SignInService, SignInSettings, TargetApplication,
    };
    use portcullis_signin::{ErrorCode, Input, Outcome, Protocol};

    const PASSWORD: &str = "correct horse battery staple";
    let cheap = Argon2Params {
        memory_kib: 8 * 1024,
        iterations: 1,
        parallelism: 1,
    };
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let store = server.services.store().clone();
        let erin = enrol(&server.services, "erin@example.org", 1).await;
        let phc = PasswordHasher::new(cheap)
            .unwrap()
            .hash(PASSWORD, &mut rand::rng())
            .unwrap();
        let password = portcullis_core::Credential {
            id: portcullis_core::CredentialId::from_uuid(Uuid::new_v4()),
            user_id: erin.user.clone(),
            kind: portcullis_core::CredentialKind::Password,
            display_name: None,
            payload: PasswordPayload {
                phc,
                must_change: false,
            }
            .to_value(),
            metadata: serde_json::json!({}),
            created_date_time: OffsetDateTime::now_utc(),
            last_used_date_time: None,
            revision: 0,
        };
        let policy = serde_json::json!({
            "id": "block-risky", "displayName": "Block high user risk", "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"],
                "userRiskLevels": ["high"]
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        });
        store
            .commit(Batch::new().change(Change::AddCredential(password)).change(
                Change::PutPolicy {
                    kind: portcullis_store::PolicyKind::ConditionalAccessPolicy,
                    id: "block-risky".into(),
                    json: policy,
                    precondition: portcullis_store::Precondition::None,
                    at: OffsetDateTime::now_utc(),
                },
            ))
            .await
            .unwrap();
        let signin = SignInService::start(
            store.clone(),
            SignInSettings {
                argon2: cheap,
                ..SignInSettings::default()
            },
            Arc::new(FileCodeSender::new(None)),
        )
        .await
        .unwrap();
        let sign_in = || async {
            let begun = signin
                .begin(SignInRequest::new(
                    Protocol::Browser,
                    TargetApplication::Portal,
                    "erin@example.org",
                ))
                .await
                .unwrap();
            signin
                .step(&begun.transaction, Input::Password(PASSWORD.into()))
                .await
                .unwrap()
        };
        let before = sign_in().await;
        assert!(
            matches!(before.outcome, Some(Outcome::Done(_))),
            "not risky yet: {:?}",
            before.outcome
        );

        push(&server.services, &erin.user).await.unwrap();
        let out = respond(&erin.dirs[0].1, Decision::Report, None)
            .await
            .unwrap();
        assert!(out.starts_with("reported"), "{out}");

        let after = sign_in().await;
        assert_eq!(
            after.outcome,
            Some(Outcome::Blocked {
                code: ErrorCode::BlockedByConditionalAccess
            })
        );
        let logged = store
            .get_sign_in(&after.sign_in_id.expect("the blocked step is logged"))
            .await
            .unwrap();
        assert_eq!(logged.status.error_code, 53003);
        assert_eq!(logged.risk_level_aggregated.as_deref(), Some("high"));
        assert_eq!(logged.risk_state.as_deref(), Some("atRisk"));
    }
}

/// Helpdesk verification: the agent sends a push, reads the number to the caller, the
/// user approves with it in the app; the agent sees "approved", and both the request and
/// the answer are audited. A Helpdesk Administrator cannot verify an administrator.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_helpdesk_verification_push_shows_the_answer_and_is_audited() {
    use portcullis_core::{Actor, DirectoryRole, Principal, RoleAssignment, RoleAssignmentId};
    use portcullis_service::{Caller, ServiceError};

    fn helpdesk_agent() -> Caller {
        let agent = UserId::from_uuid(Uuid::new_v4());
        let mut caller = Caller::user(&agent, "agent@example.org", None);
        caller.actor = Actor::User {
            id: agent,
            roles: vec![DirectoryRole::HelpdeskAdministrator],
        };
        caller
    }

    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let services = &server.services;
        let fay = enrol(services, "fay@example.org", 1).await;
        let agent = helpdesk_agent();
        let sent = services
            .send_verification_push(&agent, &fay.user)
            .await
            .unwrap();
        assert_eq!(sent.status, "pending");
        assert_eq!(sent.requested_by, "agent@example.org");
        let app_dir = &fay.dirs[0].1;
        let out = respond(app_dir, Decision::Approve, Some(sent.number.to_string()))
            .await
            .unwrap();
        assert!(out.starts_with("approved"), "{out}");
        let seen = services
            .verification_push(&agent, &fay.user, &sent.id.to_string())
            .await
            .unwrap();
        assert_eq!((seen.status, seen.verified), ("approved", true));
        let audit = services
            .store()
            .query_audit(&portcullis_store::AuditQuery {
                limit: 200,
                ..portcullis_store::AuditQuery::default()
            })
            .await
            .unwrap();
        let activities: Vec<_> = audit
            .items
            .iter()
            .map(|record| record.activity_display_name.as_str())
            .collect();
        assert!(
            activities.contains(&"Send helpdesk verification push"),
            "{activities:?}"
        );
        assert!(
            activities.contains(&"Helpdesk verified user identity"),
            "{activities:?}"
        );

        // A sign-in push is not the helpdesk's to read.
        let sign_in_push = push(services, &fay.user).await.unwrap();
        assert!(matches!(
            services
                .verification_push(&agent, &fay.user, &sign_in_push.approval_id.to_string())
                .await,
            Err(ServiceError::NotFound(_))
        ));
        services
            .push()
            .cancel(&sign_in_push.approval_id, OffsetDateTime::now_utc())
            .await
            .unwrap();
        // A denial reads as not verified.
        let second = services
            .send_verification_push(&agent, &fay.user)
            .await
            .unwrap();
        respond(app_dir, Decision::Deny, None).await.unwrap();
        let seen = services
            .verification_push(&agent, &fay.user, &second.id.to_string())
            .await
            .unwrap();
        assert_eq!((seen.status, seen.verified), ("denied", false));

        // Administrators are beyond a Helpdesk Administrator's reach.
        let admin = enrol(services, "root@example.org", 1).await;
        services
            .store()
            .commit(Batch::new().change(Change::AssignRole(RoleAssignment {
                id: RoleAssignmentId::from_uuid(Uuid::new_v4()),
                principal: Principal::User(admin.user.clone()),
                role: DirectoryRole::GlobalAdministrator,
                directory_scope_id: "/".into(),
                created_date_time: OffsetDateTime::now_utc(),
            })))
            .await
            .unwrap();
        assert!(matches!(
            services.send_verification_push(&agent, &admin.user).await,
            Err(ServiceError::Forbidden(_))
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replayed_expired_and_removed_device_answers_are_refused() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let erin = enrol(&server.services, "erin@example.org", 2).await;
        let started = push(&server.services, &erin.user).await.unwrap();
        let first = Arc::new(commands::unlock(&erin.dirs[0].1, None).unwrap());
        let second = commands::unlock(&erin.dirs[1].1, None).unwrap();
        let client = Client::new(&first.file.server).unwrap();

        // Both devices see the push; the second answers.
        let notice = client.pending(&first).await.unwrap().pop().unwrap();
        assert_eq!(client.pending(&second).await.unwrap().len(), 1);
        let answer = second.answer(&notice, Decision::Approve, Some(started.number), false);
        assert_eq!(client.respond(&answer).await.unwrap().result, "approved");
        // The same signed answer again, and the first device afterwards: refused.
        assert!(matches!(
            client.respond(&answer).await,
            Err(ClientError::Refused { status: 409, .. })
        ));
        let late = first.answer(&notice, Decision::Approve, Some(started.number), false);
        assert!(matches!(
            client.respond(&late).await,
            Err(ClientError::Refused { status: 409, .. })
        ));

        // Expiry: shorten a fresh approval's life in the store, then answer too late.
        let started = push(&server.services, &erin.user).await.unwrap();
        let store = server.services.store();
        let mut record = store
            .get_push_approval(&started.approval_id.to_string())
            .await
            .unwrap()
            .unwrap();
        let soon = OffsetDateTime::now_utc() + time::Duration::seconds(1);
        let soon = soon.replace_nanosecond(0).unwrap();
        record.doc["expiresAt"] = serde_json::json!(
            soon.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        );
        record.expires_date_time = soon;
        assert!(store.replace_push_approval(&record).await.unwrap());
        let notice = client.pending(&first).await.unwrap().pop().unwrap();
        let state = server
            .services
            .push()
            .wait_for_answer(&started.approval_id, Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(state, ApprovalState::Expired);
        let answer = first.answer(&notice, Decision::Approve, Some(started.number), false);
        assert!(matches!(
            client.respond(&answer).await,
            Err(ClientError::Refused {
                status: 409 | 410,
                ..
            })
        ));

        // Removing the first device: it can neither list nor answer any more.
        server
            .services
            .push()
            .remove_device(&erin.user, &first.file.device_id, OffsetDateTime::now_utc())
            .await
            .unwrap();
        assert!(matches!(
            client.pending(&first).await,
            Err(ClientError::Refused { status: 401, .. })
        ));
        let started = push(&server.services, &erin.user).await.unwrap();
        let notice = client.pending(&second).await.unwrap().pop().unwrap();
        let answer = first.answer(&notice, Decision::Approve, Some(started.number), false);
        assert!(matches!(
            client.respond(&answer).await,
            Err(ClientError::Refused { status: 401, .. })
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_event_stream_delivers_pushes_and_settlements() {
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let frank = enrol(&server.services, "frank@example.org", 1).await;
        let device: Arc<UnlockedDevice> =
            Arc::new(commands::unlock(&frank.dirs[0].1, None).unwrap());
        let client = Client::new(&device.file.server).unwrap();
        let (sender, mut updates) = mpsc::channel(16);
        let task = tokio::spawn(watch(client.clone(), Arc::clone(&device), sender));
        assert!(matches!(next(&mut updates).await, Update::Connected));
        let started = push(&server.services, &frank.user).await.unwrap();
        let Update::Push(notice) = next(&mut updates).await else {
            panic!("expected a push");
        };
        assert_eq!(notice.approval_id, started.approval_id);
        assert_eq!(notice.context.application, "Payroll");
        let answer = device.answer(&notice, Decision::Approve, Some(started.number), false);
        client.respond(&answer).await.unwrap();
        let Update::Settled(settled) = next(&mut updates).await else {
            panic!("expected a settlement");
        };
        assert_eq!(
            (settled.approval_id, settled.state.as_str()),
            (started.approval_id, "approved")
        );
        task.abort();
    }
}

/// The whole second factor: password, then the pipeline offers the authenticator, the
/// push is approved with the number, and `Input::OutOfBandApproved` completes the sign-in
/// with a session.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sign_in_needing_mfa_completes_with_the_push() {
    use portcullis_authn::methods::MethodKind;
    use portcullis_authn::password::{Argon2Params, PasswordHasher};
    use portcullis_service::push::{PushSignInError, PushSignInStep};
    use portcullis_service::signin::codes::FileCodeSender;
    use portcullis_service::signin::credential_payload::PasswordPayload;
    use portcullis_service::signin::{
        SignInRequest, SignInService, SignInSettings, TargetApplication,
    };
    use portcullis_signin::{Input, Outcome, Protocol, Stage};

    const PASSWORD: &str = "correct horse battery staple";
    let cheap = Argon2Params {
        memory_kib: 8 * 1024,
        iterations: 1,
        parallelism: 1,
    };
    for backend in backends() {
        let server = start(backend.as_deref()).await;
        let store = server.services.store().clone();
        let gina = enrol(&server.services, "gina@example.org", 1).await;
        let phc = PasswordHasher::new(cheap)
            .unwrap()
            .hash(PASSWORD, &mut rand::rng())
            .unwrap();
        let password = portcullis_core::Credential {
            id: portcullis_core::CredentialId::from_uuid(Uuid::new_v4()),
            user_id: gina.user.clone(),
            kind: portcullis_core::CredentialKind::Password,
            display_name: None,
            payload: PasswordPayload {
                phc,
                must_change: false,
            }
            .to_value(),
            metadata: serde_json::json!({}),
            created_date_time: OffsetDateTime::now_utc(),
            last_used_date_time: None,
            revision: 0,
        };
        let policy = serde_json::json!({
            "id": "mfa-all", "displayName": "MFA for everyone", "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"]
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
        });
        store
            .commit(Batch::new().change(Change::AddCredential(password)).change(
                Change::PutPolicy {
                    kind: portcullis_store::PolicyKind::ConditionalAccessPolicy,
                    id: "mfa-all".into(),
                    json: policy,
                    precondition: portcullis_store::Precondition::None,
                    at: OffsetDateTime::now_utc(),
                },
            ))
            .await
            .unwrap();
        let signin = SignInService::start(
            store.clone(),
            SignInSettings {
                argon2: cheap,
                ..SignInSettings::default()
            },
            Arc::new(FileCodeSender::new(None)),
        )
        .await
        .unwrap();
        let begun = signin
            .begin(SignInRequest::new(
                Protocol::Browser,
                TargetApplication::Portal,
                "gina@example.org",
            ))
            .await
            .unwrap();
        let challenged = signin
            .step(&begun.transaction, Input::Password(PASSWORD.into()))
            .await
            .unwrap();
        let Some(Outcome::Challenge(challenge)) = &challenged.outcome else {
            panic!("expected an MFA challenge, got {:?}", challenged.outcome);
        };
        assert!(
            challenge
                .methods
                .iter()
                .any(|m| m.kind == MethodKind::AuthenticatorPush)
        );

        // A push for another sign-in cannot complete this one.
        let foreign = push(&server.services, &gina.user).await.unwrap();
        let refused = server
            .services
            .push()
            .await_sign_in_push(
                &signin,
                &begun.transaction,
                &foreign.approval_id,
                Duration::ZERO,
            )
            .await;
        assert!(
            matches!(refused, Err(PushSignInError::ForeignApproval(_))),
            "{refused:?}"
        );

        // "Use another method" withdraws a push without counting it as a failure.
        let withdrawn = server
            .services
            .push()
            .start_sign_in_push(&begun.transaction, OffsetDateTime::now_utc())
            .await
            .unwrap();
        let progress = server
            .services
            .push()
            .withdraw_sign_in_push(&signin, &begun.transaction, &withdrawn.approval_id)
            .await
            .unwrap();
        let Some(Outcome::Challenge(again)) = &progress.outcome else {
            panic!("expected the challenge again, got {:?}", progress.outcome);
        };
        assert!(again.error.is_none());

        let started = server
            .services
            .push()
            .start_sign_in_push(&begun.transaction, OffsetDateTime::now_utc())
            .await
            .unwrap();
        let app_dir = DataDir::resolve(Some(gina.dirs[0].0.path().join("app"))).unwrap();
        let number = started.number.to_string();
        let answering = tokio::spawn(async move {
            respond(&app_dir, Decision::Approve, Some(number))
                .await
                .map_err(|e| e.to_string())
        });
        let step = server
            .services
            .push()
            .await_sign_in_push(
                &signin,
                &begun.transaction,
                &started.approval_id,
                Duration::from_secs(20),
            )
            .await
            .unwrap();
        assert!(answering.await.unwrap().unwrap().starts_with("approved"));
        let PushSignInStep::Progress(progress) = step else {
            panic!("expected the sign-in to progress, got {step:?}");
        };
        assert_eq!(progress.stage, Stage::Done, "{:?}", progress.outcome);
        assert!(progress.session.is_some(), "a session is issued");

        // A second sign-in, denied: the challenge comes back with an error.
        let begun = signin
            .begin(SignInRequest::new(
                Protocol::Browser,
                TargetApplication::Portal,
                "gina@example.org",
            ))
            .await
            .unwrap();
        signin
            .step(&begun.transaction, Input::Password(PASSWORD.into()))
            .await
            .unwrap();
        let started = server
            .services
            .push()
            .start_sign_in_push(&begun.transaction, OffsetDateTime::now_utc())
            .await
            .unwrap();
        let app_dir = DataDir::resolve(Some(gina.dirs[0].0.path().join("app"))).unwrap();
        assert!(
            respond(&app_dir, Decision::Deny, None)
                .await
                .unwrap()
                .starts_with("denied")
        );
        let step = server
            .services
            .push()
            .await_sign_in_push(
                &signin,
                &begun.transaction,
                &started.approval_id,
                Duration::from_secs(5),
            )
            .await
            .unwrap();
        let PushSignInStep::Progress(progress) = step else {
            panic!("expected the denial to reach the pipeline, got {step:?}");
        };
        let Some(Outcome::Challenge(again)) = &progress.outcome else {
            panic!("expected the challenge again, got {:?}", progress.outcome);
        };
        assert!(again.error.is_some());
    }
}
