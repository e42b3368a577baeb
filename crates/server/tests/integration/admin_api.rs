//! The Graph-shaped admin API end to end, on SQLite and (when configured) PostgreSQL.
#![allow(clippy::unwrap_used)]

use crate::common;
use common::{Backend, TestApp, assert_graph_error};
use serde_json::{Value, json};

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

fn user(upn: &str, name: &str) -> Value {
    json!({
        "accountEnabled": true,
        "displayName": name,
        "mailNickname": upn.split('@').next().unwrap(),
        "userPrincipalName": upn,
        "passwordProfile": {"forceChangePasswordNextSignIn": true, "password": "correct horse battery"},
        "department": "Engineering"
    })
}

#[tokio::test]
async fn users_crud_filter_select_order_and_paging() {
    run_on_every_backend(|app| async move {
        let token = app.admin_token().await;
        let before = app.audit_len().await;
        let (status, ada) = app.post("/v1.0/users", &token, user("ada@example.com", "Ada Lovelace")).await;
        assert_eq!(status, 201, "{ada}");
        assert_eq!(ada["userPrincipalName"], "ada@example.com");
        assert_eq!(ada["department"], "Engineering");
        assert!(ada.get("passwordProfile").is_none());
        let id = ada["id"].as_str().unwrap().to_owned();
        for (upn, name) in [("alan@example.com", "Alan Turing"), ("grace@example.com", "Grace Hopper"), ("edsger@example.org", "Edsger Dijkstra")] {
            assert_eq!(app.post("/v1.0/users", &token, user(upn, name)).await.0, 201);
        }
        assert_eq!(app.audit_len().await, before + 4, "each create is audited");

        let (status, got) = app.get(&format!("/v1.0/users/{id}?$select=displayName"), &token).await;
        assert_eq!(status, 200);
        assert_eq!(got, json!({"@odata.type": "#microsoft.graph.user", "id": id, "displayName": "Ada Lovelace"}));

        let (_, list) = app.get("/v1.0/users?$filter=startswith(userPrincipalName,'a') and accountEnabled eq true&$orderby=displayName", &token).await;
        let names: Vec<&str> = list["value"].as_array().unwrap().iter().map(|u| u["displayName"].as_str().unwrap()).collect();
        assert_eq!(names, vec!["Ada Lovelace", "Alan Turing"]);
        assert!(list["@odata.context"].as_str().unwrap().ends_with("$metadata#users"));

        let (_, list) = app.get("/v1.0/users?$filter=userPrincipalName eq 'GRACE@example.com' or displayName eq 'Edsger Dijkstra'", &token).await;
        assert_eq!(list["value"].as_array().unwrap().len(), 2);
        let (_, list) = app.get("/v1.0/users?$filter=displayName ne 'Ada Lovelace'", &token).await;
        assert_eq!(list["value"].as_array().unwrap().len(), 3);

        // Paging: follow @odata.nextLink until the end, seeing every user once.
        let mut seen = Vec::new();
        let mut next = Some(app.url("/v1.0/users?$top=3&$orderby=displayName desc"));
        let mut pages = 0;
        while let Some(url) = next {
            let page: Value = app.client.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
            seen.extend(page["value"].as_array().unwrap().iter().map(|u| u["displayName"].as_str().unwrap().to_owned()));
            next = page["@odata.nextLink"].as_str().map(str::to_owned);
            pages += 1;
        }
        assert_eq!(pages, 2);
        assert_eq!(seen, vec!["Grace Hopper", "Edsger Dijkstra", "Alan Turing", "Ada Lovelace"]);

        let (status, _) = app.patch(&format!("/v1.0/users/{id}"), &token, json!({"displayName": "Countess Lovelace", "accountEnabled": false, "jobTitle": "Analyst"})).await;
        assert_eq!(status, 204);
        // Users are addressable by userPrincipalName too, as in Graph.
        let (_, got) = app.get("/v1.0/users/ADA@example.com", &token).await;
        assert_eq!(got["id"], id.as_str());
        assert_graph_error(&app.get("/v1.0/users/nobody@example.com", &token).await, 404, "Request_ResourceNotFound");
        let (_, got) = app.get(&format!("/v1.0/users/{id}"), &token).await;
        assert_eq!((got["displayName"].as_str(), got["accountEnabled"].as_bool(), got["jobTitle"].as_str()), (Some("Countess Lovelace"), Some(false), Some("Analyst")));

        // The update's audit record names the old and new values.
        let (_, audit) = app.get("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Update user'", &token).await;
        let record = &audit["value"][0];
        assert_eq!(record["category"], "UserManagement");
        assert_eq!(record["targetResources"][0]["id"], id);
        let modified = record["targetResources"][0]["modifiedProperties"].as_array().unwrap();
        assert!(modified.iter().any(|m| m["displayName"] == "displayName" && m["oldValue"] == "Ada Lovelace" && m["newValue"] == "Countess Lovelace"), "{modified:?}");

        // Duplicate userPrincipalName: conflict, nothing written.
        let before = app.audit_len().await;
        let (status, _) = app.post("/v1.0/users", &token, user("ADA@example.com", "Duplicate")).await;
        assert_eq!(status, 409);
        assert_eq!(app.audit_len().await, before);

        assert_eq!(app.delete(&format!("/v1.0/users/{id}"), &token).await.0, 204);
        assert_graph_error(&app.get(&format!("/v1.0/users/{id}"), &token).await, 404, "Request_ResourceNotFound");
    })
    .await;
}

