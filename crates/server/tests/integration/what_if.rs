//! Graph What If (`POST /v1.0/identity/conditionalAccess/evaluate`) end to end, on SQLite
//! and (when configured) PostgreSQL.
#![allow(clippy::unwrap_used)]

use crate::common;
use common::{Backend, TestApp, assert_graph_error};
use portcullis_core::AppPermission;
use serde_json::{Value, json};

const EVALUATE: &str = "/v1.0/identity/conditionalAccess/evaluate";
const POLICIES: &str = "/v1.0/identity/conditionalAccess/policies";

async fn run_on_every_backend<F, Fut>(scenario: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in common::backends() {
        eprintln!("backend: {backend:?}");
        let app = common::spawn_with(&backend, Default::default()).await;
        if let Backend::Postgres(_) = backend {
            assert_eq!(app.store().backend_name(), "postgres");
        }
        scenario(app).await;
    }
}

fn user(upn: &str) -> Value {
    json!({
        "accountEnabled": true,
        "displayName": upn,
        "mailNickname": upn.split('@').next().unwrap(),
        "userPrincipalName": upn,
        "passwordProfile": {"forceChangePasswordNextSignIn": true, "password": "correct horse battery"}
    })
}

fn mfa_for_group(name: &str, state: &str, group_id: &str) -> Value {
    json!({
        "displayName": name,
        "state": state,
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"]},
            "users": {"includeGroups": [group_id]}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    })
}

fn evaluate_body(user_id: &str) -> Value {
    json!({
        "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": user_id},
        "signInContext": {
            "@odata.type": "#microsoft.graph.applicationContext",
            "includeApplications": ["00000003-0000-0000-c000-000000000000"]
        },
        "signInConditions": {"clientAppType": "browser", "devicePlatform": "windows"},
        "appliedPoliciesOnly": false
    })
}

/// The result for the policy named `name`.
fn result_for<'a>(response: &'a Value, name: &str) -> &'a Value {
    response["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["displayName"] == name)
        .unwrap_or_else(|| panic!("no result for {name}: {response}"))
}

struct Fixture {
    member_id: String,
    outsider_id: String,
}

