//! The user risk panel on a user's page and its actions, by role: a Security
//! Administrator dismisses and confirms compromised (audited), a Security Reader reads
//! without forms, a Helpdesk Administrator sees no risk at all.

#![allow(clippy::unwrap_used)]

use crate::common;
use axum::http::StatusCode;
use common::{CSRF, expect, location, portal};
use portcullis_core::{DirectoryRole, RiskEvent, RiskEventId, SignInId};
use portcullis_store::{AuditQuery, Batch, Change};
use time::OffsetDateTime;
use uuid::Uuid;

fn form() -> String {
    format!("csrf_token={CSRF}")
}

fn detection(user: &portcullis_core::User, sign_in: &SignInId) -> RiskEvent {
    RiskEvent {
        id: RiskEventId::from_uuid(Uuid::new_v4()),
        user_id: Some(user.id.clone()),
        user_principal_name: Some(user.user_principal_name.clone()),
        risk_event_type: "anonymizedIPAddress".into(),
        risk_level: "medium".into(),
        risk_state: "atRisk".into(),
        risk_detail: None,
        detection_timing_type: "realtime".into(),
        detected_date_time: OffsetDateTime::now_utc(),
        ip_address: Some("203.0.113.9".into()),
        sign_in_id: Some(sign_in.clone()),
        additional_info: serde_json::json!([]),
    }
}

async fn audited(p: &common::Portal, activity: &str) -> usize {
    p.store
        .query_audit(&AuditQuery {
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .items
        .iter()
        .filter(|r| r.activity_display_name == activity)
        .count()
}

#[tokio::test]
async fn user_risk_is_shown_and_acted_on_by_role() {
    let p = portal().await;
    let (target, _) = p.admin("ada@example.com", &[]).await;
    let (_, security_admin) = p
        .admin("sec@example.com", &[DirectoryRole::SecurityAdministrator])
        .await;
    let (_, reader) = p
        .admin("reader@example.com", &[DirectoryRole::SecurityReader])
        .await;
    let (_, helpdesk) = p
        .admin("help@example.com", &[DirectoryRole::HelpdeskAdministrator])
        .await;
    let page_uri = format!("/admin/users/{}", target.id);
    let dismiss = format!("/admin/users/{}/risk/dismiss", target.id);
    let compromise = format!("/admin/users/{}/risk/confirm-compromised", target.id);

    // Before any detection: no risk, and nothing to dismiss.
    let page = expect(p.get(&page_uri, &security_admin).await, StatusCode::OK).await;
    assert!(page.contains("id=\"user-risk\""));
    assert!(page.contains("Never had a detection"));
    assert!(!page.contains(&dismiss), "nothing to dismiss yet");

    let sign_in = SignInId::from_uuid(Uuid::new_v4());
    let event = detection(&target, &sign_in);
    p.store
        .commit(Batch::new().change(Change::AddRiskEvent(event)))
        .await
        .unwrap();

    let page = expect(p.get(&page_uri, &security_admin).await, StatusCode::OK).await;
    assert!(page.contains("<dt>Risk level</dt><dd data-risk=\"medium\">medium</dd>"));
    assert!(page.contains("<dt>Risk state</dt><dd>atRisk</dd>"));
    assert!(page.contains("anonymizedIPAddress"));
    assert!(page.contains(&format!("/admin/sign-ins/{sign_in}")));
    assert!(page.contains(&format!("action=\"{dismiss}\"")));
    assert!(page.contains(&format!("action=\"{compromise}\"")));

    // A reader sees the same risk, but no forms, and a forged post is refused.
    let page = expect(p.get(&page_uri, &reader).await, StatusCode::OK).await;
    assert!(page.contains("<dt>Risk state</dt><dd>atRisk</dd>"));
    assert!(!page.contains(&dismiss) && !page.contains(&compromise));
    expect(
        p.post(&dismiss, &reader, &form()).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Helpdesk: risk is not part of the role (least privilege), neither shown nor done.
    let page = expect(p.get(&page_uri, &helpdesk).await, StatusCode::OK).await;
    assert!(!page.contains("id=\"user-risk\""));
    expect(
        p.post(&compromise, &helpdesk, &form()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(audited(&p, "Dismiss user risk").await, 0);
    assert_eq!(audited(&p, "Confirm user compromised").await, 0);

    // Without the CSRF token nothing happens.
    expect(
        p.post(&dismiss, &security_admin, "").await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let done = p.post(&dismiss, &security_admin, &form()).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&done),
        format!("/admin/users/{}?done=risk-dismissed", target.id)
    );
    let page = expect(
        p.get(&location(&done), &security_admin).await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("User risk dismissed: every open detection"));
    assert!(
        page.contains("<dt>Risk state</dt><dd>dismissed</dd>"),
        "{page}"
    );
    assert!(page.contains("<dt>Risk detail</dt><dd>adminDismissedAllRiskForUser</dd>"));
    assert_eq!(audited(&p, "Dismiss user risk").await, 1);

    let done = p.post(&compromise, &security_admin, &form()).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let page = expect(p.get(&page_uri, &security_admin).await, StatusCode::OK).await;
    assert!(page.contains("<dt>Risk level</dt><dd data-risk=\"high\">high</dd>"));
    assert!(page.contains("<dt>Risk state</dt><dd>confirmedCompromised</dd>"));
    assert!(page.contains("adminConfirmedUserCompromised"));
    assert_eq!(audited(&p, "Confirm user compromised").await, 1);
}
