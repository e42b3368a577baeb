//! A user adds a phone or an email address on My security info, over real stores
//! (SQLite, and PostgreSQL when configured): a code goes through the provider, the
//! method is saved only when it comes back; wrong and malformed codes, attempts,
//! expiry, resend throttling, the methods policy, Conditional Access on
//! `urn:user:registersecurityinfo`, a provider that fails, and the audit record.
#![allow(clippy::unwrap_used)]

use crate::common;
use crate::security_info_support;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use common::{Backend, backends, spawn_with};
use portcullis_authn::methods::MethodKind;
use portcullis_authn::otp_code::OtpCodePolicy;
use portcullis_core::{CredentialKind, UserId};
use portcullis_server::config::HttpSection;
use portcullis_service::security_info::{
    ContactCodes, ContactMethod, MethodDetail, RegistrationContext, SecurityInfoError,
    SecurityInfoService, SecurityInfoSettings,
};
use portcullis_service::signin::codes::{CodeChannel, CodeDeliveryError, CodeMessage, CodeSender};
use portcullis_signin::{MethodConfiguration, PhoneChannel};
use security_info_support::{
    Policy, create_worker, registration_policy, request, session, user_record,
};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// Keeps every message, as a provider's outbox would.
#[derive(Default)]
struct Outbox(Mutex<Vec<(CodeChannel, String, String, String)>>);

impl Outbox {
    /// The last (channel, destination, code, text).
    fn last(&self) -> (CodeChannel, String, String, String) {
        self.0.lock().unwrap().last().cloned().unwrap()
    }

    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

#[async_trait]
impl CodeSender for Outbox {
    async fn send(&self, message: &CodeMessage) -> Result<(), CodeDeliveryError> {
        self.0.lock().unwrap().push((
            message.channel,
            message.destination.clone(),
            message.code.as_str().to_owned(),
            message.text(),
        ));
        Ok(())
    }
}

/// A provider that is down.
struct Down;

#[async_trait]
impl CodeSender for Down {
    async fn send(&self, _: &CodeMessage) -> Result<(), CodeDeliveryError> {
        Err(CodeDeliveryError::Unreachable("connection refused".into()))
    }
}

fn wrong(code: &str) -> String {
    code.bytes()
        .map(|digit| char::from(b'0' + (digit - b'0' + 1) % 10))
        .collect()
}

fn service(app: &common::TestApp, sender: Arc<dyn CodeSender>) -> SecurityInfoService {
    SecurityInfoService::new(
        app.services.clone(),
        SecurityInfoSettings::for_public_url("https://login.example.com").unwrap(),
    )
    .unwrap()
    .with_contact_codes(ContactCodes {
        sender,
        policy: OtpCodePolicy::default(),
    })
}

async fn scenario(backend: Backend) {
    let app = spawn_with(&backend, HttpSection::default()).await;
    let admin = app.admin_token().await;
    let id = create_worker(&app).await;
    let outbox = Arc::new(Outbox::default());
    let service = service(&app, outbox.clone());
    let user = user_record(&id);
    let request = request();
    let t0 = OffsetDateTime::now_utc();
    let open = Policy::new(json!([]));
    let password_only = session(&[("password", Duration::minutes(30))], t0);
    let context = RegistrationContext {
        user: &user,
        session: &password_only,
        request: &request,
        policy: open.environment(),
        ip_address: Some("203.0.113.5"),
    };
    let offer = service.contact_offer(&context);
    assert!(offer.sms && offer.voice && offer.email);

    // A mobile phone for text messages: the code goes out, only its hash stays.
    let sms = ContactMethod::phone("+31 20 123 4567", PhoneChannel::Sms).unwrap();
    let started = service
        .begin_contact_verification(&context, sms, t0)
        .await
        .unwrap();
    assert_eq!(started.method.destination(), "+31201234567");
    assert_eq!(started.digits, 6);
    let (channel, destination, code, text) = outbox.last();
    assert_eq!(
        (channel, destination.as_str()),
        (CodeChannel::Sms, "+31201234567")
    );
    assert!(
        text.contains(&code) && text.contains("add this phone number to your security info"),
        "{text}"
    );
    let stored = app
        .store()
        .get_setting(&format!("security-info.pending.{id}.contact"))
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.to_string().contains(&code), "plaintext code stored");
    assert_eq!(
        service
            .pending_contact_verification(&id, t0)
            .await
            .unwrap()
            .unwrap()
            .method
            .destination(),
        "+31201234567"
    );