#[tokio::test]
async fn groups_members_nesting_and_transitive_members() {
    run_on_every_backend(|app| async move {
        let token = app.admin_token().await;
        let (_, ada) = app.post("/v1.0/users", &token, user("ada@example.com", "Ada")).await;
        let (_, alan) = app.post("/v1.0/users", &token, user("alan@example.com", "Alan")).await;
        let (status, outer) = app.post("/v1.0/groups", &token, json!({"displayName": "All staff", "mailEnabled": false, "mailNickname": "staff", "securityEnabled": true})).await;
        assert_eq!(status, 201, "{outer}");
        let (_, inner) = app.post("/v1.0/groups", &token, json!({"displayName": "Engineers", "mailEnabled": false, "mailNickname": "eng", "securityEnabled": true})).await;
        let (outer_id, inner_id) = (outer["id"].as_str().unwrap(), inner["id"].as_str().unwrap());

        let reference = |id: &Value| json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{}", id.as_str().unwrap())});
        assert_eq!(app.post(&format!("/v1.0/groups/{inner_id}/members/$ref"), &token, reference(&ada["id"])).await.0, 204);
        assert_eq!(app.post(&format!("/v1.0/groups/{outer_id}/members/$ref"), &token, reference(&inner["id"])).await.0, 204);
        assert_eq!(app.post(&format!("/v1.0/groups/{outer_id}/members/$ref"), &token, reference(&alan["id"])).await.0, 204);
        // Adding twice is a conflict; a cycle is refused.
        assert_eq!(app.post(&format!("/v1.0/groups/{outer_id}/members/$ref"), &token, reference(&alan["id"])).await.0, 409);
        assert_eq!(app.post(&format!("/v1.0/groups/{inner_id}/members/$ref"), &token, reference(&outer["id"])).await.0, 409);

        let (_, direct) = app.get(&format!("/v1.0/groups/{outer_id}/members"), &token).await;
        assert_eq!(direct["value"].as_array().unwrap().len(), 2);
        let (status, transitive) = app.get(&format!("/v1.0/groups/{outer_id}/transitiveMembers"), &token).await;
        assert_eq!(status, 200);
        let mut ids: Vec<&str> = transitive["value"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
        ids.sort_unstable();
        let mut expected = vec![ada["id"].as_str().unwrap(), alan["id"].as_str().unwrap(), inner_id];
        expected.sort_unstable();
        assert_eq!(ids, expected);

        let ada_id = ada["id"].as_str().unwrap();
        assert_eq!(app.delete(&format!("/v1.0/groups/{inner_id}/members/{ada_id}/$ref"), &token).await.0, 204);
        let (_, transitive) = app.get(&format!("/v1.0/groups/{outer_id}/transitiveMembers"), &token).await;
        assert_eq!(transitive["value"].as_array().unwrap().len(), 2);

        let (_, filtered) = app.get("/v1.0/groups?$filter=startswith(displayName,'Eng')", &token).await;
        assert_eq!(filtered["value"].as_array().unwrap().len(), 1);
        assert_eq!(app.patch(&format!("/v1.0/groups/{inner_id}"), &token, json!({"description": "Builders"})).await.0, 204);
        assert_eq!(app.get(&format!("/v1.0/groups/{inner_id}"), &token).await.1["description"], "Builders");
        assert_eq!(app.delete(&format!("/v1.0/groups/{inner_id}"), &token).await.0, 204);
        assert_graph_error(&app.get(&format!("/v1.0/groups/{inner_id}"), &token).await, 404, "Request_ResourceNotFound");
    })
    .await;
}

#[tokio::test]
async fn directory_role_assignments() {
    run_on_every_backend(|app| async move {
        let token = app.admin_token().await;
        let (_, roles) = app.get("/v1.0/directoryRoles", &token).await;
        assert!(roles["value"].as_array().unwrap().iter().any(|r| r["displayName"] == "Conditional Access Administrator"));
        let (_, ada) = app.post("/v1.0/users", &token, user("ada@example.com", "Ada")).await;
        let ca_admin = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9";
        let reference = json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{}", ada["id"].as_str().unwrap())});
        assert_eq!(app.post(&format!("/v1.0/directoryRoles/{ca_admin}/members/$ref"), &token, reference.clone()).await.0, 204);
        assert_eq!(app.post(&format!("/v1.0/directoryRoles/{ca_admin}/members/$ref"), &token, reference).await.0, 409);
        let (_, members) = app.get(&format!("/v1.0/directoryRoles/{ca_admin}/members"), &token).await;
        assert_eq!(members["value"][0]["id"], ada["id"]);
        // Roles go only to role-assignable groups.
        let (_, group) = app.post("/v1.0/groups", &token, json!({"displayName": "Plain", "mailEnabled": false, "mailNickname": "p", "securityEnabled": true})).await;
        let group_ref = json!({"@odata.id": group["id"]});
        assert_graph_error(&app.post(&format!("/v1.0/directoryRoles/{ca_admin}/members/$ref"), &token, group_ref).await, 400, "BadRequest");
        let ada_id = ada["id"].as_str().unwrap();
        assert_eq!(app.delete(&format!("/v1.0/directoryRoles/{ca_admin}/members/{ada_id}/$ref"), &token).await.0, 204);
        assert_graph_error(&app.get("/v1.0/directoryRoles/00000000-1111-2222-3333-444444444444", &token).await, 404, "Request_ResourceNotFound");
    })
    .await;
}

fn mfa_policy(state: &str) -> Value {
    json!({
        "displayName": "Require MFA for admins",
        "state": state,
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"]},
            "users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"]}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    })
}

