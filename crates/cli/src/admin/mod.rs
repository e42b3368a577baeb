//! Admin subcommands over the Graph-shaped HTTP API: `users`, `groups`, `roles`, `apps`,
//! `policies`, `logs`. They hold no store access of their own: everything goes through
//! [`client::ApiClient`] with client credentials, so the server's least privilege,
//! validation, lockout lint and audit apply exactly as for any other API caller.

// Tests may unwrap: a panic there is a failed test, not a crashed command.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod apps;
pub mod client;
pub mod connection;
pub mod groups;
pub mod logs;
pub mod output;
pub mod policies;
pub mod roles;
pub mod users;

#[cfg(test)]
mod tests;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::admin::client::{ApiClient, ApiError};
use crate::admin::connection::{ConnectionArgs, ConnectionError};

/// Exit status of `policies plan --detailed-exitcode` when there are changes.
pub const EXIT_CHANGES: u8 = 2;

/// The admin subcommands, flattened into the top-level command list.
#[derive(Subcommand, Debug, Clone)]
pub enum AdminCommand {
    /// Users over the admin API: list, get, create, update, delete.
    Users {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        command: users::UsersCommand,
    },
    /// Groups over the admin API, and their members.
    Groups {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        command: groups::GroupsCommand,
    },
    /// Directory role assignments over the admin API.
    Roles {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        command: roles::RolesCommand,
    },
    /// Applications (OIDC clients, forward-auth apps, automation) and their secrets.
    Apps {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        command: apps::AppsCommand,
    },
    /// Conditional Access policy kept in Git: export, import, plan, apply.
    Policies {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        command: policies::PoliciesCommand,
    },
    /// Sign-in logs over the admin API, filtered and formatted for people or a SIEM.
    Logs {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        command: logs::LogsCommand,
    },
}

/// Listing options passed to the server as OData query options.
#[derive(Args, Debug, Clone, Default)]
pub struct ListArgs {
    /// OData $filter, e.g. "startswith(displayName,'Ada')".
    #[arg(long)]
    pub filter: Option<String>,
    /// Comma-separated $select.
    #[arg(long)]
    pub select: Option<String>,
    /// $orderby, e.g. "displayName desc".
    #[arg(long)]
    pub orderby: Option<String>,
    /// Stop after this many items (otherwise every page is read).
    #[arg(long)]
    pub top: Option<usize>,
}

impl ListArgs {
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        if let Some(filter) = &self.filter {
            query.push(("$filter", filter.clone()));
        }
        if let Some(select) = &self.select {
            query.push(("$select", select.clone()));
        }
        if let Some(orderby) = &self.orderby {
            query.push(("$orderby", orderby.clone()));
        }
        if let Some(top) = self.top {
            query.push(("$top", top.min(999).to_string()));
        }
        query
    }

    pub fn limit(&self) -> Option<usize> {
        self.top
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {why}")]
    Files { path: PathBuf, why: String },
    #[error("the policy files are not valid; nothing was changed:\n  {}", .0.join("\n  "))]
    Invalid(Vec<String>),
    #[error("{step} was refused after {done} change(s), {remaining} not applied: {error}")]
    Apply {
        step: String,
        done: usize,
        remaining: usize,
        error: Box<ApiError>,
    },
    #[error("cannot write the output: {0}")]
    Output(String),
}

/// Runs one admin subcommand, printing to `out`.
pub async fn run(command: AdminCommand, out: &mut dyn Write) -> Result<ExitCode, AdminError> {
    let connection = match &command {
        AdminCommand::Users { connection, .. }
        | AdminCommand::Groups { connection, .. }
        | AdminCommand::Roles { connection, .. }
        | AdminCommand::Apps { connection, .. }
        | AdminCommand::Policies { connection, .. }
        | AdminCommand::Logs { connection, .. } => connection.resolve()?,
    };
    let client = ApiClient::connect(&connection).await?;
    match command {
        AdminCommand::Users { command, .. } => users::run(&client, command, out).await?,
        AdminCommand::Groups { command, .. } => groups::run(&client, command, out).await?,
        AdminCommand::Roles { command, .. } => roles::run(&client, command, out).await?,
        AdminCommand::Apps { command, .. } => apps::run(&client, command, out).await?,
        AdminCommand::Logs { command, .. } => logs::run(&client, command, out).await?,
        AdminCommand::Policies { command, .. } => {
            if policies::run(&client, command, out).await? == policies::Outcome::Changes {
                return Ok(ExitCode::from(EXIT_CHANGES));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
