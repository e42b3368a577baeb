//! `portcullis backup` and `portcullis restore` (SQLite; PostgreSQL uses pg_dump).

use std::process::ExitCode;

use portcullis_server::config::Storage;
use portcullis_store_sqlite::SqliteStore;

use super::{CliError, load_config};
use crate::args::{BackupArgs, RestoreArgs};

fn sqlite_only(storage: &Storage) -> Result<(), CliError> {
    match storage {
        Storage::Sqlite { .. } => Ok(()),
        Storage::Postgres { .. } => Err(CliError::Other(
            "backup and restore handle the embedded SQLite database; back PostgreSQL up with pg_dump".into(),
        )),
    }
}

pub async fn backup(args: BackupArgs) -> Result<ExitCode, CliError> {
    let config = load_config(args.store.config.as_deref(), args.store.layer())?;
    sqlite_only(&config.storage)?;
    if !config.data_dir.is_dir() {
        return Err(CliError::Other(format!(
            "no data directory at {}",
            config.data_dir.display()
        )));
    }
    let store = SqliteStore::open_dir(&config.data_dir)
        .await
        .map_err(|e| CliError::Other(e.to_string()))?;
    store.backup_to(&args.out).await?;
    store.close().await;
    println!("backup written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(args: RestoreArgs) -> Result<ExitCode, CliError> {
    let config = load_config(args.store.config.as_deref(), args.store.layer())?;
    sqlite_only(&config.storage)?;
    let report = portcullis_store_sqlite::restore_into(&args.from, &config.data_dir).await?;
    println!(
        "restored {} into {} ({} audit records)",
        args.from.display(),
        config.data_dir.display(),
        report.audit_records
    );
    if let Some(previous) = report.previous_database {
        println!("the replaced database was kept at {}", previous.display());
    }
    Ok(ExitCode::SUCCESS)
}
