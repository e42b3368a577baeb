//! Security defaults and the helpdesk actions on a user, in process: who may change
//! what, the mutual exclusion explained on the page, passes shown once.

#![allow(clippy::unwrap_used)]

use crate::common;
use axum::http::StatusCode;
use common::{CSRF, expect, location, portal};
use portcullis_core::{Credential, CredentialId, CredentialKind, DirectoryRole};
use portcullis_store::{Batch, Change};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

fn form(body: &str) -> String {
    format!("csrf_token={CSRF}&{body}")
}

async fn defaults_on(p: &common::Portal) -> bool {
    p.store
        .get_policy(
            portcullis_store::PolicyKind::SecurityDefaults,
            portcullis_store::SINGLETON_ID,
        )
        .await
        .map_or(true, |stored| stored.json["isEnabled"] == json!(true))
}

#[tokio::test]
async fn security_defaults_explain_the_exclusion_and_only_writers_toggle_them() {
    let p = portal().await;
    let (_, admin) = p
        .admin("ga@example.com", &[DirectoryRole::GlobalAdministrator])
        .await;
    let (_, reader) = p
        .admin("reader@example.com", &[DirectoryRole::GlobalReader])
        .await;

    let page = expect(
        p.get("/admin/security-defaults", &reader).await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("Security defaults or Conditional Access, not both"));
    assert!(
        !page.contains("Turn security defaults off"),
        "a reader sees no switch"
    );
    expect(
        p.post("/admin/security-defaults", &reader, &form("enabled=false"))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(defaults_on(&p).await);

    let off = p
        .post("/admin/security-defaults", &admin, &form("enabled=false"))
        .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&off), "/admin/security-defaults?saved=1");
    assert!(!defaults_on(&p).await);

    // With a policy on, turning the defaults back on is refused, on the page, naming it.
    p.post(
        "/admin/policies/new",
        &admin,
        &form("mode=form&displayName=Everyone+MFA&state=enabled&includeUsers=All&excludeUsers=&includeApplications=All&clientAppTypes=all&grantControls=mfa&grantOperator=OR"),
    )
    .await;
    let refused = expect(
        p.post("/admin/security-defaults", &admin, &form("enabled=true"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(refused.contains("role=\"alert\""), "{refused}");
    assert!(refused.contains("Everyone MFA"));
    assert!(!defaults_on(&p).await);
}

/// A credential of `kind` for `user`, stored directly.
async fn add_method(p: &common::Portal, user: &portcullis_core::UserId, kind: CredentialKind) {
    let credential = Credential {
        id: CredentialId::from_uuid(Uuid::new_v4()),
        user_id: user.clone(),
        kind,
        display_name: Some("test method".into()),
        payload: json!({}),
        metadata: json!({}),
        created_date_time: OffsetDateTime::now_utc(),
        last_used_date_time: None,
        revision: 0,
    };
    let audit = portcullis_core::AuditRecord::new(
        portcullis_core::AuditId::from_uuid(Uuid::new_v4()),
        OffsetDateTime::now_utc(),
        portcullis_core::audit::category::USER_MANAGEMENT,
        "test setup",
        "Add",
        portcullis_core::audit::InitiatedBy {
            user: None,
            app: None,
        },
    );
    p.store
        .commit(Batch::single(Change::AddCredential(credential), audit))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_helpdesk_administrator_helps_non_admins_only() {
    let p = portal().await;
    let (global_admin, _) = p
        .admin("ga@example.com", &[DirectoryRole::GlobalAdministrator])
        .await;
    let (worker, _) = p.admin("worker@example.com", &[]).await;
    let (_, helpdesk) = p
        .admin("help@example.com", &[DirectoryRole::HelpdeskAdministrator])
        .await;
    add_method(&p, &worker.id, CredentialKind::SoftwareOath).await;
    add_method(&p, &worker.id, CredentialKind::Password).await;

    let page = expect(
        p.get(&format!("/admin/users/{}", worker.id), &helpdesk)
            .await,
        StatusCode::OK,
    )
    .await;
    for action in [
        "Revoke sessions",
        "Reset authentication methods",
        "Issue Temporary Access Pass",
    ] {
        assert!(page.contains(action), "{action} offered on a non-admin");
    }
    assert!(
        !page.contains("Disable account"),
        "enabling and disabling is not a helpdesk action"
    );

    let revoked = p
        .post(
            &format!("/admin/users/{}/revoke-sessions", worker.id),
            &helpdesk,
            &form(""),
        )
        .await;
    assert_eq!(
        location(&revoked),
        format!("/admin/users/{}?done=sessions", worker.id)
    );
    let sessions = p.store.list_sessions(&worker.id).await.unwrap();
    assert!(sessions.iter().all(|s| s.revoked_date_time.is_some()));

    let reset = p
        .post(
            &format!("/admin/users/{}/reset-methods", worker.id),
            &helpdesk,
            &form(""),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    let kinds: Vec<CredentialKind> = p
        .store
        .list_credentials(&worker.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![CredentialKind::Password],
        "only the password is left"
    );

    let issued = expect(
        p.post(
            &format!("/admin/users/{}/temporary-access-pass", worker.id),
            &helpdesk,
            &form("lifetime=60&once=yes"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(issued.contains("id=\"temporary-access-pass\""));
    assert!(
        p.store
            .list_credentials(&worker.id)
            .await
            .unwrap()
            .iter()
            .any(|c| c.kind == CredentialKind::TemporaryAccessPass)
    );
    expect(
        p.post(
            &format!("/admin/users/{}/temporary-access-pass", worker.id),
            &helpdesk,
            &form("lifetime=soon"),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    // A Global Administrator is out of the helpdesk's reach: no buttons, and refusals.
    let page = expect(
        p.get(&format!("/admin/users/{}", global_admin.id), &helpdesk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!page.contains("Revoke sessions"));
    for action in ["revoke-sessions", "reset-methods", "temporary-access-pass"] {
        expect(
            p.post(
                &format!("/admin/users/{}/{action}", global_admin.id),
                &helpdesk,
                &form("lifetime=60"),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
}
