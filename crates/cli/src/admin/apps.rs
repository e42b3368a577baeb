//! `portcullis apps …` over `/v1.0/applications`.

use std::io::Write;

use clap::{Subcommand, ValueEnum};
use serde_json::{Map, Value, json};

use crate::admin::AdminError;
use crate::admin::client::ApiClient;
use crate::admin::output::{self, segment};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AppType {
    /// OpenID Connect / OAuth2 relying party.
    OidcClient,
    /// Web app behind a reverse proxy's forward-auth check.
    ForwardAuth,
    /// Machine client using client credentials.
    Automation,
}

impl AppType {
    fn graph_name(self) -> &'static str {
        match self {
            AppType::OidcClient => "oidcClient",
            AppType::ForwardAuth => "forwardAuth",
            AppType::Automation => "automation",
        }
    }
}

#[derive(Subcommand, Debug, Clone)]
pub enum AppsCommand {
    /// Registered applications (JSON array).
    List,
    /// One application, by object id or appId (client id).
    Get { app: String },
    /// Register an application.
    Create {
        #[arg(long)]
        display_name: String,
        #[arg(long = "type", value_enum, default_value = "oidc-client")]
        app_type: AppType,
        /// Redirect URI of an OIDC client (repeatable).
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// Host of a forward-auth application (as the proxy sends it).
        #[arg(long)]
        host: Option<String>,
        /// Path prefix of a forward-auth application (default /).
        #[arg(long)]
        path_prefix: Option<String>,
        /// OIDC client settings as a JSON object (e.g. '{"publicClient":true}').
        #[arg(long)]
        settings: Option<String>,
        /// Graph application permission to grant (repeatable; needs the right to grant).
        #[arg(long = "permission")]
        permissions: Vec<String>,
    },
    /// Change an application; lists given replace the stored ones.
    Update {
        app: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        #[arg(long)]
        settings: Option<String>,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
    },
    /// Delete an application (its secrets and role assignments go with it).
    Delete { app: String },
    /// Add a client secret; prints it once.
    AddSecret {
        app: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Lifetime in days (default 180, at most 731).
        #[arg(long)]
        days: Option<u32>,
    },
    /// Remove a client secret by its keyId.
    RemoveSecret { app: String, key_id: String },
}

pub async fn run(
    client: &ApiClient,
    command: AppsCommand,
    out: &mut dyn Write,
) -> Result<(), AdminError> {
    match command {
        AppsCommand::List => {
            let items = client.list_all("/v1.0/applications", &[], None).await?;
            output::json(out, &Value::Array(items))
        }
        AppsCommand::Get { app } => output::json(out, &client.get(&path(&app)).await?),
        AppsCommand::Create {
            display_name,
            app_type,
            redirect_uris,
            host,
            path_prefix,
            settings,
            permissions,
        } => {
            let settings = match (app_type, host) {
                (AppType::ForwardAuth, Some(host)) => Some(json!({
                    "host": host,
                    "pathPrefix": path_prefix.unwrap_or_else(|| "/".into()),
                })),
                (AppType::ForwardAuth, None) => {
                    return Err(AdminError::Usage(
                        "a forward-auth application needs --host".into(),
                    ));
                }
                _ => settings.as_deref().map(parse_settings).transpose()?,
            };
            let body = json!({
                "displayName": display_name,
                "applicationType": app_type.graph_name(),
                "web": {"redirectUris": redirect_uris},
                "settings": settings,
                "grantedPermissions": permissions,
            });
            output::json(out, &client.post("/v1.0/applications", &body).await?)
        }
        AppsCommand::Update {
            app,
            display_name,
            redirect_uris,
            settings,
            enable,
            disable,
        } => {
            let mut body = Map::new();
            if let Some(name) = display_name {
                body.insert("displayName".into(), json!(name));
            }
            if !redirect_uris.is_empty() {
                body.insert("web".into(), json!({"redirectUris": redirect_uris}));
            }
            if let Some(settings) = settings {
                body.insert("settings".into(), parse_settings(&settings)?);
            }
            if enable || disable {
                body.insert("accountEnabled".into(), json!(enable));
            }
            if body.is_empty() {
                return Err(AdminError::Usage("nothing to change".into()));
            }
            client.patch(&path(&app), &Value::Object(body)).await?;
            output::line(out, &format!("updated application {app}"))
        }
        AppsCommand::Delete { app } => {
            client.delete(&path(&app)).await?;
            output::line(out, &format!("deleted application {app}"))
        }
        AppsCommand::AddSecret {
            app,
            display_name,
            days,
        } => {
            let mut credential = Map::new();
            if let Some(name) = display_name {
                credential.insert("displayName".into(), json!(name));
            }
            if let Some(days) = days {
                let end = time::OffsetDateTime::now_utc() + time::Duration::days(i64::from(days));
                let end = end
                    .format(&time::format_description::well_known::Rfc3339)
                    .map_err(|e| AdminError::Output(e.to_string()))?;
                credential.insert("endDateTime".into(), json!(end));
            }
            let answer = client
                .post(
                    &format!("{}/addPassword", path(&app)),
                    &json!({ "passwordCredential": credential }),
                )
                .await?;
            output::json(out, &answer)
        }
        AppsCommand::RemoveSecret { app, key_id } => {
            client
                .post(
                    &format!("{}/removePassword", path(&app)),
                    &json!({ "keyId": key_id }),
                )
                .await?;
            output::line(
                out,
                &format!("removed secret {key_id} of application {app}"),
            )
        }
    }
}

fn parse_settings(text: &str) -> Result<Value, AdminError> {
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(AdminError::Usage("--settings must be a JSON object".into())),
        Err(e) => Err(AdminError::Usage(format!("--settings is not JSON: {e}"))),
    }
}

fn path(app: &str) -> String {
    format!("/v1.0/applications/{}", segment(app))
}