#[tokio::test]
async fn conditional_access_named_locations_strengths_and_security_defaults() {
    run_on_every_backend(|app| async move {
        let token = app.admin_token().await;
        let base = "/v1.0/identity/conditionalAccess";

        let (status, location) = app.post(&format!("{base}/namedLocations"), &token, json!({
            "@odata.type": "#microsoft.graph.ipNamedLocation",
            "displayName": "Office",
            "isTrusted": true,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}]
        })).await;
        assert_eq!(status, 201, "{location}");
        let location_id = location["id"].as_str().unwrap().to_owned();

        // Security defaults are on in a new installation; an enabled policy is refused
        // until they are turned off, as in Entra.
        assert_eq!(app.get("/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", &token).await.1["isEnabled"], true);
        assert_graph_error(&app.post(&format!("{base}/policies"), &token, mfa_policy("enabled")).await, 400, "BadRequest");
        let (status, report_only) = app.post(&format!("{base}/policies"), &token, mfa_policy("enabledForReportingButNotEnforced")).await;
        assert_eq!(status, 201, "{report_only}");
        assert_eq!(app.patch("/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", &token, json!({"isEnabled": false})).await.0, 204);
        let (status, policy) = app.post(&format!("{base}/policies"), &token, mfa_policy("enabled")).await;
        assert_eq!(status, 201, "{policy}");
        let id = policy["id"].as_str().unwrap().to_owned();
        assert!(policy["createdDateTime"].is_string());
        // …and security defaults cannot come back while a policy is on.
        assert_graph_error(&app.patch("/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", &token, json!({"isEnabled": true})).await, 400, "BadRequest");

        // Validation by the engine: a policy naming an unknown named location is refused.
        let mut bad = mfa_policy("disabled");
        bad["conditions"]["locations"] = json!({"includeLocations": ["11111111-2222-3333-4444-555555555555"]});
        let before = app.audit_len().await;
        let refused = app.post(&format!("{base}/policies"), &token, bad).await;
        assert_graph_error(&refused, 400, "BadRequest");
        assert!(refused.1["error"]["message"].as_str().unwrap().contains("includeLocations"), "{}", refused.1);
        assert_eq!(app.audit_len().await, before);

        let mut good = mfa_policy("disabled");
        good["conditions"]["locations"] = json!({"includeLocations": ["All"], "excludeLocations": [location_id]});
        assert_eq!(app.patch(&format!("{base}/policies/{id}"), &token, json!({"conditions": good["conditions"]})).await.0, 204);
        let (_, got) = app.get(&format!("{base}/policies/{id}"), &token).await;
        assert_eq!(got["conditions"]["locations"]["excludeLocations"][0], location_id.as_str());
        let (_, list) = app.get(&format!("{base}/policies"), &token).await;
        assert_eq!(list["value"].as_array().unwrap().len(), 2);

        // A trusted location cannot be deleted; one still in use neither.
        assert_graph_error(&app.delete(&format!("{base}/namedLocations/{location_id}"), &token).await, 400, "BadRequest");
        assert_eq!(app.patch(&format!("{base}/namedLocations/{location_id}"), &token, json!({"isTrusted": false})).await.0, 204);
        assert_eq!(app.delete(&format!("{base}/namedLocations/{location_id}"), &token).await.0, 409);
        assert_eq!(app.delete(&format!("{base}/policies/{id}"), &token).await.0, 204);
        assert_eq!(app.delete(&format!("{base}/namedLocations/{location_id}"), &token).await.0, 204);
        assert_graph_error(&app.get(&format!("{base}/policies/{id}"), &token).await, 404, "Request_ResourceNotFound");

        // Authentication strengths: three built-ins, read-only; custom ones CRUD.
        let strengths = "/v1.0/policies/authenticationStrengthPolicies";
        let (_, list) = app.get(strengths, &token).await;
        assert_eq!(list["value"].as_array().unwrap().len(), 3);
        assert_graph_error(&app.delete(&format!("{strengths}/00000000-0000-0000-0000-000000000004"), &token).await, 400, "BadRequest");
        let (status, custom) = app.post(strengths, &token, json!({"displayName": "Keys only", "allowedCombinations": ["fido2"]})).await;
        assert_eq!(status, 201, "{custom}");
        assert_eq!(custom["policyType"], "custom");
        let custom_id = custom["id"].as_str().unwrap();
        assert_eq!(app.get(&format!("{strengths}/{custom_id}"), &token).await.1["displayName"], "Keys only");
        assert_eq!(app.delete(&format!("{strengths}/{custom_id}"), &token).await.0, 204);

        // Time bounds on activityDateTime select by time.
        let (status, recent) = app.get("/v1.0/auditLogs/directoryAudits?$filter=activityDateTime ge 2000-01-01T00:00:00Z and category eq 'Policy'", &token).await;
        assert_eq!(status, 200, "{recent}");
        assert!(!recent["value"].as_array().unwrap().is_empty());
        let (_, future) = app.get("/v1.0/auditLogs/directoryAudits?$filter=activityDateTime gt 2999-01-01T00:00:00Z", &token).await;
        assert!(future["value"].as_array().unwrap().is_empty(), "{future}");
        let (_, past) = app.get("/v1.0/auditLogs/directoryAudits?$filter=activityDateTime lt 2000-01-01T00:00:00Z", &token).await;
        assert!(past["value"].as_array().unwrap().is_empty(), "{past}");
        assert_graph_error(&app.get("/v1.0/auditLogs/directoryAudits?$filter=activityDateTime ge 'today'", &token).await, 400, "Request_UnsupportedQuery");

        // Every change above is in the audit log under Policy.
        let (_, audit) = app.get("/v1.0/auditLogs/directoryAudits?$filter=category eq 'Policy'&$top=50", &token).await;
        assert!(audit["value"].as_array().unwrap().len() >= 9, "{audit}");
    })
    .await;
}

