//! `portcullis logs signins` over `/v1.0/auditLogs/signIns` (needs AuditLog.Read.All).
//! The options become one OData `$filter` (ANDed); `--filter` adds a raw clause.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;

use crate::admin::AdminError;
use crate::admin::client::ApiClient;
use crate::admin::output;

#[derive(Subcommand, Debug, Clone)]
pub enum LogsCommand {
    /// Sign-in log entries, newest first.
    Signins(SignInsArgs),
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum LogFormat {
    /// One JSON array.
    #[default]
    Json,
    /// One JSON object per line (for SIEM import and jq).
    Lines,
    /// Columns for people: time, user, app, result, Conditional Access, IP.
    Table,
}

#[derive(Args, Debug, Clone, Default)]
pub struct SignInsArgs {
    /// userPrincipalName (case-insensitive).
    #[arg(long)]
    pub user: Option<String>,
    /// User object id.
    #[arg(long)]
    pub user_id: Option<String>,
    /// Application (client) id.
    #[arg(long)]
    pub app: Option<String>,
    /// `success`, `failure`, or an error code such as 50126.
    #[arg(long)]
    pub status: Option<String>,
    /// Only entries at or after this RFC 3339 time.
    #[arg(long)]
    pub since: Option<String>,
    /// Only entries before this RFC 3339 time.
    #[arg(long)]
    pub until: Option<String>,
    /// clientAppUsed, e.g. "Browser" or "Mobile Apps and Desktop clients".
    #[arg(long)]
    pub client_app: Option<String>,
    /// conditionalAccessStatus: success, failure or notApplied.
    #[arg(long)]
    pub ca_status: Option<String>,
    /// A further raw OData clause, ANDed with the options above.
    #[arg(long)]
    pub filter: Option<String>,
    /// Stop after this many entries.
    #[arg(long, default_value_t = 100)]
    pub top: usize,
    #[arg(long, value_enum, default_value_t = LogFormat::Json)]
    pub format: LogFormat,
}

/// An OData string literal (single quotes doubled).
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A time checked to be RFC 3339, so a typo is refused here with a clear message.
fn time_literal(text: &str, option: &str) -> Result<String, AdminError> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|_| text.to_owned())
        .map_err(|_| {
            AdminError::Usage(format!(
                "--{option} {text:?} is not an RFC 3339 time such as 2026-11-23T08:00:00Z"
            ))
        })
}

impl SignInsArgs {
    /// The `$filter` these options ask for, if any.
    pub fn filter(&self) -> Result<Option<String>, AdminError> {
        let mut clauses = Vec::new();
        if let Some(user) = &self.user {
            clauses.push(format!("userPrincipalName eq {}", quoted(user)));
        }
        if let Some(id) = &self.user_id {
            clauses.push(format!("userId eq {}", quoted(id)));
        }
        if let Some(app) = &self.app {
            clauses.push(format!("appId eq {}", quoted(app)));
        }
        match self.status.as_deref() {
            None => {}
            Some("success") => clauses.push("status/errorCode eq 0".into()),
            Some("failure") => clauses.push("status/errorCode ne 0".into()),
            Some(code) => {
                let code: i64 = code.parse().map_err(|_| {
                    AdminError::Usage(format!(
                        "--status {code:?}: expected success, failure or an error code"
                    ))
                })?;
                clauses.push(format!("status/errorCode eq {code}"));
            }
        }
        if let Some(since) = &self.since {
            clauses.push(format!(
                "createdDateTime ge {}",
                time_literal(since, "since")?
            ));
        }
        if let Some(until) = &self.until {
            clauses.push(format!(
                "createdDateTime lt {}",
                time_literal(until, "until")?
            ));
        }
        if let Some(client_app) = &self.client_app {
            clauses.push(format!("clientAppUsed eq {}", quoted(client_app)));
        }
        if let Some(status) = &self.ca_status {
            clauses.push(format!("conditionalAccessStatus eq {}", quoted(status)));
        }
        if let Some(raw) = &self.filter {
            clauses.push(format!("({raw})"));
        }
        Ok((!clauses.is_empty()).then(|| clauses.join(" and ")))
    }
}

pub async fn run(
    client: &ApiClient,
    command: LogsCommand,
    out: &mut dyn Write,
) -> Result<(), AdminError> {
    let LogsCommand::Signins(args) = command;
    let mut query = vec![("$top", args.top.clamp(1, 999).to_string())];
    if let Some(filter) = args.filter()? {
        query.push(("$filter", filter));
    }
    let items = client
        .list_all("/v1.0/auditLogs/signIns", &query, Some(args.top))
        .await?;
    match args.format {
        LogFormat::Json => output::json(out, &Value::Array(items)),
        LogFormat::Lines => {
            for item in &items {
                output::line(out, &item.to_string())?;
            }
            Ok(())
        }
        LogFormat::Table => {
            for item in &items {
                output::line(out, &table_row(item))?;
            }
            Ok(())
        }
    }
}

fn table_row(item: &Value) -> String {
    let text = |value: &Value| value.as_str().unwrap_or("-").to_owned();
    let code = item["status"]["errorCode"].as_i64().unwrap_or(-1);
    format!(
        "{}  {:<32}  {:<24}  {:>6}  {:<11}  {}",
        text(&item["createdDateTime"]),
        text(&item["userPrincipalName"]),
        text(&item["appDisplayName"]),
        code,
        text(&item["conditionalAccessStatus"]),
        text(&item["ipAddress"]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_become_one_filter() {
        let args = SignInsArgs {
            user: Some("o'neil@example.com".into()),
            status: Some("failure".into()),
            since: Some("2026-11-23T08:00:00Z".into()),
            ..SignInsArgs::default()
        };
        assert_eq!(
            args.filter().unwrap().unwrap(),
            "userPrincipalName eq 'o''neil@example.com' and status/errorCode ne 0 and createdDateTime ge 2026-11-23T08:00:00Z"
        );
        assert_eq!(SignInsArgs::default().filter().unwrap(), None);
        let code = SignInsArgs {
            status: Some("53003".into()),
            ..SignInsArgs::default()
        };
        assert_eq!(code.filter().unwrap().unwrap(), "status/errorCode eq 53003");
    }

    #[test]
    fn bad_options_are_refused() {
        let bad_time = SignInsArgs {
            since: Some("yesterday".into()),
            ..SignInsArgs::default()
        };
        assert!(
            bad_time
                .filter()
                .unwrap_err()
                .to_string()
                .contains("RFC 3339")
        );
        let bad_status = SignInsArgs {
            status: Some("maybe".into()),
            ..SignInsArgs::default()
        };
        assert!(bad_status.filter().is_err());
    }
}
