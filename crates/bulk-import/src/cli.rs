//! `portcullis import users FILE …`: the command-line entry the main binary wires in.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use portcullis_core::audit::{InitiatedBy, UserIdentity};
use portcullis_store::Store;

use crate::error::ImportError;
use crate::input::Format;
use crate::options::{DEFAULT_CHUNK_SIZE, ImportOptions, ImportSource, ResumeMode};
use crate::progress_bar::BarProgress;
use crate::report::Outcome;

/// Exit status when the import completed but some rows were refused (they are listed
/// in the report). 0: every row imported; 1: the import failed or was interrupted.
pub const EXIT_REJECTED_ROWS: u8 = 3;

/// `portcullis import …`
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Import users (and groups) from CSV, JSON or JSON lines.
    Users(ImportArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The users file: .csv (header row of Graph property names: userPrincipalName,
    /// displayName, mail, mobilePhone, userType, accountEnabled, groups, …), .json (an
    /// array or {"value": [...]}) or .jsonl/.ndjson.
    pub file: PathBuf,
    /// A groups file (id, displayName, description, mailNickname, memberOf), imported
    /// before the users.
    #[arg(long)]
    pub groups: Option<PathBuf>,
    /// The users file's format, when its name does not tell.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The groups file's format, when its name does not tell.
    #[arg(long, value_enum)]
    pub groups_format: Option<Format>,
    /// The data directory holding the embedded SQLite database.
    #[arg(long, env = "PORTCULLIS_DATA_DIR", default_value = "./portcullis-data")]
    pub data_dir: PathBuf,
    /// A database URL instead of the data directory (sqlite://… or postgres://…).
    #[arg(long, env = "PORTCULLIS_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Update users (by userPrincipalName) and groups that exist, instead of skipping them.
    #[arg(long)]
    pub update: bool,
    /// Continue an interrupted import of the same file after its last stored chunk.
    #[arg(long, conflicts_with = "restart")]
    pub resume: bool,
    /// Ignore an interrupted import of the same file and start over.
    #[arg(long)]
    pub restart: bool,
    /// Print the report as JSON on stdout (the progress bar stays on stderr).
    #[arg(long)]
    pub json: bool,
    /// Users per transaction.
    #[arg(long, default_value_t = DEFAULT_CHUNK_SIZE, value_parser = parse_chunk_size)]
    pub chunk_size: usize,
    /// The userPrincipalName of the directory user to record as initiator in the
    /// audit log (default: the Portcullis CLI).
    #[arg(long)]
    pub initiated_by: Option<String>,
}

fn parse_chunk_size(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=10_000).contains(&n) => Ok(n),
        _ => Err(format!("{text:?} is not a number from 1 to 10000")),
    }
}

/// Runs the command: opens the store named by `--data-dir`/`--database-url`, imports,
/// prints the report. Errors are printed; the exit status says how it went.
pub async fn run(command: ImportCommand) -> ExitCode {
    let ImportCommand::Users(args) = command;
    let store = match open_store(&args).await {
        Ok(store) => store,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    run_with_store(args, store).await
}

/// [`run`] with a store the caller opened (e.g. through the main binary's own storage
/// selection and configuration file).
pub async fn run_with_store(args: ImportArgs, store: Arc<dyn Store>) -> ExitCode {
    match import(args, store).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

async fn open_store(args: &ImportArgs) -> Result<Arc<dyn Store>, ImportError> {
    let open_err = |err: &dyn std::fmt::Display| ImportError::Open(err.to_string());
    match &args.database_url {
        #[cfg(feature = "postgres")]
        Some(url) if is_postgres(url) => {
            let store = portcullis_store_postgres::PostgresStore::connect(url)
                .await
                .map_err(|e| open_err(&e))?;
            Ok(Arc::new(store))
        }
        #[cfg(not(feature = "postgres"))]
        Some(url) if is_postgres(url) => Err(ImportError::Open(
            "this build has no PostgreSQL support (feature `postgres`)".into(),
        )),
        Some(url) => {
            let store = portcullis_store_sqlite::SqliteStore::open_url(url)
                .await
                .map_err(|e| open_err(&e))?;
            Ok(Arc::new(store))
        }
        None => {
            let store = portcullis_store_sqlite::SqliteStore::open_dir(&args.data_dir)
                .await
                .map_err(|e| open_err(&e))?;
            Ok(Arc::new(store))
        }
    }
}

async fn initiator(store: &Arc<dyn Store>, upn: Option<&str>) -> Result<InitiatedBy, ImportError> {
    let Some(upn) = upn else {
        let os_user = std::env::var("USER").unwrap_or_default();
        let detail = if os_user.is_empty() {
            "portcullis import users".to_owned()
        } else {
            format!("portcullis import users (OS user {os_user})")
        };
        return Ok(crate::audit::cli_initiator(&detail));
    };
    let user = store
        .find_user_by_upn(upn)
        .await?
        .ok_or_else(|| ImportError::UnknownInitiator(upn.to_owned()))?;
    Ok(InitiatedBy {
        user: Some(UserIdentity {
            id: user.id.to_string(),
            display_name: Some(user.display_name),
            user_principal_name: Some(user.user_principal_name),
            ip_address: None,
        }),
        app: None,
    })
}

async fn import(args: ImportArgs, store: Arc<dyn Store>) -> Result<ExitCode, ImportError> {
    let options = ImportOptions {
        update: args.update,
        resume: if args.resume {
            ResumeMode::Resume
        } else if args.restart {
            ResumeMode::Restart
        } else {
            ResumeMode::Fresh
        },
        chunk_size: args.chunk_size,
        initiated_by: initiator(&store, args.initiated_by.as_deref()).await?,
        ..ImportOptions::default()
    };
    let stop = options.stop.clone();
    // Ctrl-C stops after the chunk being committed; the checkpoint makes --resume work.
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.stop();
        }
    });
    let total_bytes = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let progress = BarProgress::new(total_bytes);
    let source = ImportSource {
        users: args.file.clone(),
        users_format: args.format,
        groups: args.groups.clone(),
        groups_format: args.groups_format,
    };
    let result = crate::import::import_users(store, source, options, &progress).await;
    ctrl_c.abort();
    let report = result?;
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    Ok(match report.outcome {
        Outcome::Interrupted { .. } => ExitCode::FAILURE,
        Outcome::Completed if report.has_errors() => ExitCode::from(EXIT_REJECTED_ROWS),
        Outcome::Completed => ExitCode::SUCCESS,
    })
}