/// A group with one member (through a nested group, so transitivity counts), a user
/// outside it, a report-only MFA policy for the group and a disabled copy of it.
async fn fixture(app: &TestApp, token: &str) -> Fixture {
    let (status, member) = app
        .post("/v1.0/users", token, user("ada@example.com"))
        .await;
    assert_eq!(status, 201, "{member}");
    let (_, outsider) = app
        .post("/v1.0/users", token, user("alan@example.com"))
        .await;
    let group = |nick: &str| json!({"displayName": nick, "mailEnabled": false, "mailNickname": nick, "securityEnabled": true});
    let (status, outer) = app.post("/v1.0/groups", token, group("staff")).await;
    assert_eq!(status, 201, "{outer}");
    let (_, inner) = app.post("/v1.0/groups", token, group("engineers")).await;
    let (outer_id, inner_id) = (outer["id"].as_str().unwrap(), inner["id"].as_str().unwrap());
    let reference = |id: &Value| json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{}", id.as_str().unwrap())});
    assert_eq!(
        app.post(
            &format!("/v1.0/groups/{inner_id}/members/$ref"),
            token,
            reference(&member["id"])
        )
        .await
        .0,
        204
    );
    assert_eq!(
        app.post(
            &format!("/v1.0/groups/{outer_id}/members/$ref"),
            token,
            reference(&inner["id"])
        )
        .await
        .0,
        204
    );

    let report_only = mfa_for_group(
        "MFA for staff",
        "enabledForReportingButNotEnforced",
        outer_id,
    );
    let (status, created) = app.post(POLICIES, token, report_only).await;
    assert_eq!(status, 201, "{created}");
    let (status, created) = app
        .post(
            POLICIES,
            token,
            mfa_for_group("MFA for staff (off)", "disabled", outer_id),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    Fixture {
        member_id: member["id"].as_str().unwrap().to_owned(),
        outsider_id: outsider["id"].as_str().unwrap().to_owned(),
    }
}

#[tokio::test]
async fn what_if_reports_which_policies_apply_and_why_not() {
    run_on_every_backend(|app| async move {
        let token = app.admin_token().await;
        let fixture = fixture(&app, &token).await;
        let audit_before = app.audit_len().await;

        let (status, member) = app
            .post(EVALUATE, &token, evaluate_body(&fixture.member_id))
            .await;
        assert_eq!(status, 200, "{member}");
        let applied = result_for(&member, "MFA for staff");
        assert_eq!(applied["policyApplies"], true, "{member}");
        assert_eq!(applied["analysisReasons"], "notSet", "{member}");
        assert_eq!(applied["grantControls"]["builtInControls"][0], "mfa");
        let disabled = result_for(&member, "MFA for staff (off)");
        assert_eq!(disabled["policyApplies"], false, "{member}");
        assert_eq!(disabled["analysisReasons"], "policyNotEnabled", "{member}");

        let (status, outsider) = app
            .post(EVALUATE, &token, evaluate_body(&fixture.outsider_id))
            .await;
        assert_eq!(status, 200, "{outsider}");
        let not_applied = result_for(&outsider, "MFA for staff");
        assert_eq!(not_applied["policyApplies"], false, "{outsider}");
        assert_eq!(not_applied["analysisReasons"], "users", "{outsider}");

        // appliedPoliciesOnly leaves out the rest.
        let mut only = evaluate_body(&fixture.member_id);
        only["appliedPoliciesOnly"] = json!(true);
        let (_, only) = app.post(EVALUATE, &token, only).await;
        assert_eq!(only["value"].as_array().unwrap().len(), 1, "{only}");

        // What If writes nothing.
        assert_eq!(app.audit_len().await, audit_before);
    })
    .await;
}

#[tokio::test]
async fn what_if_needs_policy_read_and_a_well_formed_body() {
    run_on_every_backend(|app| async move {
        let token = app.admin_token().await;
        let fixture = fixture(&app, &token).await;

        // A policy reader may ask; a user reader may not.
        let reader = app
            .register_client(&[AppPermission::PolicyReadAll], &[])
            .await;
        let reader_token = app.token_for(&reader).await;
        let (status, body) = app
            .post(EVALUATE, &reader_token, evaluate_body(&fixture.member_id))
            .await;
        assert_eq!(status, 200, "{body}");
        let stranger = app
            .register_client(&[AppPermission::UserReadAll], &[])
            .await;
        let stranger_token = app.token_for(&stranger).await;
        assert_graph_error(
            &app.post(EVALUATE, &stranger_token, evaluate_body(&fixture.member_id))
                .await,
            403,
            "Authorization_RequestDenied",
        );
        assert_eq!(
            app.send(
                reqwest::Method::POST,
                EVALUATE,
                "not-a-token",
                Some(evaluate_body(&fixture.member_id))
            )
            .await
            .0,
            401
        );

        // Malformed bodies are 400 Graph errors.
        assert_graph_error(
            &app.post(EVALUATE, &token, json!({"signInIdentity": 5}))
                .await,
            400,
            "BadRequest",
        );
        assert_graph_error(
            &app.post(EVALUATE, &token, json!([1, 2])).await,
            400,
            "BadRequest",
        );
        let mut no_user = evaluate_body(&fixture.member_id);
        no_user["signInIdentity"] = json!({"@odata.type": "#microsoft.graph.userSignIn"});
        assert_graph_error(
            &app.post(EVALUATE, &token, no_user).await,
            400,
            "BadRequest",
        );
        let mut no_context = evaluate_body(&fixture.member_id);
        no_context["signInContext"] = json!({"@odata.type": "#microsoft.graph.applicationContext"});
        assert_graph_error(
            &app.post(EVALUATE, &token, no_context).await,
            400,
            "BadRequest",
        );
        assert_graph_error(
            &app.post(EVALUATE, &token, evaluate_body("not-a-guid"))
                .await,
            400,
            "BadRequest",
        );

        // An unknown user is 404.
        assert_graph_error(
            &app.post(
                EVALUATE,
                &token,
                evaluate_body("11111111-2222-3333-4444-555555555555"),
            )
            .await,
            404,
            "Request_ResourceNotFound",
        );
    })
    .await;
}
