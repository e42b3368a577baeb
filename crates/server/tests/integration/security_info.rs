//! My security info through `SecurityInfoService` over real stores (SQLite, and
//! PostgreSQL when configured): TOTP enrolment verified by a first code, Conditional
//! Access on `urn:user:registersecurityinfo` (block, step-up), removing the last strong
//! method only after a fresh strong sign-in, rename and default.
#![allow(clippy::unwrap_used)]

use crate::common;
use crate::security_info_support;
use common::{Backend, backends, spawn_with};
use portcullis_authn::totp::{Totp, TotpConfig, TotpSecret};
use portcullis_core::CredentialKind;
use portcullis_server::config::HttpSection;
use portcullis_service::security_info::{
    MethodDetail, RegistrationContext, SecurityInfoError, SecurityInfoService, SecurityInfoSettings,
};
use security_info_support::{
    Policy, create_worker, registration_policy, request, session, user_record,
};
use serde_json::json;
use time::{Duration, OffsetDateTime};

async fn scenario(backend: Backend) {
    let app = spawn_with(&backend, HttpSection::default()).await;
    let id = create_worker(&app).await;
    let service = SecurityInfoService::new(
        app.services.clone(),
        SecurityInfoSettings::for_public_url("https://login.example.com").unwrap(),
    )
    .unwrap();
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
        ip_address: Some("203.0.113.5"),
    };

    // TOTP: shown once, saved only when the first code verifies; a wrong code ends it.
    let enrolment = service.begin_totp(&context, now).await.unwrap();
    assert!(
        enrolment
            .uri
            .starts_with("otpauth://totp/Portcullis:worker%40example.com?")
    );
    assert!(enrolment.qr_svg.starts_with("<svg"));
    assert!(matches!(
        service.finish_totp(&context, "000000", None, now).await,
        Err(SecurityInfoError::WrongCode) | Err(SecurityInfoError::NoPendingRegistration { .. })
    ));
    assert!(matches!(
        service.finish_totp(&context, "000000", None, now).await,
        Err(SecurityInfoError::NoPendingRegistration { .. })
    ));
    let enrolment = service.begin_totp(&context, now).await.unwrap();
    let totp = Totp::new(
        TotpSecret::from_base32(&enrolment.secret).unwrap(),
        TotpConfig::default(),
    );
    let code = totp.code_at(now).unwrap();
    let added = service
        .finish_totp(&context, &code, Some("Phone"), now)
        .await
        .unwrap();
    assert_eq!(added.kind, CredentialKind::SoftwareOath);
    assert_eq!(added.detail, MethodDetail::AuthenticatorApp);
    // The confirming code is spent: the stored step is the one it matched.
    let stored = app.store().get_credential(&added.id).await.unwrap();
    assert_eq!(
        stored.payload["lastUsedStep"].as_u64(),
        Some(totp.step_at(now).unwrap())
    );
    assert!(stored.payload["secret"].is_string());
    // Finishing twice is refused (single use).
    assert!(matches!(
        service.finish_totp(&context, &code, None, now).await,
        Err(SecurityInfoError::NoPendingRegistration { .. })
    ));

    // Rename and default.
    let renamed = service
        .rename_method(&context, &added.id, " Work phone ")
        .await
        .unwrap();
    assert_eq!(renamed.display_name.as_deref(), Some("Work phone"));
    service
        .set_default_method(&context, &added.id)
        .await
        .unwrap();
    let listed = service.list_methods(&id).await.unwrap();
    assert!(listed.iter().any(|m| m.id == added.id && m.is_default));

    // Conditional Access on registering security info: block outside trusted locations.
    let blocking = Policy::new(json!([registration_policy("block")]));
    let blocked = RegistrationContext {
        policy: blocking.environment(),
        ..context
    };
    assert!(matches!(
        service.begin_totp(&blocked, now).await,
        Err(SecurityInfoError::RegistrationBlocked { policies }) if policies.contains("Registration needs block")
    ));
    assert!(matches!(
        service.begin_passkey_registration(&blocked, now).await,
        Err(SecurityInfoError::RegistrationBlocked { .. })
    ));
    // …or MFA: a password-only session must step up; a session with MFA may register.
    let mfa = Policy::new(json!([registration_policy("mfa")]));
    let needs_mfa = RegistrationContext {
        policy: mfa.environment(),
        ..context
    };
    assert!(matches!(
        service.begin_totp(&needs_mfa, now).await,
        Err(SecurityInfoError::StepUpRequired { .. })
    ));
    let with_mfa = session(
        &[
            ("password", Duration::minutes(30)),
            ("softwareOath", Duration::minutes(2)),
        ],
        now,
    );
    let strong = RegistrationContext {
        session: &with_mfa,
        ..needs_mfa
    };
    let options = service
        .begin_passkey_registration(&strong, now)
        .await
        .unwrap();
    assert_eq!(options["publicKey"]["rp"]["id"], "login.example.com");
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["userVerification"],
        "required"
    );

    // Removing the last strong method needs a fresh strong sign-in.
    assert!(matches!(
        service.remove_method(&context, &added.id, now).await,
        Err(SecurityInfoError::FreshSignInRequired { minutes: 5 })
    ));
    let stale = session(&[("softwareOath", Duration::minutes(20))], now);
    let stale_context = RegistrationContext {
        session: &stale,
        ..context
    };
    assert!(matches!(
        service.remove_method(&stale_context, &added.id, now).await,
        Err(SecurityInfoError::FreshSignInRequired { .. })
    ));
    let fresh = RegistrationContext {
        session: &with_mfa,
        ..context
    };
    service.remove_method(&fresh, &added.id, now).await.unwrap();
    assert!(
        service
            .list_methods(&id)
            .await
            .unwrap()
            .iter()
            .all(|m| m.id != added.id)
    );
}

#[tokio::test]
async fn security_info_on_every_backend() {
    for backend in backends() {
        scenario(backend).await;
    }
}
