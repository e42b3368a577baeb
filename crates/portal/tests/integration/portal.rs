//! The admin portal in process: role gating (least privilege through the services),
//! CSRF refusal, and pages rendering real data.

#![allow(clippy::unwrap_used)]

use crate::common;
use axum::http::StatusCode;
use common::{CSRF, expect, location, portal};
use portcullis_core::{
    ConditionalAccessStatus, DirectoryRole, SignIn, SignInId, SignInStatus, UserId,
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

const NEW_POLICY: &str = "displayName=Pilot+MFA&state=enabledForReportingButNotEnforced\
    &includeUsers=All&includeApplications=All&clientAppTypes=all&grantControls=mfa&grantOperator=OR";

fn form(body: &str) -> String {
    format!("csrf_token={CSRF}&mode=form&{body}")
}

async fn stored_policies(p: &common::Portal) -> Vec<serde_json::Value> {
    p.store
        .list_policies(portcullis_store::PolicyKind::ConditionalAccessPolicy)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.json)
        .collect()
}

#[tokio::test]
async fn signed_out_browsers_are_sent_to_sign_in_and_non_admins_refused() {
    let p = portal().await;
    let response = p.get("/admin/policies", "").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/signin?return_to=%2Fadmin%2Fpolicies");

    let (_, cookie) = p.admin("worker@example.com", &[]).await;
    let body = expect(p.get("/admin", &cookie).await, StatusCode::FORBIDDEN).await;
    assert!(body.contains("Administrators only"));
}

#[tokio::test]
async fn a_policy_is_created_in_report_only_and_listed() {
    let p = portal().await;
    let (_, cookie) = p
        .admin(
            "ca@example.com",
            &[DirectoryRole::ConditionalAccessAdministrator],
        )
        .await;
    let response = p
        .post("/admin/policies/new", &cookie, &form(NEW_POLICY))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        common::text(response).await
    );
    let policies = stored_policies(&p).await;
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0]["state"], "enabledForReportingButNotEnforced");
    assert_eq!(
        policies[0]["grantControls"]["builtInControls"],
        json!(["mfa"])
    );

    let list = expect(p.get("/admin/policies", &cookie).await, StatusCode::OK).await;
    assert!(list.contains("Pilot MFA"));
    assert!(list.contains("Report-only"));
    assert!(
        list.contains("href=\"/admin/policies/new\""),
        "writers get the create link"
    );
    let id = policies[0]["id"].as_str().unwrap();
    let edit = expect(
        p.get(&format!("/admin/policies/{id}"), &cookie).await,
        StatusCode::OK,
    )
    .await;
    assert!(edit.contains("conditionalAccessPolicy"), "JSON view");
    assert!(edit.contains("&#34;displayName&#34;") || edit.contains("&quot;displayName&quot;"));
}