    // A wrong code uses an attempt; text that cannot be a code does not.
    assert!(matches!(
        service
            .finish_contact_verification(&context, &wrong(&code), t0)
            .await,
        Err(SecurityInfoError::WrongVerificationCode { attempts_left: 4 })
    ));
    assert!(matches!(
        service
            .finish_contact_verification(&context, "12", t0)
            .await,
        Err(SecurityInfoError::MalformedVerificationCode { digits: 6 })
    ));
    // Resend at once: throttled, and the pending code still works afterwards.
    assert!(matches!(
        service
            .resend_contact_code(&context, t0 + Duration::seconds(5))
            .await,
        Err(SecurityInfoError::SendThrottled { seconds: 25 })
    ));
    let saved = service
        .finish_contact_verification(&context, &code, t0 + Duration::seconds(10))
        .await
        .unwrap();
    assert_eq!(saved.kind, CredentialKind::Phone);
    assert!(matches!(
        &saved.detail,
        MethodDetail::Phone { phone_number: Some(number), .. } if number == "+31201234567"
    ));
    // Single use, and one phone per channel.
    assert!(matches!(
        service
            .finish_contact_verification(&context, &code, t0 + Duration::seconds(11))
            .await,
        Err(SecurityInfoError::NoPendingRegistration { .. })
    ));
    let again = ContactMethod::phone("+31201234568", PhoneChannel::Sms).unwrap();
    assert!(matches!(
        service
            .begin_contact_verification(&context, again, t0 + Duration::minutes(1))
            .await,
        Err(SecurityInfoError::AlreadyRegistered { .. })
    ));

    // Email: five wrong codes end the verification; the right one is then useless.
    let email = || ContactMethod::email("worker.private@example.org").unwrap();
    let t1 = t0 + Duration::minutes(2);
    service
        .begin_contact_verification(&context, email(), t1)
        .await
        .unwrap();
    let (channel, destination, code, _) = outbox.last();
    assert_eq!(
        (channel, destination.as_str()),
        (CodeChannel::Email, "worker.private@example.org")
    );
    for attempts_left in (1..=4).rev() {
        assert!(matches!(
            service
                .finish_contact_verification(&context, &wrong(&code), t1)
                .await,
            Err(SecurityInfoError::WrongVerificationCode { attempts_left: left }) if left == attempts_left
        ));
    }
    assert!(matches!(
        service
            .finish_contact_verification(&context, &wrong(&code), t1)
            .await,
        Err(SecurityInfoError::VerificationEnded)
    ));
    assert!(
        service
            .finish_contact_verification(&context, &code, t1)
            .await
            .is_err()
    );

    // An expired code is refused.
    let t2 = t0 + Duration::minutes(3);
    service
        .begin_contact_verification(&context, email(), t2)
        .await
        .unwrap();
    let (_, _, code, _) = outbox.last();
    assert!(matches!(
        service
            .finish_contact_verification(&context, &code, t2 + Duration::minutes(11))
            .await,
        Err(SecurityInfoError::NoPendingRegistration { .. } | SecurityInfoError::VerificationEnded)
    ));

