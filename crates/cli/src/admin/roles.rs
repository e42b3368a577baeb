//! `portcullis roles …` over `/v1.0/directoryRoles` (built-in roles, by template id or
//! display name).

use std::io::Write;

use clap::Subcommand;
use serde_json::{Value, json};

use crate::admin::AdminError;
use crate::admin::client::ApiClient;
use crate::admin::output::{self, segment};

#[derive(Subcommand, Debug, Clone)]
pub enum RolesCommand {
    /// The built-in directory roles (JSON array).
    List,
    /// Who holds a role (users, groups, applications).
    Members { role: String },
    /// Assign a role to a user, a role-assignable group or an application (object id).
    Assign { role: String, principal: String },
    /// Remove a role assignment.
    Unassign { role: String, principal: String },
}

pub async fn run(
    client: &ApiClient,
    command: RolesCommand,
    out: &mut dyn Write,
) -> Result<(), AdminError> {
    match command {
        RolesCommand::List => {
            let items = client.list_all("/v1.0/directoryRoles", &[], None).await?;
            output::json(out, &Value::Array(items))
        }
        RolesCommand::Members { role } => {
            let id = role_id(client, &role).await?;
            let items = client
                .list_all(&format!("/v1.0/directoryRoles/{id}/members"), &[], None)
                .await?;
            output::json(out, &Value::Array(items))
        }
        RolesCommand::Assign { role, principal } => {
            let id = role_id(client, &role).await?;
            let reference = format!(
                "{}/v1.0/directoryObjects/{}",
                client.base_url(),
                segment(&principal)
            );
            client
                .post(
                    &format!("/v1.0/directoryRoles/{id}/members/$ref"),
                    &json!({ "@odata.id": reference }),
                )
                .await?;
            output::line(out, &format!("assigned {role} to {principal}"))
        }
        RolesCommand::Unassign { role, principal } => {
            let id = role_id(client, &role).await?;
            client
                .delete(&format!(
                    "/v1.0/directoryRoles/{id}/members/{}/$ref",
                    segment(&principal)
                ))
                .await?;
            output::line(out, &format!("removed {role} from {principal}"))
        }
    }
}

/// A role named by template id or by display name (case-insensitive), looked up on
/// the server so the CLI never carries its own copy of the role table.
async fn role_id(client: &ApiClient, role: &str) -> Result<String, AdminError> {
    let roles = client.list_all("/v1.0/directoryRoles", &[], None).await?;
    roles
        .iter()
        .find(|r| {
            r["id"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(role))
                || r["displayName"]
                    .as_str()
                    .is_some_and(|name| name.eq_ignore_ascii_case(role))
        })
        .and_then(|r| r["id"].as_str().map(str::to_owned))
        .ok_or_else(|| {
            AdminError::Usage(format!(
                "no directory role {role:?}: use a role template id or a display name from `portcullis roles list`"
            ))
        })
}