#[tokio::test]
async fn a_global_reader_sees_policies_but_cannot_change_them() {
    let p = portal().await;
    let (_, admin) = p
        .admin("ga@example.com", &[DirectoryRole::GlobalAdministrator])
        .await;
    let response = p
        .post("/admin/policies/new", &admin, &form(NEW_POLICY))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let id = stored_policies(&p).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (_, reader) = p
        .admin("reader@example.com", &[DirectoryRole::GlobalReader])
        .await;
    let list = expect(p.get("/admin/policies", &reader).await, StatusCode::OK).await;
    assert!(list.contains("Pilot MFA"));
    assert!(
        !list.contains("href=\"/admin/policies/new\""),
        "no create link for readers"
    );
    assert!(!list.contains("/state\""), "no state switch for readers");
    let edit = expect(
        p.get(&format!("/admin/policies/{id}"), &reader).await,
        StatusCode::OK,
    )
    .await;
    assert!(edit.contains("can read policies but not change them"));
    assert!(!edit.contains(">Save</button>"));

    let body = form("state=disabled&confirm=yes");
    expect(
        p.post(&format!("/admin/policies/{id}/state"), &reader, &body)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let renamed = form(&NEW_POLICY.replace("Pilot+MFA", "Renamed"));
    expect(
        p.post(&format!("/admin/policies/{id}"), &reader, &renamed)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let policy = &stored_policies(&p).await[0];
    assert_eq!(policy["state"], "enabledForReportingButNotEnforced");
    assert_eq!(policy["displayName"], "Pilot MFA");
}

#[tokio::test]
async fn a_helpdesk_administrator_cannot_edit_policies() {
    let p = portal().await;
    let (_, admin) = p
        .admin("ga@example.com", &[DirectoryRole::GlobalAdministrator])
        .await;
    p.post("/admin/policies/new", &admin, &form(NEW_POLICY))
        .await;
    let id = stored_policies(&p).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (_, helpdesk) = p
        .admin("help@example.com", &[DirectoryRole::HelpdeskAdministrator])
        .await;
    let overview = expect(p.get("/admin", &helpdesk).await, StatusCode::OK).await;
    assert!(
        !overview.contains("href=\"/admin/policies\""),
        "no Conditional Access section"
    );
    expect(
        p.get("/admin/policies", &helpdesk).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    expect(
        p.post("/admin/policies/new", &helpdesk, &form(NEW_POLICY))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    expect(
        p.post(
            &format!("/admin/policies/{id}/state"),
            &helpdesk,
            &form("state=enabled&confirm=yes"),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(stored_policies(&p).await.len(), 1);
    assert_eq!(
        stored_policies(&p).await[0]["state"],
        "enabledForReportingButNotEnforced"
    );
}

#[tokio::test]
async fn posts_without_the_csrf_token_are_refused() {
    let p = portal().await;
    let (_, cookie) = p
        .admin("ga@example.com", &[DirectoryRole::GlobalAdministrator])
        .await;
    let forged = format!("mode=form&{NEW_POLICY}");
    let body = expect(
        p.post("/admin/policies/new", &cookie, &forged).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(body.contains("This form has expired"));
    let wrong =
        format!("csrf_token=BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB&mode=form&{NEW_POLICY}");
    expect(
        p.post("/admin/policies/new", &cookie, &wrong).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(stored_policies(&p).await.is_empty(), "nothing was created");
}

#[tokio::test]
async fn invalid_policies_come_back_with_the_error_beside_the_field() {
    let p = portal().await;
    let (_, cookie) = p
        .admin(
            "ca@example.com",
            &[DirectoryRole::ConditionalAccessAdministrator],
        )
        .await;
    // User actions and applications in one policy: the engine's structural check refuses
    // it and names the property.
    let body = form(
        "displayName=Empty&state=enabledForReportingButNotEnforced&includeUsers=All\
        &includeApplications=All&includeUserActions=urn%3Auser%3Aregistersecurityinfo\
        &clientAppTypes=all&grantControls=mfa",
    );
    let page = expect(
        p.post("/admin/policies/new", &cookie, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        page.contains("aria-describedby=\"includeUserActions-error\""),
        "{page}"
    );
    assert!(page.contains("field-error"));
    assert!(
        page.contains("value=\"Empty\""),
        "the admin's input is kept"
    );
    let bad_json = format!("csrf_token={CSRF}&mode=json&json=%7Bnot+json");
    let page = expect(
        p.post("/admin/policies/new", &cookie, &bad_json).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(page.contains("The JSON does not parse"));
    assert!(stored_policies(&p).await.is_empty());
}

fn sign_in(user: &UserId, minutes_ago: i64, code: i32, policies: serde_json::Value) -> SignIn {
    SignIn {
        id: SignInId::from_uuid(Uuid::new_v4()),
        created_date_time: OffsetDateTime::now_utc() - time::Duration::minutes(minutes_ago),
        correlation_id: None,
        user_id: Some(user.clone()),
        user_principal_name: Some("ada@example.com".into()),
        user_display_name: Some("Ada".into()),
        app_id: Some("app-1".into()),
        app_display_name: Some("Wiki".into()),
        ip_address: Some("198.51.100.7".into()),
        client_app_used: Some(if code == 50126 { "IMAP" } else { "Browser" }.into()),
        user_agent: Some("=cmd|' /C calc'!A0".into()),
        is_interactive: true,
        status: if code == 0 {
            SignInStatus::success()
        } else {
            SignInStatus {
                error_code: code,
                failure_reason: Some("Invalid username or password.".into()),
                additional_details: None,
            }
        },
        conditional_access_status: ConditionalAccessStatus::NotApplied,
        applied_conditional_access_policies: policies,
        risk_level_during_sign_in: Some(if code == 50126 { "high" } else { "none" }.into()),
        risk_level_aggregated: None,
        risk_state: None,
        risk_detail: None,
        location: None,
        device_detail: None,
        authentication_details: json!([{"authenticationMethod": "Password", "succeeded": code == 0}]),
        authentication_requirement: Some("singleFactorAuthentication".into()),
        extra: serde_json::Map::new(),
    }
}

#[tokio::test]
async fn pages_render_the_log_the_impact_and_the_overview() {
    let p = portal().await;
    let (admin_user, cookie) = p
        .admin("ga@example.com", &[DirectoryRole::GlobalAdministrator])
        .await;
    // Security defaults are on in a new directory and exclude enabled policies (as in Entra).
    p.services
        .update_security_defaults(
            &common::caller(&admin_user, DirectoryRole::GlobalAdministrator),
            json!({"isEnabled": false}),
        )
        .await
        .unwrap();
    p.post("/admin/policies/new", &cookie, &form(NEW_POLICY))
        .await;
    let policy = stored_policies(&p).await.remove(0);
    let id = policy["id"].as_str().unwrap().to_owned();
    let applied = json!([{"id": id, "displayName": "Pilot MFA", "result": "reportOnlyInterrupted",
        "enforcedGrantControls": ["mfa"], "enforcedSessionControls": [],
        "conditionsSatisfied": "application,users", "conditionsNotSatisfied": "none"}]);
    let challenged = sign_in(&admin_user.id, 5, 0, applied);
    p.store.append_sign_in(&challenged).await.unwrap();
    p.store
        .append_sign_in(&sign_in(&admin_user.id, 4, 50126, json!([])))
        .await
        .unwrap();

    let overview = expect(p.get("/admin?days=1", &cookie).await, StatusCode::OK).await;
    assert!(overview.contains("<svg class=\"chart\" role=\"img\""));
    assert!(overview.contains("Legacy authentication attempts"));
    assert!(
        overview.contains("Invalid user name or password"),
        "top failure reason"
    );
    assert!(
        overview.contains("would have challenged") || overview.contains("Would have challenged")
    );
    assert!(overview.contains(&format!("/admin/policies/{id}/impact")));

    let impact = expect(
        p.get(&format!("/admin/policies/{id}/impact?days=1"), &cookie)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(impact.contains(&format!("/admin/sign-ins/{}", challenged.id)));
    assert!(impact.contains("Report-only: would have challenged"));

    let list = expect(
        p.get("/admin/sign-ins?days=1", &cookie).await,
        StatusCode::OK,
    )
    .await;
    assert!(list.contains(&challenged.id.to_string()));
    let failures = expect(
        p.get("/admin/sign-ins?days=1&status=failure", &cookie)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        !failures.contains(&challenged.id.to_string()),
        "filtered out"
    );
    assert!(failures.contains("50126"));
    expect(
        p.get("/admin/sign-ins?errorCode=abc", &cookie).await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    let detail = expect(
        p.get(&format!("/admin/sign-ins/{}", challenged.id), &cookie)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(detail.contains("data-result=\"reportOnlyInterrupted\""));
    assert!(detail.contains("Report-only: would have challenged"));

    let csv = expect(
        p.get("/admin/sign-ins/export?days=1&format=csv", &cookie)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(csv.starts_with("id,createdDateTime,"));
    assert_eq!(csv.lines().count(), 3);
    let jsonl = expect(
        p.get("/admin/sign-ins/export?days=1&format=jsonl", &cookie)
            .await,
        StatusCode::OK,
    )
    .await;
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert!(first["id"].is_string());

    // Turning it on first shows what it would have done, then needs a confirmation.
    let confirm = expect(
        p.post(
            &format!("/admin/policies/{id}/state"),
            &cookie,
            &form("state=enabled"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        confirm.contains("<strong>1</strong> sign-ins would have been <strong>challenged</strong>"),
        "{confirm}"
    );
    assert_eq!(
        stored_policies(&p).await[0]["state"],
        "enabledForReportingButNotEnforced"
    );
    let done = p
        .post(
            &format!("/admin/policies/{id}/state"),
            &cookie,
            &form("state=enabled&confirm=yes"),
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored_policies(&p).await[0]["state"], "enabled");

    let audit = expect(p.get("/admin/audit", &cookie).await, StatusCode::OK).await;
    assert!(audit.contains("Update conditional access policy"));
    let users = expect(p.get("/admin/users?q=ga", &cookie).await, StatusCode::OK).await;
    assert!(users.contains("ga@example.com"));
    let user = expect(
        p.get(&format!("/admin/users/{}", admin_user.id), &cookie)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(user.contains("Global Administrator"));
    expect(p.get("/admin/roles", &cookie).await, StatusCode::OK).await;
    expect(p.get("/admin/groups", &cookie).await, StatusCode::OK).await;
    expect(
        p.get("/admin/policies/templates", &cookie).await,
        StatusCode::OK,
    )
    .await;
}