    // A resend replaces the code: the old one stops working, the new one saves.
    let t3 = t0 + Duration::minutes(20);
    service
        .begin_contact_verification(&context, email(), t3)
        .await
        .unwrap();
    let (_, _, old_code, _) = outbox.last();
    service
        .resend_contact_code(&context, t3 + Duration::seconds(31))
        .await
        .unwrap();
    let (_, _, new_code, _) = outbox.last();
    if old_code != new_code {
        assert!(matches!(
            service
                .finish_contact_verification(&context, &old_code, t3 + Duration::seconds(40))
                .await,
            Err(SecurityInfoError::WrongVerificationCode { .. })
        ));
    }
    let saved = service
        .finish_contact_verification(&context, &new_code, t3 + Duration::seconds(41))
        .await
        .unwrap();
    assert_eq!(saved.kind, CredentialKind::Email);

    // Resends to one destination: one per 30 s, five in the hour, then the window.
    let voice = ContactMethod::phone("+4915112345678", PhoneChannel::Voice).unwrap();
    let t4 = t0 + Duration::minutes(30);
    service
        .begin_contact_verification(&context, voice, t4)
        .await
        .unwrap();
    for resend in 1..=4 {
        service
            .resend_contact_code(&context, t4 + Duration::seconds(31 * resend))
            .await
            .unwrap();
    }
    let sent = outbox.count();
    assert!(matches!(
        service
            .resend_contact_code(&context, t4 + Duration::minutes(10))
            .await,
        Err(SecurityInfoError::SendThrottled { seconds }) if seconds > 40 * 60
    ));
    assert_eq!(outbox.count(), sent, "nothing sent while throttled");
    let (channel, _, code, _) = outbox.last();
    assert_eq!(channel, CodeChannel::Voice);
    service
        .finish_contact_verification(&context, &code, t4 + Duration::minutes(3))
        .await
        .unwrap();
    let methods = service.list_methods(&id).await.unwrap();
    assert_eq!(
        methods
            .iter()
            .filter(|m| matches!(m.kind, CredentialKind::Phone | CredentialKind::Email))
            .count(),
        3
    );

    // Each registration is audited as the user's own.
    let (status, audit) = app
        .get(
            "/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'User registered security info'",
            &admin,
        )
        .await;
    assert_eq!(status, 200, "{audit}");
    assert_eq!(audit["value"].as_array().unwrap().len(), 3, "{audit}");

    // The methods policy: a method switched off is neither offered nor accepted.
    let mut no_sms = Policy::new(json!([]));
    no_sms.methods.methods.insert(
        MethodKind::Sms,
        MethodConfiguration {
            enabled: false,
            ..MethodConfiguration::default()
        },
    );
    let restricted = RegistrationContext {
        policy: no_sms.environment(),
        ..context
    };
    let offer = service.contact_offer(&restricted);
    assert!(!offer.sms && offer.voice && offer.email);
    let sms = ContactMethod::phone("+31201234599", PhoneChannel::Sms).unwrap();
    assert!(matches!(
        service
            .begin_contact_verification(&restricted, sms, t0 + Duration::hours(3))
            .await,
        Err(SecurityInfoError::MethodNotAllowed { .. })
    ));

    // Conditional Access on registering security info gates every step.
    let blocking = Policy::new(json!([registration_policy("block")]));
    let blocked = RegistrationContext {
        policy: blocking.environment(),
        ..context
    };
    let sms = ContactMethod::phone("+31201234599", PhoneChannel::Sms).unwrap();
    assert!(matches!(
        service
            .begin_contact_verification(&blocked, sms, t0 + Duration::hours(3))
            .await,
        Err(SecurityInfoError::RegistrationBlocked { .. })
    ));
    assert!(matches!(
        service
            .finish_contact_verification(&blocked, "123456", t0 + Duration::hours(3))
            .await,
        Err(SecurityInfoError::RegistrationBlocked { .. })
    ));
    let mfa = Policy::new(json!([registration_policy("mfa")]));
    let needs_mfa = RegistrationContext {
        policy: mfa.environment(),
        ..context
    };
    assert!(matches!(
        service
            .resend_contact_code(&needs_mfa, t0 + Duration::hours(3))
            .await,
        Err(SecurityInfoError::StepUpRequired { .. })
    ));

