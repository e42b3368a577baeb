//! `/v1.0/users/{id}/authentication/…` over HTTP on SQLite and PostgreSQL: Temporary
//! Access Pass issuance (shown once, stored hashed, lifetime bounds, one per user),
//! listing in Graph's shapes without secrets, deletion, and least privilege (a Helpdesk
//! Administrator helps non-admins only; a reader cannot touch methods).
#![allow(clippy::unwrap_used)]

use crate::common;
use common::{Backend, TestApp, assert_graph_error, backends, spawn_with};
use portcullis_core::{AppPermission, DirectoryRole};
use portcullis_server::config::HttpSection;
use serde_json::{Value, json};

struct Users {
    worker: String,
    boss: String,
}

async fn users(app: &TestApp, admin: &str) -> Users {
    let (status, worker) = app
        .post(
            "/v1.0/users",
            admin,
            json!({"displayName": "Worker", "userPrincipalName": "worker@example.com",
                   "passwordProfile": {"password": "Correct-Horse-9"}}),
        )
        .await;
    assert_eq!(status, 201, "{worker}");
    let (_, boss) = app
        .post(
            "/v1.0/users",
            admin,
            json!({"displayName": "Boss", "userPrincipalName": "boss@example.com"}),
        )
        .await;
    let privileged = app
        .register_client(&[], &[DirectoryRole::GlobalAdministrator])
        .await;
    let token = app.token_for(&privileged).await;
    let role = DirectoryRole::GlobalAdministrator.template_id();
    let (status, body) = app
        .post(
            &format!("/v1.0/directoryRoles/{role}/members/$ref"),
            &token,
            json!({"@odata.id": boss["id"]}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    Users {
        worker: worker["id"].as_str().unwrap().to_owned(),
        boss: boss["id"].as_str().unwrap().to_owned(),
    }
}

fn base(user: &str) -> String {
    format!("/v1.0/users/{user}/authentication")
}

fn types(list: &Value) -> Vec<&str> {
    list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|method| method["@odata.type"].as_str().unwrap())
        .collect()
}

async fn scenario(backend: Backend) {
    let app = spawn_with(&backend, HttpSection::default()).await;
    let admin = app.admin_token().await;
    let users = users(&app, &admin).await;
    let methods_client = app
        .register_client(&[AppPermission::UserAuthenticationMethodReadWriteAll], &[])
        .await;
    let methods = app.token_for(&methods_client).await;
    let helpdesk_client = app
        .register_client(&[], &[DirectoryRole::HelpdeskAdministrator])
        .await;
    let helpdesk = app.token_for(&helpdesk_client).await;
    let reader_client = app
        .register_client(&[AppPermission::UserReadAll], &[])
        .await;
    let reader = app.token_for(&reader_client).await;

    // The password is listed, without its hash.
    let listed = app
        .get(&format!("{}/methods", base(&users.worker)), &methods)
        .await;
    assert_eq!(listed.0, 200, "{}", listed.1);
    assert_eq!(
        types(&listed.1),
        ["#microsoft.graph.passwordAuthenticationMethod"]
    );
    assert_eq!(listed.1["value"][0]["password"], Value::Null);
    let password_id = listed.1["value"][0]["id"].as_str().unwrap().to_owned();

    // Least privilege: a reader cannot list methods; the helpdesk cannot help an admin.
    assert_graph_error(
        &app.get(&format!("{}/methods", base(&users.worker)), &reader)
            .await,
        403,
        "Authorization_RequestDenied",
    );
    let audit_before = app.audit_len().await;
    let refused = app
        .post(
            &format!("{}/temporaryAccessPassMethods", base(&users.boss)),
            &helpdesk,
            json!({}),
        )
        .await;
    assert_graph_error(&refused, 403, "Authorization_RequestDenied");
    assert_eq!(
        app.audit_len().await,
        audit_before,
        "a refused request wrote nothing"
    );

    // Lifetime outside 10 minutes to 30 days.
    for minutes in [5, 43_201] {
        let out_of_range = app
            .post(
                &format!("{}/temporaryAccessPassMethods", base(&users.worker)),
                &helpdesk,
                json!({"lifetimeInMinutes": minutes}),
            )
            .await;
        assert_graph_error(&out_of_range, 400, "BadRequest");
    }

    // Issued for a non-admin: shown once, one-time as asked.
    let (status, issued) = app
        .post(
            &format!("{}/temporaryAccessPassMethods", base(&users.worker)),
            &helpdesk,
            json!({"lifetimeInMinutes": 60, "isUsableOnce": true}),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    let pass = issued["temporaryAccessPass"].as_str().unwrap().to_owned();
    assert_eq!(pass.len(), 8);
    assert_eq!(
        issued["@odata.type"],
        "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
    );
    assert_eq!(issued["lifetimeInMinutes"], 60);
    assert_eq!(issued["isUsableOnce"], true);
    assert_eq!(issued["isUsable"], true);
    assert_eq!(
        app.audit_len().await,
        audit_before + 1,
        "issuance is audited"
    );

    // Never shown again, never stored in clear.
    let (_, listed) = app
        .get(
            &format!("{}/temporaryAccessPassMethods", base(&users.worker)),
            &methods,
        )
        .await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    assert_eq!(listed["value"][0]["temporaryAccessPass"], Value::Null);
    assert!(!listed.to_string().contains(&pass));
    let stored = app
        .store()
        .list_credentials(&portcullis_core::UserId::parse(&users.worker).unwrap())
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|c| !c.payload.to_string().contains(&pass))
    );

    // A second pass replaces the first (one per user).
    let (status, second) = app
        .post(
            &format!("{}/temporaryAccessPassMethods", base(&users.worker)),
            &methods,
            json!({}),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    let second_id = second["id"].as_str().unwrap().to_owned();
    let (_, listed) = app
        .get(&format!("{}/methods", base(&users.worker)), &methods)
        .await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 2, "{listed}");
    let (status, one) = app
        .get(
            &format!(
                "{}/temporaryAccessPassMethods/{second_id}",
                base(&users.worker)
            ),
            &methods,
        )
        .await;
    assert_eq!(status, 200, "{one}");

    // Deletion: the typed route must match the kind; the password is never deleted.
    assert_graph_error(
        &app.delete(
            &format!("{}/fido2Methods/{second_id}", base(&users.worker)),
            &methods,
        )
        .await,
        404,
        "Request_ResourceNotFound",
    );
    assert_graph_error(
        &app.delete(
            &format!("{}/methods/{password_id}", base(&users.worker)),
            &methods,
        )
        .await,
        400,
        "BadRequest",
    );
    let (status, _) = app
        .delete(
            &format!(
                "{}/temporaryAccessPassMethods/{second_id}",
                base(&users.worker)
            ),
            &helpdesk,
        )
        .await;
    assert_eq!(status, 204);
    let (_, listed) = app
        .get(
            &format!("{}/temporaryAccessPassMethods", base(&users.worker)),
            &methods,
        )
        .await;
    assert_eq!(listed["value"], json!([]));

    // Unknown user and unknown method.
    let nobody = uuid::Uuid::new_v4();
    assert_eq!(
        app.get(&format!("{}/methods", base(&nobody.to_string())), &methods)
            .await
            .0,
        404
    );
    assert_eq!(
        app.get(
            &format!("{}/methods/not-a-guid", base(&users.worker)),
            &methods
        )
        .await
        .0,
        404
    );
}

