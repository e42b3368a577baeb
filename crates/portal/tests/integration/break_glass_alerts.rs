//! The overview's break-glass alert: listed for roles that read the audit log, within
//! the period shown, linking the account and the sign-in.

#![allow(clippy::unwrap_used)]

use crate::common;
use axum::http::StatusCode;
use common::{expect, portal};
use portcullis_core::{
    ConditionalAccessStatus, DirectoryRole, SignIn, SignInId, SignInStatus, UserId,
};
use portcullis_service::signin::break_glass_alert_audit;
use portcullis_store::Batch;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

fn attempt(user: &UserId, code: i32) -> SignIn {
    SignIn {
        id: SignInId::from_uuid(Uuid::new_v4()),
        created_date_time: OffsetDateTime::now_utc(),
        correlation_id: None,
        user_id: Some(user.clone()),
        user_principal_name: Some("emergency@example.com".into()),
        user_display_name: Some("Emergency".into()),
        app_id: Some("portal".into()),
        app_display_name: Some("Portal".into()),
        ip_address: Some("203.0.113.50".into()),
        client_app_used: Some("Browser".into()),
        user_agent: None,
        is_interactive: true,
        status: if code == 0 {
            SignInStatus::success()
        } else {
            SignInStatus {
                error_code: code,
                failure_reason: None,
                additional_details: None,
            }
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
async fn the_overview_shows_break_glass_sign_ins_to_audit_readers() {
    let p = portal().await;
    let (emergency, _) = p.admin("emergency@example.com", &[]).await;
    let (_, reader) = p
        .admin("reader@example.com", &[DirectoryRole::GlobalReader])
        .await;
    let (_, helpdesk) = p
        .admin("help@example.com", &[DirectoryRole::HelpdeskAdministrator])
        .await;

    let quiet = expect(p.get("/admin?days=1", &reader).await, StatusCode::OK).await;
    assert!(
        !quiet.contains("id=\"break-glass-alerts\""),
        "no alert, no banner"
    );

    let failed = attempt(&emergency.id, 50126);
    let succeeded = attempt(&emergency.id, 0);
    p.store
        .commit(
            Batch::new()
                .audit(break_glass_alert_audit(&failed))
                .audit(break_glass_alert_audit(&succeeded)),
        )
        .await
        .unwrap();

    let page = expect(p.get("/admin?days=1", &reader).await, StatusCode::OK).await;
    assert!(
        page.contains("<section class=\"alert error\" role=\"alert\" id=\"break-glass-alerts\"")
    );
    assert!(page.contains("Break-glass account used: 2 sign-ins in this period"));
    assert!(page.contains(&format!("/admin/users/{}", emergency.id)));
    assert!(page.contains(&format!("/admin/sign-ins/{}", failed.id)));
    assert!(page.contains("failure (50126)"));
    assert!(page.contains("203.0.113.50"));

    // Roles without the audit log see no banner (and the rest of the page).
    let page = expect(p.get("/admin?days=1", &helpdesk).await, StatusCode::OK).await;
    assert!(!page.contains("id=\"break-glass-alerts\""));
}
