//! Break-glass accounts and the smart-lockout unlock, in process: only Privileged Role
//! and Global Administrators mark accounts; the page shows each account's last sign-in
//! and the lint's warning when an enabled policy reaches one; a Helpdesk Administrator
//! unlocks non-admins only; every change is audited.

#![allow(clippy::unwrap_used)]

use crate::common;
use axum::http::StatusCode;
use common::{CSRF, expect, location, portal};
use portcullis_core::{
    ConditionalAccessStatus, DirectoryRole, SignIn, SignInId, SignInStatus, UserId,
};
use portcullis_store::{AuditQuery, Batch, Change, PolicyKind, Precondition, UserStateWrite};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

fn form(body: &str) -> String {
    format!("csrf_token={CSRF}&{body}")
}

fn setup_audit() -> portcullis_core::AuditRecord {
    portcullis_core::AuditRecord::new(
        portcullis_core::AuditId::from_uuid(Uuid::new_v4()),
        OffsetDateTime::now_utc(),
        portcullis_core::audit::category::POLICY,
        "test setup",
        "Add",
        portcullis_core::audit::InitiatedBy {
            user: None,
            app: None,
        },
    )
}

async fn activities(p: &common::Portal) -> Vec<String> {
    p.store
        .query_audit(&AuditQuery {
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.activity_display_name)
        .collect()
}

async fn marked(p: &common::Portal) -> Vec<UserId> {
    p.store
        .list_break_glass_accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.user_id)
        .collect()
}

/// An enabled MFA policy for everyone, stored directly (the write path's checks are not
/// what this test is about).
async fn mfa_for_everyone(p: &common::Portal) {
    let id = Uuid::new_v4().to_string();
    p.store
        .commit(Batch::single(
            Change::PutPolicy {
                kind: PolicyKind::ConditionalAccessPolicy,
                id: id.clone(),
                json: json!({
                    "id": id,
                    "displayName": "MFA for everyone",
                    "state": "enabled",
                    "conditions": {
                        "users": {"includeUsers": ["All"]},
                        "applications": {"includeApplications": ["All"]},
                        "clientAppTypes": ["all"],
                    },
                    "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
                }),
                precondition: Precondition::MustNotExist,
                at: OffsetDateTime::now_utc(),
            },
            setup_audit(),
        ))
        .await
        .unwrap();
}

fn sign_in_of(user: &portcullis_core::User, at: OffsetDateTime) -> SignIn {
    SignIn {
        id: SignInId::from_uuid(Uuid::new_v4()),
        created_date_time: at,
        correlation_id: None,
        user_id: Some(user.id.clone()),
        user_principal_name: Some(user.user_principal_name.clone()),
        user_display_name: None,
        app_id: None,
        app_display_name: None,
        ip_address: Some("192.0.2.7".into()),
        client_app_used: Some("Browser".into()),
        user_agent: None,
        is_interactive: true,
        status: SignInStatus {
            error_code: 0,
            failure_reason: None,
            additional_details: None,
        },
        conditional_access_status: ConditionalAccessStatus::NotApplied,
        applied_conditional_access_policies: json!([]),
        risk_level_during_sign_in: None,
        risk_level_aggregated: None,
        risk_state: None,
        risk_detail: None,
        location: None,
        device_detail: None,
        authentication_details: json!([]),
        authentication_requirement: None,
        extra: serde_json::Map::new(),
    }
}

