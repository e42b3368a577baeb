//! Directory roles and who holds them (users, groups, applications).

use askama::Template;
use axum::extract::State;
use portcullis_pages::kit::render;
use portcullis_service::admin::groups::DirectoryObject;
use portcullis_service::admin::roles::RoleMember;

use super::{PageResult, fail};
use crate::admin::{Admin, Chrome};
use crate::state::PortalState;

pub struct RoleRow {
    pub name: &'static str,
    pub read_only: bool,
    pub members: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "roles.html")]
pub struct RolesPage {
    chrome: Chrome,
    roles: Vec<RoleRow>,
}

pub async fn list(State(state): State<PortalState>, admin: Admin) -> PageResult {
    let services = &state.kit.services;
    let mut roles = Vec::new();
    for role in services.list_directory_roles(&admin.caller).map_err(fail)? {
        let members = services
            .list_role_members(&admin.caller, *role)
            .await
            .map_err(fail)?
            .into_iter()
            .map(|m| match m {
                RoleMember::Object(DirectoryObject::User(u)) => {
                    (format!("/admin/users/{}", u.id), u.user_principal_name)
                }
                RoleMember::Object(DirectoryObject::Group(g)) => (
                    format!("/admin/groups/{}", g.id),
                    format!("{} (group)", g.display_name),
                ),
                RoleMember::Application(a) => {
                    (String::new(), format!("{} (application)", a.display_name))
                }
            })
            .collect();
        roles.push(RoleRow {
            name: role.display_name(),
            read_only: role.is_read_only(),
            members,
        });
    }
    Ok(render(&RolesPage {
        chrome: admin.chrome("roles"),
        roles,
    }))
}
