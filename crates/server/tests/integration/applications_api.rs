//! `/v1.0/applications` on both backends: Graph shape, OIDC settings checked by the
//! protocol rules, forward-auth routes, secrets shown once and stored hashed (and usable
//! at the token endpoint), least privilege, audit, bad input writing nothing, concurrent
//! writers.
#![allow(clippy::unwrap_used)]

use crate::common;
use common::{Backend, TestApp, assert_graph_error, backends, spawn_with};
use portcullis_core::{AppPermission, ApplicationId, DirectoryRole};
use portcullis_server::config::HttpSection;
use serde_json::{Value, json};

const APPS: &str = "/v1.0/applications";

/// Who, with which permissions and roles, may read, may write.
type Case = (
    &'static str,
    Vec<AppPermission>,
    Vec<DirectoryRole>,
    bool,
    bool,
);

async fn app_admin_token(app: &TestApp) -> String {
    let client = app
        .register_client(&[], &[DirectoryRole::ApplicationAdministrator])
        .await;
    app.token_for(&client).await
}

async fn token_with(
    app: &TestApp,
    permissions: &[AppPermission],
    roles: &[DirectoryRole],
) -> String {
    let client = app.register_client(permissions, roles).await;
    app.token_for(&client).await
}

async fn client_credentials_status(app: &TestApp, client_id: &str, secret: &str) -> u16 {
    app.client
        .post(app.url("/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn crud_and_secrets(backend: &Backend) {
    let app = spawn_with(backend, HttpSection::default()).await;
    let token = app_admin_token(&app).await;

    let (status, created) = app
        .post(
            APPS,
            &token,
            json!({
                "displayName": "Wiki",
                "web": {"redirectUris": ["https://wiki.example/oidc/callback"]},
                "settings": {"requirePkce": true},
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["applicationType"], "oidcClient");
    assert_eq!(created["accountEnabled"], true);
    assert_eq!(created["passwordCredentials"], json!([]));
    let id = created["id"].as_str().unwrap().to_owned();
    let app_id = created["appId"].as_str().unwrap().to_owned();

    // By object id and by appId, as Graph resolves both.
    let (status, by_app_id) = app.get(&format!("{APPS}/{app_id}"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(by_app_id["id"], id.as_str());
    let (_, list) = app.get(APPS, &token).await;
    assert_eq!(list["value"].as_array().unwrap().len(), 2, "{list}"); // + the caller

    let (status, body) = app
        .patch(
            &format!("{APPS}/{id}"),
            &token,
            json!({"displayName": "Team wiki", "web": {"redirectUris": ["https://wiki.example/cb", "http://127.0.0.1/cb"]}}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, got) = app.get(&format!("{APPS}/{id}"), &token).await;
    assert_eq!(got["displayName"], "Team wiki");
    assert_eq!(got["web"]["redirectUris"][1], "http://127.0.0.1/cb");

    // Invalid OIDC registrations are refused and nothing is written.
    let before = app.audit_len().await;
    for body in [
        json!({"web": {"redirectUris": ["http://wiki.example/cb"]}}),
        json!({"web": {"redirectUris": ["https://wiki.example/*"]}}),
        json!({"settings": {"publicClient": true, "tokenEndpointAuthMethod": "client_secret_post"}}),
        json!({"settings": {"requirePcke": true}}),
        json!({"applicationType": "automation"}),
        json!({"appId": "00000000-0000-0000-0000-000000000001"}),
    ] {
        let result = app
            .patch(&format!("{APPS}/{id}"), &token, body.clone())
            .await;
        assert_graph_error(&result, 400, "BadRequest");
    }
    assert_eq!(
        app.audit_len().await,
        before,
        "a refused write left an audit entry"
    );
    let (_, unchanged) = app.get(&format!("{APPS}/{id}"), &token).await;
    assert_eq!(unchanged["web"], got["web"]);

    // An automation client registered through the API gets a secret that works once added
    // and stops working once removed; the text is shown only in the addPassword answer.
    let (_, automation) = app
        .post(
            APPS,
            &token,
            json!({"displayName": "CI", "applicationType": "automation"}),
        )
        .await;
    let auto_id = automation["id"].as_str().unwrap();
    let auto_client = automation["appId"].as_str().unwrap();
    let (status, password) = app
        .post(
            &format!("{APPS}/{auto_id}/addPassword"),
            &token,
            json!({"passwordCredential": {"displayName": "ci"}}),
        )
        .await;
    assert_eq!(status, 200, "{password}");
    let secret = password["secretText"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("pcs_") && secret.len() > 40);
    assert_eq!(
        password["hint"],
        &secret[..password["hint"].as_str().unwrap().len()]
    );
    assert!(password["endDateTime"].is_string());
    assert_eq!(
        client_credentials_status(&app, auto_client, &secret).await,
        200
    );
    let (_, shown) = app.get(&format!("{APPS}/{auto_id}"), &token).await;
    assert_eq!(shown["passwordCredentials"][0]["secretText"], Value::Null);
    assert!(!shown.to_string().contains(&secret));
    let stored = app
        .store()
        .list_application_secrets(&ApplicationId::parse(auto_id).unwrap())
        .await
        .unwrap();
    assert!(
        !serde_json::to_string(&stored).unwrap().contains(&secret),
        "secret stored in clear"
    );
    let key_id = password["keyId"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("{APPS}/{auto_id}/removePassword"),
            &token,
            json!({"keyId": key_id}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        client_credentials_status(&app, auto_client, &secret).await,
        401
    );
    let gone = app
        .post(
            &format!("{APPS}/{auto_id}/removePassword"),
            &token,
            json!({"keyId": key_id}),
        )
        .await;
    assert_graph_error(&gone, 404, "Request_ResourceNotFound");

    // Audit: each change, with the application as target, never the secret.
    let (_, audits) = app
        .get(
            "/v1.0/auditLogs/directoryAudits?$filter=category eq 'ApplicationManagement'",
            &token_with(&app, &[AppPermission::AuditLogReadAll], &[]).await,
        )
        .await;
    let activities: Vec<&str> = audits["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["activityDisplayName"].as_str())
        .collect();
    for expected in [
        "Add application",
        "Update application",
        "Update application – Certificates and secrets management",
    ] {
        assert!(activities.contains(&expected), "{activities:?}");
    }
    assert!(!audits.to_string().contains(&secret));

    let (status, _) = app.delete(&format!("{APPS}/{id}"), &token).await;
    assert_eq!(status, 204);
    let missing = app.get(&format!("{APPS}/{id}"), &token).await;
    assert_graph_error(&missing, 404, "Request_ResourceNotFound");
    app.shutdown.shutdown();
}

async fn forward_auth_routes(backend: &Backend) {
    let app = spawn_with(backend, HttpSection::default()).await;
    let token = app_admin_token(&app).await;
    let body = json!({"displayName": "Grafana", "applicationType": "forwardAuth", "settings": {"host": "Grafana.Example", "pathPrefix": "/"}});
    let (status, created) = app.post(APPS, &token, body.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["settings"],
        json!({"host": "grafana.example", "pathPrefix": "/"})
    );
    let duplicate = app.post(APPS, &token, body).await;
    assert_graph_error(&duplicate, 409, "Request_MultipleObjectsWithSameKeyValue");
    let other_path = app
        .post(APPS, &token, json!({"displayName": "Grafana API", "applicationType": "forwardAuth", "settings": {"host": "grafana.example", "pathPrefix": "/api"}}))
        .await;
    assert_eq!(other_path.0, 201, "{}", other_path.1);
    for settings in [
        json!({"host": "https://x.example"}),
        json!({}),
        json!({"host": "x.example", "pathPrefix": "api"}),
    ] {
        let result = app
            .post(APPS, &token, json!({"displayName": "Bad", "applicationType": "forwardAuth", "settings": settings}))
            .await;
        assert_graph_error(&result, 400, "BadRequest");
    }
    let id = created["id"].as_str().unwrap();
    let no_secrets = app
        .post(&format!("{APPS}/{id}/addPassword"), &token, json!({}))
        .await;
    assert_graph_error(&no_secrets, 400, "BadRequest");
    app.shutdown.shutdown();
}

/// Who may do what: Application and Cloud Application Administrators and
/// `Application.ReadWrite.All` manage ordinary applications; readers read; other roles
/// are refused; only a caller who may grant permissions touches a privileged app.
async fn least_privilege(backend: &Backend) {
    let app = spawn_with(backend, HttpSection::default()).await;
    let global = token_with(&app, &[], &[DirectoryRole::GlobalAdministrator]).await;
    // A privileged application: it holds a Graph permission.
    let (_, privileged) = app
        .post(APPS, &global, json!({"displayName": "Sync", "applicationType": "automation", "grantedPermissions": ["User.ReadWrite.All"]}))
        .await;
    let privileged_id = privileged["id"].as_str().unwrap().to_owned();
    assert_eq!(
        privileged["grantedPermissions"],
        json!(["User.ReadWrite.All"])
    );

    let cases: Vec<Case> = vec![
        (
            "Application Administrator",
            vec![],
            vec![DirectoryRole::ApplicationAdministrator],
            true,
            true,
        ),
        (
            "Cloud Application Administrator",
            vec![],
            vec![DirectoryRole::CloudApplicationAdministrator],
            true,
            true,
        ),
        (
            "Application.ReadWrite.All",
            vec![AppPermission::ApplicationReadWriteAll],
            vec![],
            true,
            true,
        ),
        (
            "Application.Read.All",
            vec![AppPermission::ApplicationReadAll],
            vec![],
            true,
            false,
        ),
        (
            "Global Reader",
            vec![],
            vec![DirectoryRole::GlobalReader],
            true,
            false,
        ),
        (
            "User Administrator",
            vec![],
            vec![DirectoryRole::UserAdministrator],
            false,
            false,
        ),
        (
            "Conditional Access Administrator",
            vec![],
            vec![DirectoryRole::ConditionalAccessAdministrator],
            true,
            false,
        ),
        (
            "Helpdesk Administrator",
            vec![],
            vec![DirectoryRole::HelpdeskAdministrator],
            false,
            false,
        ),
    ];
    for (who, permissions, roles, may_read, may_write) in cases {
        let token = token_with(&app, &permissions, &roles).await;
        let (status, _) = app.get(APPS, &token).await;
        assert_eq!(status, if may_read { 200 } else { 403 }, "{who} list");
        let (status, created) = app
            .post(
                APPS,
                &token,
                json!({"displayName": format!("{who} app"), "applicationType": "automation"}),
            )
            .await;
        assert_eq!(
            status,
            if may_write { 201 } else { 403 },
            "{who} create: {created}"
        );
        // Nobody below Global Administrator / Privileged Role Administrator may grant
        // permissions or change a privileged application.
        let (status, _) = app
            .post(APPS, &token, json!({"displayName": "x", "applicationType": "automation", "grantedPermissions": ["Policy.Read.All"]}))
            .await;
        assert_eq!(status, 403, "{who} grants a permission");
        let (status, _) = app
            .post(
                &format!("{APPS}/{privileged_id}/addPassword"),
                &token,
                json!({}),
            )
            .await;
        assert_eq!(status, 403, "{who} adds a secret to a privileged app");
        let (status, _) = app.delete(&format!("{APPS}/{privileged_id}"), &token).await;
        assert_eq!(status, 403, "{who} deletes a privileged app");
    }
    let (status, _) = app
        .post(
            &format!("{APPS}/{privileged_id}/addPassword"),
            &global,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "a Global Administrator may");
    app.shutdown.shutdown();
}

async fn bad_input(backend: &Backend) {
    let app = spawn_with(backend, HttpSection::default()).await;
    let token = app_admin_token(&app).await;
    let before = app.audit_len().await;
    let malformed = app
        .client
        .post(app.url(APPS))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"displayName\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    for body in [
        json!({}),
        json!({"displayName": "   "}),
        json!({"displayName": "x", "applicationType": "saml"}),
        json!({"displayName": "x", "passwordCredentials": []}),
        json!({"displayName": "x", "web": {"redirectUris": [1]}}),
        json!({"displayName": "x", "grantedPermissions": ["Mail.Send"]}),
        json!({"displayName": "x", "applicationType": "automation", "web": {"redirectUris": ["https://a.example/cb"]}}),
    ] {
        let result = app.post(APPS, &token, body.clone()).await;
        assert_graph_error(&result, 400, "BadRequest");
    }
    let unknown = app
        .get(
            &format!("{APPS}/4b1e8d39-0000-4000-8000-000000000000"),
            &token,
        )
        .await;
    assert_graph_error(&unknown, 404, "Request_ResourceNotFound");
    let not_an_id = app.get(&format!("{APPS}/not-an-id"), &token).await;
    assert_graph_error(&not_an_id, 404, "Request_ResourceNotFound");
    let paging = app.get(&format!("{APPS}?$top=5"), &token).await;
    assert_graph_error(&paging, 400, "Request_UnsupportedQuery");
    let (_, created) = app
        .post(
            APPS,
            &token,
            json!({"displayName": "CI", "applicationType": "automation"}),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let after_create = app.audit_len().await;
    assert_eq!(after_create, before + 1);
    for body in [
        json!({"passwordCredential": {"endDateTime": "2001-01-01T00:00:00Z"}}),
        json!({"passwordCredential": {"endDateTime": "2999-01-01T00:00:00Z"}}),
        json!({"passwordCredential": {"endDateTime": "soon"}}),
        json!({"passwordCredential": {"secretText": "chosen"}}),
    ] {
        let result = app
            .post(&format!("{APPS}/{id}/addPassword"), &token, body)
            .await;
        assert_graph_error(&result, 400, "BadRequest");
    }
    assert_eq!(
        app.audit_len().await,
        after_create,
        "refused requests wrote nothing"
    );
    app.shutdown.shutdown();
}

/// Several writers at once: every secret lands, each with its audit entry.
async fn concurrent_writers(backend: &Backend) {
    let app = spawn_with(backend, HttpSection::default()).await;
    let token = app_admin_token(&app).await;
    let (_, created) = app
        .post(
            APPS,
            &token,
            json!({"displayName": "CI", "applicationType": "automation"}),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let before = app.audit_len().await;
    let writers = (0..12).map(|i| {
        let (app, token, id) = (&app, &token, &id);
        async move {
            if i % 3 == 0 {
                app.patch(
                    &format!("{APPS}/{id}"),
                    token,
                    json!({"displayName": format!("CI {i}")}),
                )
                .await
                .0
            } else {
                app.post(
                    &format!("{APPS}/{id}/addPassword"),
                    token,
                    json!({"passwordCredential": {"displayName": format!("k{i}")}}),
                )
                .await
                .0
            }
        }
    });
    let statuses = futures::future::join_all(writers).await;
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 204),
        "{statuses:?}"
    );
    let (_, after) = app.get(&format!("{APPS}/{id}"), &token).await;
    assert_eq!(after["passwordCredentials"].as_array().unwrap().len(), 8);
    assert_eq!(app.audit_len().await, before + 12);
    app.shutdown.shutdown();
}

#[tokio::test]
async fn applications_crud_and_secrets() {
    for backend in backends() {
        crud_and_secrets(&backend).await;
    }
}

#[tokio::test]
async fn applications_forward_auth_routes() {
    for backend in backends() {
        forward_auth_routes(&backend).await;
    }
}

#[tokio::test]
async fn applications_least_privilege() {
    for backend in backends() {
        least_privilege(&backend).await;
    }
}

#[tokio::test]
async fn applications_bad_input_writes_nothing() {
    for backend in backends() {
        bad_input(&backend).await;
    }
}

#[tokio::test]
async fn applications_concurrent_writers() {
    for backend in backends() {
        concurrent_writers(&backend).await;
    }
}
