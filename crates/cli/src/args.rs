//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use portcullis_server::config::{FileConfig, LogSection};

#[derive(Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Self-hosted MFA and Conditional Access identity provider"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the server (defaults: 127.0.0.1:8080, ./portcullis-data, embedded SQLite).
    Serve(ServeArgs),
    /// Create the first Global Administrator and an automation client, offline.
    Bootstrap(BootstrapArgs),
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent copy of the SQLite database (safe while the server runs).
    Backup(BackupArgs),
    /// Replace the SQLite database with a backup (stop the server first).
    Restore(RestoreArgs),
    /// Conditional Access policies offline: check, whatif, evaluate, templates, lint.
    Policy(portcullis_policy_cli::PolicyArgs),
    /// Bulk import of users and groups (CSV, JSON, JSON lines), resumable.
    Import {
        #[command(subcommand)]
        command: portcullis_bulk_import::ImportCommand,
    },
    #[command(flatten)]
    Admin(crate::admin::AdminCommand),
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the audit hash chain; exits non-zero at the first break.
    Verify(StoreArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

/// Where the configuration and the store are.
#[derive(Args, Clone)]
pub struct StoreArgs {
    /// TOML configuration file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (default ./portcullis-data).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// postgres://… to use PostgreSQL instead of the embedded SQLite.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

impl StoreArgs {
    /// The flags as a configuration layer (they override file and environment).
    pub fn layer(&self) -> FileConfig {
        FileConfig {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            ..FileConfig::default()
        }
    }
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Log format.
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormatArg>,
    /// The URL users and clients reach this server at.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

impl ServeArgs {
    pub fn layer(&self) -> FileConfig {
        FileConfig {
            listen: self.listen.clone(),
            public_url: self.public_url.clone(),
            log: LogSection {
                format: self.log_format.map(|f| match f {
                    LogFormatArg::Text => "text".to_owned(),
                    LogFormatArg::Json => "json".to_owned(),
                }),
                level: None,
            },
            ..self.store.layer()
        }
    }
}

#[derive(Args)]
pub struct BootstrapArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Print the result as JSON for scripts.
    #[arg(long)]
    pub json: bool,
    /// Regain access when an administrator already exists (audited).
    #[arg(long)]
    pub recover: bool,
    /// The administrator's userPrincipalName.
    #[arg(long, value_name = "UPN", default_value = portcullis_service::bootstrap::DEFAULT_ADMIN_UPN)]
    pub admin_upn: String,
    /// The URL the printed links use (default: from the configuration).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

#[derive(Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The backup file to write (must not exist).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The backup file to restore from.
    #[arg(long = "from", value_name = "FILE")]
    pub from: PathBuf,
}
