//! Every role's allowed and refused actions, through real tokens: applications holding
//! a directory role act as that role (as in Entra), applications with Graph permissions
//! get exactly those.
#![allow(clippy::unwrap_used)]

use crate::common;
use common::{TestApp, assert_graph_error};
use portcullis_core::{AppPermission, DirectoryRole};
use serde_json::{Value, json};

/// One API action, named for failure messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    ReadUsers,
    CreateUser,
    UpdateRegularUser,
    UpdateAdminUser,
    ReadGroups,
    CreateGroup,
    CreateRoleAssignableGroup,
    AssignRole,
    ReadPolicies,
    CreatePolicy,
    PatchSecurityDefaults,
    ReadAudit,
}

const ALL: &[Action] = &[
    Action::ReadUsers,
    Action::CreateUser,
    Action::UpdateRegularUser,
    Action::UpdateAdminUser,
    Action::ReadGroups,
    Action::CreateGroup,
    Action::CreateRoleAssignableGroup,
    Action::AssignRole,
    Action::ReadPolicies,
    Action::CreatePolicy,
    Action::PatchSecurityDefaults,
    Action::ReadAudit,
];

struct Fixture {
    regular_user: String,
    admin_user: String,
}

async fn fixture(app: &TestApp, admin_token: &str) -> Fixture {
    let make =
        |upn: &str| json!({"displayName": upn, "userPrincipalName": upn, "accountEnabled": true});
    let (_, regular) = app
        .post("/v1.0/users", admin_token, make("worker@example.com"))
        .await;
    let (_, admin) = app
        .post("/v1.0/users", admin_token, make("boss@example.com"))
        .await;
    // Make "boss" a Global Administrator through a role-privileged client.
    let privileged = app
        .register_client(&[], &[DirectoryRole::GlobalAdministrator])
        .await;
    let token = app.token_for(&privileged).await;
    let global_admin = DirectoryRole::GlobalAdministrator.template_id();
    let (status, body) = app
        .post(
            &format!("/v1.0/directoryRoles/{global_admin}/members/$ref"),
            &token,
            json!({"@odata.id": admin["id"]}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    Fixture {
        regular_user: regular["id"].as_str().unwrap().to_owned(),
        admin_user: admin["id"].as_str().unwrap().to_owned(),
    }
}

/// Performs the action; returns the status.
async fn perform(
    app: &TestApp,
    token: &str,
    fixture: &Fixture,
    action: Action,
    n: &str,
) -> (u16, Value) {
    match action {
        Action::ReadUsers => app.get("/v1.0/users", token).await,
        Action::CreateUser => {
            let upn = format!("new{n}@example.com");
            app.post("/v1.0/users", token, json!({"displayName": "New", "userPrincipalName": upn})).await
        }
        Action::UpdateRegularUser => app.patch(&format!("/v1.0/users/{}", fixture.regular_user), token, json!({"jobTitle": format!("t{n}")})).await,
        Action::UpdateAdminUser => app.patch(&format!("/v1.0/users/{}", fixture.admin_user), token, json!({"jobTitle": format!("t{n}")})).await,
        Action::ReadGroups => app.get("/v1.0/groups", token).await,
        Action::CreateGroup => app.post("/v1.0/groups", token, json!({"displayName": format!("g{n}"), "mailEnabled": false, "mailNickname": "g", "securityEnabled": true})).await,
        Action::CreateRoleAssignableGroup => app.post("/v1.0/groups", token, json!({"displayName": format!("r{n}"), "mailEnabled": false, "mailNickname": "r", "securityEnabled": true, "isAssignableToRole": true})).await,
        Action::AssignRole => {
            let role = DirectoryRole::SecurityReader.template_id();
            let (status, body) = app.post(&format!("/v1.0/directoryRoles/{role}/members/$ref"), token, json!({"@odata.id": fixture.regular_user})).await;
            if status == 204 {
                // Undo, so the next caller can assign again.
                let privileged = app.register_client(&[], &[DirectoryRole::GlobalAdministrator]).await;
                let t = app.token_for(&privileged).await;
                app.delete(&format!("/v1.0/directoryRoles/{role}/members/{}/$ref", fixture.regular_user), &t).await;
            }
            (status, body)
        }
        Action::ReadPolicies => app.get("/v1.0/identity/conditionalAccess/policies", token).await,
        Action::CreatePolicy => app.post("/v1.0/identity/conditionalAccess/policies", token, json!({
            "displayName": format!("p{n}"),
            "state": "disabled",
            "conditions": {"clientAppTypes": ["all"], "applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
        })).await,
        Action::PatchSecurityDefaults => app.patch("/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", token, json!({"isEnabled": true})).await,
        Action::ReadAudit => app.get("/v1.0/auditLogs/directoryAudits", token).await,
    }
}

fn succeeded(status: u16) -> bool {
    (200..300).contains(&status)
}

async fn check(app: &TestApp, fixture: &Fixture, who: &str, token: &str, allowed: &[Action]) {
    for action in ALL {
        // Unique names, so each caller's creations do not collide with the last one's.
        let n = uuid::Uuid::new_v4().simple().to_string();
        let before = app.audit_len().await;
        let result = perform(app, token, fixture, *action, &n).await;
        if allowed.contains(action) {
            assert!(
                succeeded(result.0),
                "{who} should be allowed {action:?}: {} {}",
                result.0,
                result.1
            );
        } else {
            assert_graph_error(&result, 403, "Authorization_RequestDenied");
            assert_eq!(
                app.audit_len().await,
                before,
                "{who}: refused {action:?} wrote something"
            );
        }
    }
}

#[tokio::test]
async fn directory_roles_allow_exactly_their_actions() {
    use Action::*;
    let app = common::spawn().await;
    let admin_token = app.admin_token().await;
    let fixture = fixture(&app, &admin_token).await;
    let cases: &[(DirectoryRole, &[Action])] = &[
        (DirectoryRole::GlobalAdministrator, ALL),
        (
            DirectoryRole::ConditionalAccessAdministrator,
            &[
                ReadUsers,
                ReadGroups,
                ReadPolicies,
                CreatePolicy,
                PatchSecurityDefaults,
            ],
        ),
        (
            DirectoryRole::SecurityAdministrator,
            &[
                ReadUsers,
                ReadGroups,
                ReadPolicies,
                CreatePolicy,
                PatchSecurityDefaults,
                ReadAudit,
            ],
        ),
        (
            DirectoryRole::UserAdministrator,
            &[
                ReadUsers,
                CreateUser,
                UpdateRegularUser,
                ReadGroups,
                CreateGroup,
            ],
        ),
        (
            DirectoryRole::HelpdeskAdministrator,
            &[ReadUsers, ReadGroups],
        ),
        (
            DirectoryRole::GlobalReader,
            &[ReadUsers, ReadGroups, ReadPolicies, ReadAudit],
        ),
        (
            DirectoryRole::PrivilegedRoleAdministrator,
            &[
                ReadUsers,
                ReadGroups,
                CreateGroup,
                CreateRoleAssignableGroup,
                AssignRole,
                ReadPolicies,
            ],
        ),
        (DirectoryRole::ReportsReader, &[ReadUsers, ReadAudit]),
    ];
    for (role, allowed) in cases {
        let client = app.register_client(&[], &[*role]).await;
        let token = app.token_for(&client).await;
        check(&app, &fixture, role.display_name(), &token, allowed).await;
    }
}

#[tokio::test]
async fn graph_permissions_allow_exactly_their_actions() {
    use Action::*;
    let app = common::spawn().await;
    let admin_token = app.admin_token().await;
    let fixture = fixture(&app, &admin_token).await;
    let cases: &[(&[AppPermission], &[Action])] = &[
        (&[], &[]),
        (&[AppPermission::UserReadAll], &[ReadUsers]),
        // Apps never change users who hold roles.
        (
            &[AppPermission::UserReadWriteAll],
            &[ReadUsers, CreateUser, UpdateRegularUser],
        ),
        (
            &[AppPermission::GroupReadWriteAll],
            &[ReadGroups, CreateGroup],
        ),
        (&[AppPermission::PolicyReadAll], &[ReadPolicies]),
        (
            &[AppPermission::PolicyReadWriteConditionalAccess],
            &[ReadPolicies, CreatePolicy, PatchSecurityDefaults],
        ),
        (&[AppPermission::AuditLogReadAll], &[ReadAudit]),
        (
            &[AppPermission::RoleManagementReadWriteDirectory],
            &[CreateGroup, CreateRoleAssignableGroup, AssignRole],
        ),
    ];
    for (permissions, allowed) in cases {
        let client = app.register_client(permissions, &[]).await;
        let token = app.token_for(&client).await;
        check(&app, &fixture, &format!("{permissions:?}"), &token, allowed).await;
    }
}

#[tokio::test]
async fn revoking_a_permission_takes_effect_on_the_next_call() {
    let app = common::spawn().await;
    let client = app
        .register_client(&[AppPermission::UserReadAll], &[])
        .await;
    let token = app.token_for(&client).await;
    assert_eq!(app.get("/v1.0/users", &token).await.0, 200);
    let id = portcullis_core::ApplicationId::parse(&client.object_id).unwrap();
    let mut record = app.store().get_application(&id).await.unwrap();
    record.granted_permissions.clear();
    app.store()
        .commit(
            portcullis_store::Batch::new()
                .change(portcullis_store::Change::UpdateApplication(record)),
        )
        .await
        .unwrap();
    assert_graph_error(
        &app.get("/v1.0/users", &token).await,
        403,
        "Authorization_RequestDenied",
    );
}