    // No provider configured: nothing offered, nothing sent.
    let unconfigured = SecurityInfoService::new(
        app.services.clone(),
        SecurityInfoSettings::for_public_url("https://login.example.com").unwrap(),
    )
    .unwrap();
    assert_eq!(
        unconfigured.contact_offer(&context),
        Default::default(),
        "no provider, no offer"
    );
}

/// A provider failure leaves no verification behind (its own user: the first one has
/// every contact method by then).
async fn provider_down(backend: Backend) {
    let app = spawn_with(&backend, HttpSection::default()).await;
    let admin = app.admin_token().await;
    let (_, created) = app
        .post(
            "/v1.0/users",
            &admin,
            json!({"displayName": "Other", "userPrincipalName": "other@example.com"}),
        )
        .await;
    let id = UserId::parse(created["id"].as_str().unwrap()).unwrap();
    let down = service(&app, Arc::new(Down));
    let user = user_record(&id);
    let request = request();
    let now = OffsetDateTime::now_utc();
    let open = Policy::new(json!([]));
    let password_only = session(&[("password", Duration::minutes(30))], now);
    let context = RegistrationContext {
        user: &user,
        session: &password_only,
        request: &request,
        policy: open.environment(),
        ip_address: None,
    };
    let sms = ContactMethod::phone("+31201234599", PhoneChannel::Sms).unwrap();
    assert!(matches!(
        down.begin_contact_verification(&context, sms, now).await,
        Err(SecurityInfoError::CodeNotSent { .. })
    ));
    // At most ten sends per user in the window, over any destinations (each try counts,
    // sent or not).
    for n in 1..=9 {
        let number = format!("+3120123450{n}");
        let sms = ContactMethod::phone(&number, PhoneChannel::Sms).unwrap();
        assert!(matches!(
            down.begin_contact_verification(&context, sms, now).await,
            Err(SecurityInfoError::CodeNotSent { .. })
        ));
    }
    let eleventh = ContactMethod::phone("+31201234510", PhoneChannel::Sms).unwrap();
    assert!(matches!(
        down.begin_contact_verification(&context, eleventh, now)
            .await,
        Err(SecurityInfoError::SendThrottled { .. })
    ));
    assert!(
        down.pending_contact_verification(&id, now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        down.list_methods(&id)
            .await
            .unwrap()
            .iter()
            .all(|m| m.kind != CredentialKind::Phone)
    );
}

/// Simultaneous requests to send a code to one number: exactly one code leaves, the
/// others are told to wait (the throttle is claimed atomically in the store).
async fn simultaneous_sends(backend: Backend) {
    let app = spawn_with(&backend, HttpSection::default()).await;
    let id = create_worker(&app).await;
    let outbox = Arc::new(Outbox::default());
    let service = Arc::new(service(&app, outbox.clone()));
    let user = Arc::new(user_record(&id));
    let now = OffsetDateTime::now_utc();
    let sends = (0..8).map(|_| {
        let service = service.clone();
        let user = user.clone();
        tokio::spawn(async move {
            let request = request();
            let open = Policy::new(json!([]));
            let password_only = session(&[("password", Duration::minutes(30))], now);
            let context = RegistrationContext {
                user: &user,
                session: &password_only,
                request: &request,
                policy: open.environment(),
                ip_address: None,
            };
            let sms = ContactMethod::phone("+31201230000", PhoneChannel::Sms).unwrap();
            service.begin_contact_verification(&context, sms, now).await
        })
    });
    let mut sent = 0;
    for outcome in futures::future::join_all(sends).await {
        match outcome.unwrap() {
            Ok(_) => sent += 1,
            Err(SecurityInfoError::SendThrottled { .. }) => {}
            Err(other) => panic!("unexpected refusal: {other}"),
        }
    }
    assert_eq!(sent, 1, "one send passes the 30-second interval");
    assert_eq!(outbox.count(), 1, "one code left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contact_methods_are_verified_on_every_backend() {
    for backend in backends() {
        scenario(backend.clone()).await;
        provider_down(backend.clone()).await;
        simultaneous_sends(backend).await;
    }
}