#[tokio::test]
async fn break_glass_accounts_are_marked_by_privileged_role_admins_only() {
    let p = portal().await;
    let (_, pra) = p
        .admin(
            "pra@example.com",
            &[DirectoryRole::PrivilegedRoleAdministrator],
        )
        .await;
    let (_, reader) = p
        .admin("reader@example.com", &[DirectoryRole::GlobalReader])
        .await;
    let (_, helpdesk) = p
        .admin("help@example.com", &[DirectoryRole::HelpdeskAdministrator])
        .await;
    let (emergency, _) = p
        .admin("bg1@example.com", &[DirectoryRole::GlobalAdministrator])
        .await;

    // The Helpdesk Administrator sees the page, no form, and is refused.
    let page = expect(p.get("/admin/break-glass", &helpdesk).await, StatusCode::OK).await;
    assert!(!page.contains("<form"), "no form for the helpdesk");
    expect(
        p.post(
            "/admin/break-glass",
            &helpdesk,
            &form("marked=true&user=bg1%40example.com"),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Without the CSRF token nothing happens either.
    expect(
        p.post(
            "/admin/break-glass",
            &pra,
            "marked=true&user=bg1%40example.com",
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(marked(&p).await.is_empty());

    let done = p
        .post(
            "/admin/break-glass",
            &pra,
            &form("marked=true&user=BG1%40example.com"),
        )
        .await;
    assert_eq!(location(&done), "/admin/break-glass?done=marked");
    assert_eq!(marked(&p).await, vec![emergency.id.clone()]);
    assert!(
        activities(&p)
            .await
            .contains(&"Add break-glass account".to_owned())
    );
    let unknown = expect(
        p.post(
            "/admin/break-glass",
            &pra,
            &form("marked=true&user=nobody%40example.com"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(unknown.contains("role=\"alert\""), "{unknown}");

    // The reader sees the account, never signed in, and the lint's warnings; no form.
    let page = expect(p.get("/admin/break-glass", &reader).await, StatusCode::OK).await;
    assert!(page.contains("bg1@example.com") && page.contains("Never"));
    assert!(
        page.contains("only one break-glass account"),
        "the lint wants two: {page}"
    );
    assert!(!page.contains("<form"), "a reader gets no form");

    let at = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    p.store
        .append_sign_in(&sign_in_of(&emergency, at))
        .await
        .unwrap();
    mfa_for_everyone(&p).await;
    let page = expect(p.get("/admin/break-glass", &reader).await, StatusCode::OK).await;
    assert!(!page.contains("Never"), "the sign-in shows: {page}");
    let shown = at
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
        ))
        .unwrap();
    assert!(page.contains(&shown), "{shown} in {page}");
    assert!(
        page.contains("(enabled) applies to break-glass account"),
        "the enabled policy does not exclude it: {page}"
    );
    assert!(page.contains("id=\"break-glass-warnings\""));

    let undone = p
        .post(
            "/admin/break-glass",
            &pra,
            &form(&format!("marked=false&user={}", emergency.id)),
        )
        .await;
    assert_eq!(location(&undone), "/admin/break-glass?done=unmarked");
    assert!(marked(&p).await.is_empty());
}

/// Stores a lockout record for `user`: ten counted failures in unfamiliar places and a
/// lockout running for another hour.
async fn lock_out(p: &common::Portal, user: &UserId) {
    let now = OffsetDateTime::now_utc();
    let text = |t: OffsetDateTime| t.format(&Rfc3339).unwrap();
    let doc = json!({"lockout": {
        "fingerprintSalt": "00".repeat(16),
        "recentBadPasswords": ["11".repeat(16)],
        "familiar": {"failures": 0, "lockouts": 0},
        "unfamiliar": {
            "failures": 10, "lockouts": 1,
            "lastFailureAt": text(now),
            "lockedUntil": text(now + time::Duration::hours(1)),
        },
    }});
    p.store
        .commit(Batch::single(
            Change::PutUserSignInState(UserStateWrite {
                user_id: user.clone(),
                expected_revision: None,
                doc,
            }),
            setup_audit(),
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_helpdesk_administrator_unlocks_non_admins_only() {
    let p = portal().await;
    let (worker, _) = p.admin("worker@example.com", &[]).await;
    let (boss, _) = p
        .admin("boss@example.com", &[DirectoryRole::GlobalAdministrator])
        .await;
    let (_, helpdesk) = p
        .admin("help@example.com", &[DirectoryRole::HelpdeskAdministrator])
        .await;
    let (_, reader) = p
        .admin("reader@example.com", &[DirectoryRole::GlobalReader])
        .await;
    let page = expect(
        p.get(&format!("/admin/users/{}", worker.id), &helpdesk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("No failed sign-ins counted"));
    assert!(!page.contains(">Unlock<"), "nothing to unlock");

    lock_out(&p, &worker.id).await;
    lock_out(&p, &boss.id).await;
    let page = expect(
        p.get(&format!("/admin/users/{}", worker.id), &helpdesk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        page.contains("Locked until") && page.contains(">Unlock<"),
        "{page}"
    );
    let read_only = expect(
        p.get(&format!("/admin/users/{}", worker.id), &reader).await,
        StatusCode::OK,
    )
    .await;
    assert!(read_only.contains("Locked until") && !read_only.contains(">Unlock<"));

    let unlocked = p
        .post(
            &format!("/admin/users/{}/unlock", worker.id),
            &helpdesk,
            &form(""),
        )
        .await;
    assert_eq!(
        location(&unlocked),
        format!("/admin/users/{}?done=unlocked", worker.id)
    );
    let page = expect(
        p.get(&format!("/admin/users/{}", worker.id), &helpdesk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("No failed sign-ins counted"), "{page}");
    let state = p
        .store
        .get_user_sign_in_state(&worker.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.doc["lockout"]["unfamiliar"]["failures"], 0);
    assert_eq!(
        state.doc["lockout"]["fingerprintSalt"],
        "00".repeat(16),
        "the salt stays: only the counters are cleared"
    );
    assert!(
        activities(&p)
            .await
            .contains(&"Unlock user (smart lockout)".to_owned())
    );

    // A Global Administrator is beyond the helpdesk: no button, refused, still locked.
    let page = expect(
        p.get(&format!("/admin/users/{}", boss.id), &helpdesk).await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("Locked until") && !page.contains(">Unlock<"));
    expect(
        p.post(
            &format!("/admin/users/{}/unlock", boss.id),
            &helpdesk,
            &form(""),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let state = p
        .store
        .get_user_sign_in_state(&boss.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.doc["lockout"]["unfamiliar"]["failures"], 10);
    // Without the CSRF token the form is refused.
    expect(
        p.post(&format!("/admin/users/{}/unlock", worker.id), &helpdesk, "")
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