/// Email and phone methods an admin registers: validated, one per kind (and phone
/// type), listed in Graph's shapes, removable; the helpdesk cannot add them to an admin.
async fn contact_methods(backend: Backend) {
    let app = spawn_with(&backend, HttpSection::default()).await;
    let admin = app.admin_token().await;
    let users = users(&app, &admin).await;
    let methods_client = app
        .register_client(&[AppPermission::UserAuthenticationMethodReadWriteAll], &[])
        .await;
    let methods = app.token_for(&methods_client).await;
    let helpdesk_client = app
        .register_client(&[], &[DirectoryRole::HelpdeskAdministrator])
        .await;
    let helpdesk = app.token_for(&helpdesk_client).await;
    let email = format!("{}/emailMethods", base(&users.worker));
    let phone = format!("{}/phoneMethods", base(&users.worker));

    for bad in [
        json!({"emailAddress": "not an address"}),
        json!({"email": "a@b.c"}),
    ] {
        let refused = app.post(&email, &methods, bad).await;
        assert_eq!(refused.0, 400, "{}", refused.1);
    }
    let (status, added) = app
        .post(
            &email,
            &methods,
            json!({"emailAddress": " ada.private@example.net "}),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(
        added["@odata.type"],
        "#microsoft.graph.emailAuthenticationMethod"
    );
    assert_eq!(added["emailAddress"], "ada.private@example.net");
    let again = app
        .post(
            &email,
            &methods,
            json!({"emailAddress": "other@example.net"}),
        )
        .await;
    assert_eq!(again.0, 409, "one email method per user: {}", again.1);

    let national = app
        .post(
            &phone,
            &methods,
            json!({"phoneNumber": "020 123 4567", "phoneType": "mobile"}),
        )
        .await;
    assert_eq!(national.0, 400, "{}", national.1);
    let (status, mobile) = app
        .post(
            &phone,
            &methods,
            json!({"phoneNumber": "+31 6 1234 5678", "phoneType": "mobile"}),
        )
        .await;
    assert_eq!(status, 201, "{mobile}");
    assert_eq!(mobile["phoneNumber"], "+31612345678");
    assert_eq!(mobile["phoneType"], "mobile");
    let (status, office) = app
        .post(
            &phone,
            &methods,
            json!({"phoneNumber": "+31201234567", "phoneType": "office"}),
        )
        .await;
    assert_eq!(status, 201, "{office}");
    assert_eq!(office["phoneType"], "office");
    let (_, listed) = app.get(&phone, &methods).await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 2);

    // Least privilege: the helpdesk helps the worker, not the Global Administrator.
    let boss_email = format!("{}/emailMethods", base(&users.boss));
    assert_graph_error(
        &app.post(
            &boss_email,
            &helpdesk,
            json!({"emailAddress": "boss@example.net"}),
        )
        .await,
        403,
        "Authorization_RequestDenied",
    );
    let id = added["id"].as_str().unwrap();
    let (status, _) = app.delete(&format!("{email}/{id}"), &helpdesk).await;
    assert_eq!(status, 204);
    let (_, listed) = app.get(&email, &methods).await;
    assert_eq!(listed["value"], json!([]));
}

#[tokio::test]
async fn authentication_methods_api_on_every_backend() {
    for backend in backends() {
        scenario(backend.clone()).await;
        contact_methods(backend).await;
    }
}
