//! `portcullis groups …` over `/v1.0/groups` and its `members/$ref`.

use std::io::Write;

use clap::Subcommand;
use serde_json::{Map, Value, json};

use crate::admin::client::ApiClient;
use crate::admin::output::{self, segment};
use crate::admin::{AdminError, ListArgs};

#[derive(Subcommand, Debug, Clone)]
pub enum GroupsCommand {
    /// List groups (JSON array), following every page.
    List(ListArgs),
    /// Show one group.
    Get { group: String },
    /// Create a security group.
    Create {
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        mail_nickname: Option<String>,
        /// Directory roles may be assigned to the group (its membership then needs
        /// role-assigning power to change).
        #[arg(long)]
        role_assignable: bool,
    },
    /// Change a group's properties.
    Update {
        group: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a group.
    Delete { group: String },
    /// Members: list, add, remove.
    Members {
        #[command(subcommand)]
        command: MembersCommand,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum MembersCommand {
    /// Direct members (JSON array); --transitive for nested members too.
    List {
        group: String,
        #[arg(long)]
        transitive: bool,
    },
    /// Add a user or group (by object id) to the group.
    Add { group: String, member: String },
    /// Remove a member (by object id).
    Remove { group: String, member: String },
}

pub async fn run(
    client: &ApiClient,
    command: GroupsCommand,
    out: &mut dyn Write,
) -> Result<(), AdminError> {
    match command {
        GroupsCommand::List(list) => {
            let items = client
                .list_all("/v1.0/groups", &list.query(), list.limit())
                .await?;
            output::json(out, &Value::Array(items))
        }
        GroupsCommand::Get { group } => output::json(out, &client.get(&path(&group)).await?),
        GroupsCommand::Create {
            display_name,
            description,
            mail_nickname,
            role_assignable,
        } => {
            let mut body = json!({
                "displayName": display_name,
                "securityEnabled": true,
                "mailEnabled": false,
                "isAssignableToRole": role_assignable,
            });
            if let Some(description) = description {
                body["description"] = json!(description);
            }
            if let Some(nickname) = mail_nickname {
                body["mailNickname"] = json!(nickname);
            }
            output::json(out, &client.post("/v1.0/groups", &body).await?)
        }
        GroupsCommand::Update {
            group,
            display_name,
            description,
        } => {
            let mut body = Map::new();
            if let Some(name) = display_name {
                body.insert("displayName".into(), json!(name));
            }
            if let Some(description) = description {
                body.insert("description".into(), json!(description));
            }
            if body.is_empty() {
                return Err(AdminError::Usage(
                    "nothing to change: give --display-name or --description".into(),
                ));
            }
            client.patch(&path(&group), &Value::Object(body)).await?;
            output::line(out, &format!("updated group {group}"))
        }
        GroupsCommand::Delete { group } => {
            client.delete(&path(&group)).await?;
            output::line(out, &format!("deleted group {group}"))
        }
        GroupsCommand::Members { command } => members(client, command, out).await,
    }
}

async fn members(
    client: &ApiClient,
    command: MembersCommand,
    out: &mut dyn Write,
) -> Result<(), AdminError> {
    match command {
        MembersCommand::List { group, transitive } => {
            let relation = if transitive {
                "transitiveMembers"
            } else {
                "members"
            };
            let items = client
                .list_all(&format!("{}/{relation}", path(&group)), &[], None)
                .await?;
            output::json(out, &Value::Array(items))
        }
        MembersCommand::Add { group, member } => {
            let reference = format!(
                "{}/v1.0/directoryObjects/{}",
                client.base_url(),
                segment(&member)
            );
            client
                .post(
                    &format!("{}/members/$ref", path(&group)),
                    &json!({ "@odata.id": reference }),
                )
                .await?;
            output::line(out, &format!("added {member} to group {group}"))
        }
        MembersCommand::Remove { group, member } => {
            client
                .delete(&format!(
                    "{}/members/{}/$ref",
                    path(&group),
                    segment(&member)
                ))
                .await?;
            output::line(out, &format!("removed {member} from group {group}"))
        }
    }
}

fn path(group: &str) -> String {
    format!("/v1.0/groups/{}", segment(group))
}
