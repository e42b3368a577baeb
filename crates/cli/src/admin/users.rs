//! `portcullis users …` over `/v1.0/users`.

use std::io::Write;

use clap::Subcommand;
use serde_json::{Map, Value, json};

use crate::admin::client::ApiClient;
use crate::admin::output::{self, segment};
use crate::admin::{AdminError, ListArgs};

#[derive(Subcommand, Debug, Clone)]
pub enum UsersCommand {
    /// List users (JSON array), following every page.
    List(ListArgs),
    /// Show one user by id or userPrincipalName.
    Get { user: String },
    /// Create a user.
    Create {
        #[arg(long)]
        upn: String,
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        mail: Option<String>,
        /// Initial password (else the user has none until a helpdesk or bootstrap link sets one).
        #[arg(long, env = "PORTCULLIS_NEW_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Create a guest instead of a member.
        #[arg(long)]
        guest: bool,
        /// Create the account disabled.
        #[arg(long)]
        disabled: bool,
    },
    /// Change a user's properties; only the given ones change.
    Update {
        user: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        upn: Option<String>,
        #[arg(long)]
        mail: Option<String>,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
        #[arg(long, env = "PORTCULLIS_NEW_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Delete a user.
    Delete { user: String },
}

pub async fn run(
    client: &ApiClient,
    command: UsersCommand,
    out: &mut dyn Write,
) -> Result<(), AdminError> {
    match command {
        UsersCommand::List(list) => {
            let items = client
                .list_all("/v1.0/users", &list.query(), list.limit())
                .await?;
            output::json(out, &Value::Array(items))
        }
        UsersCommand::Get { user } => output::json(out, &client.get(&path(&user)).await?),
        UsersCommand::Create {
            upn,
            display_name,
            mail,
            password,
            guest,
            disabled,
        } => {
            let mut body = json!({
                "userPrincipalName": upn,
                "displayName": display_name,
                "accountEnabled": !disabled,
                "userType": if guest { "Guest" } else { "Member" },
            });
            if let Some(mail) = mail {
                body["mail"] = json!(mail);
            }
            if let Some(password) = password {
                body["passwordProfile"] = json!({"password": password});
            }
            output::json(out, &client.post("/v1.0/users", &body).await?)
        }
        UsersCommand::Update {
            user,
            display_name,
            upn,
            mail,
            enable,
            disable,
            password,
        } => {
            let mut body = Map::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    body.insert(k.to_owned(), v);
                }
            };
            put("displayName", display_name.map(Value::from));
            put("userPrincipalName", upn.map(Value::from));
            put("mail", mail.map(Value::from));
            put(
                "accountEnabled",
                (enable || disable).then_some(Value::from(enable)),
            );
            put("passwordProfile", password.map(|p| json!({"password": p})));
            if body.is_empty() {
                return Err(AdminError::Usage(
                    "nothing to change: give at least one property flag".into(),
                ));
            }
            client.patch(&path(&user), &Value::Object(body)).await?;
            output::line(out, &format!("updated user {user}"))
        }
        UsersCommand::Delete { user } => {
            client.delete(&path(&user)).await?;
            output::line(out, &format!("deleted user {user}"))
        }
    }
}

fn path(user: &str) -> String {
    format!("/v1.0/users/{}", segment(user))
}