#[tokio::test]
async fn bad_input_gets_graph_errors_and_writes_nothing() {
    let app = common::spawn_with(
        &Backend::Sqlite,
        portcullis_server::config::HttpSection {
            body_limit_bytes: Some(4096),
            ..Default::default()
        },
    )
    .await;
    let token = app.admin_token().await;
    let before = app.audit_len().await;

    // Malformed JSON.
    let response = app
        .client
        .post(app.url("/v1.0/users"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"displayName\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["code"],
        "BadRequest"
    );

    // Oversized body.
    let mut huge = user("big@example.com", "Big");
    huge["department"] = json!("x".repeat(10_000));
    assert_graph_error(
        &app.post("/v1.0/users", &token, huge).await,
        413,
        "RequestEntityTooLarge",
    );

    // Wrong shapes and unknown properties.
    assert_graph_error(
        &app.post("/v1.0/users", &token, json!([1, 2])).await,
        400,
        "BadRequest",
    );
    assert_graph_error(
        &app.post("/v1.0/users", &token, json!({"displayName": "No UPN"}))
            .await,
        400,
        "BadRequest",
    );
    assert_graph_error(&app.post("/v1.0/users", &token, json!({"displayName": "X", "userPrincipalName": "x@example.com", "favouriteColour": "blue"})).await, 400, "BadRequest");
    assert_graph_error(
        &app.post(
            "/v1.0/users",
            &token,
            json!({"displayName": "X", "userPrincipalName": "not-a-upn"}),
        )
        .await,
        400,
        "BadRequest",
    );
    assert_graph_error(&app.post("/v1.0/users", &token, json!({"displayName": "X", "userPrincipalName": "x@example.com", "accountEnabled": "yes"})).await, 400, "BadRequest");
    assert_graph_error(
        &app.post(
            "/v1.0/identity/conditionalAccess/policies",
            &token,
            json!({"displayName": 5}),
        )
        .await,
        400,
        "BadRequest",
    );

    // Invalid $filter and other query options.
    for query in [
        "$filter=displayName eq",
        "$filter=passwordProfile eq 'x'",
        "$filter=accountEnabled eq 'yes'",
        "$filter=((((((((((((((((((((((((((((((((((a eq 1))))))))))))))))))))))))))))))))))",
        "$top=0",
        "$top=abc",
        "$orderby=mail",
        "$select=secret",
        "$expand=manager",
        "$skiptoken=garbage!",
    ] {
        let result = app.get(&format!("/v1.0/users?{query}"), &token).await;
        assert_eq!(result.0, 400, "{query}: {}", result.1);
        assert!(
            result.1["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{query}"
        );
    }

    // Unknown and malformed ids.
    for path in [
        "/v1.0/users/6d1f0a0e-0000-4000-8000-000000000000",
        "/v1.0/users/not-an-id",
        "/v1.0/groups/6d1f0a0e-0000-4000-8000-000000000000",
        "/v1.0/identity/conditionalAccess/policies/nope",
        "/v1.0/identity/conditionalAccess/namedLocations/nope",
    ] {
        assert_graph_error(
            &app.get(path, &token).await,
            404,
            "Request_ResourceNotFound",
        );
    }
    assert_graph_error(
        &app.patch(
            "/v1.0/users/6d1f0a0e-0000-4000-8000-000000000000",
            &token,
            json!({"displayName": "Ghost"}),
        )
        .await,
        404,
        "Request_ResourceNotFound",
    );
    assert_graph_error(
        &app.delete("/v1.0/groups/6d1f0a0e-0000-4000-8000-000000000000", &token)
            .await,
        404,
        "Request_ResourceNotFound",
    );
    let (_, group) = app.post("/v1.0/groups", &token, json!({"displayName": "G", "mailEnabled": false, "mailNickname": "g", "securityEnabled": true})).await;
    let after_group = app.audit_len().await;
    let gid = group["id"].as_str().unwrap();
    assert_graph_error(&app.post(&format!("/v1.0/groups/{gid}/members/$ref"), &token, json!({"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/6d1f0a0e-0000-4000-8000-000000000000"})).await, 404, "Request_ResourceNotFound");
    assert_graph_error(
        &app.post(
            &format!("/v1.0/groups/{gid}/members/$ref"),
            &token,
            json!({"id": "x"}),
        )
        .await,
        400,
        "BadRequest",
    );

    assert_eq!(
        before + 1,
        after_group,
        "only the group creation was written"
    );
    assert_eq!(
        app.audit_len().await,
        after_group,
        "refused requests wrote nothing"
    );
    let (_, users) = app.get("/v1.0/users", &token).await;
    assert_eq!(users["value"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn concurrent_writers_all_land_and_keep_the_audit_chain_linear() {
    run_on_every_backend(|app| async move {
        let token = app.admin_token().await;
        let before = app.audit_len().await;
        let writers = (0..16).map(|i| {
            let app = &app;
            let token = &token;
            async move {
                app.post(
                    "/v1.0/users",
                    token,
                    user(&format!("writer{i}@example.com"), &format!("Writer {i}")),
                )
                .await
                .0
            }
        });
        let statuses = futures::future::join_all(writers).await;
        assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
        assert_eq!(app.audit_len().await, before + 16);
        let report = portcullis_service::admin::audit_log::verify_audit_chain(app.store().as_ref())
            .await
            .unwrap();
        assert!(report.first_break.is_none(), "{:?}", report.first_break);
    })
    .await;
}

#[tokio::test]
async fn a_policy_that_would_lock_out_every_global_administrator_is_refused() {
    let app = common::spawn().await;
    let token = app.admin_token().await;
    let (_, admin) = app
        .post("/v1.0/users", &token, user("root@example.com", "Root"))
        .await;
    let global_admin = portcullis_core::DirectoryRole::GlobalAdministrator.template_id();
    let privileged = app
        .register_client(&[], &[portcullis_core::DirectoryRole::GlobalAdministrator])
        .await;
    let role_token = app.token_for(&privileged).await;
    assert_eq!(
        app.post(
            &format!("/v1.0/directoryRoles/{global_admin}/members/$ref"),
            &role_token,
            json!({"@odata.id": admin["id"]})
        )
        .await
        .0,
        204
    );
    assert_eq!(
        app.patch(
            "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
            &token,
            json!({"isEnabled": false})
        )
        .await
        .0,
        204
    );
    let block_everyone = json!({
        "displayName": "Block everything",
        "state": "enabled",
        "conditions": {"clientAppTypes": ["all"], "applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    });
    let before = app.audit_len().await;
    let refused = app
        .post(
            "/v1.0/identity/conditionalAccess/policies",
            &token,
            block_everyone.clone(),
        )
        .await;
    assert_graph_error(&refused, 400, "BadRequest");
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("lock"),
        "{}",
        refused.1
    );
    assert_eq!(app.audit_len().await, before);

    // Excluding the administrator makes it acceptable; report-only is always accepted.
    let mut excluded = block_everyone.clone();
    excluded["conditions"]["users"]["excludeUsers"] = json!([admin["id"]]);
    assert_eq!(
        app.post(
            "/v1.0/identity/conditionalAccess/policies",
            &token,
            excluded
        )
        .await
        .0,
        201
    );
    let mut report_only = block_everyone;
    report_only["state"] = json!("enabledForReportingButNotEnforced");
    let (status, created) = app
        .post(
            "/v1.0/identity/conditionalAccess/policies",
            &token,
            report_only,
        )
        .await;
    assert_eq!(status, 201);
    // …but turning that one on is refused.
    let id = created["id"].as_str().unwrap();
    assert_graph_error(
        &app.patch(
            &format!("/v1.0/identity/conditionalAccess/policies/{id}"),
            &token,
            json!({"state": "enabled"}),
        )
        .await,
        400,
        "BadRequest",
    );
}

/// A password an administrator sets follows the users' own rules: the common list, the
/// user's own names, the minimum length; the refusal names the rule, nothing is created,
/// and a good password still works (both on create and on reset).
#[tokio::test]
async fn admin_set_passwords_follow_the_password_rules() {
    run_on_every_backend(|app| async move {
        let token = app.admin_token().await;
        let with_password = |password: &str| {
            let mut body = user("kim@example.com", "Kim Ostrowski");
            body["passwordProfile"]["password"] = json!(password);
            body
        };
        for (password, why) in [
            ("password1234", "common"),
            ("kim.ostrowski.2026", "name"),
            ("short", "characters"),
        ] {
            let (status, body) = app
                .post("/v1.0/users", &token, with_password(password))
                .await;
            assert_eq!(status, 400, "{password}: {body}");
            let message = body["error"]["message"].as_str().unwrap().to_lowercase();
            assert!(
                message.contains("passwordprofile.password") && message.contains(why),
                "{message}"
            );
        }
        let (status, body) = app
            .get(
                "/v1.0/users?$filter=userPrincipalName eq 'kim@example.com'",
                &token,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(body["value"], json!([]), "nothing was created");
        let (status, created) = app
            .post(
                "/v1.0/users",
                &token,
                with_password("violet harbour engine 1842"),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().unwrap();
        let (status, body) = app
            .patch(
                &format!("/v1.0/users/{id}"),
                &token,
                json!({"passwordProfile": {"password": "iloveyou123"}}),
            )
            .await;
        assert_eq!(
            status, 400,
            "a reset to a common password is refused: {body}"
        );
    })
    .await;
}
