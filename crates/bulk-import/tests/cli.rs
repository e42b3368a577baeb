//! The command-line entry as the main binary wires it: arguments parsed by clap, the
//! store opened from `--data-dir`, the exit status.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use clap::Parser;
use portcullis_bulk_import::{EXIT_REJECTED_ROWS, ImportCommand, run};
use portcullis_store::{Store, UserStore};
use portcullis_store_sqlite::SqliteStore;

/// Stands in for the main binary's `portcullis` command.
#[derive(Debug, Parser)]
struct Portcullis {
    #[command(subcommand)]
    command: Top,
}

#[derive(Debug, clap::Subcommand)]
enum Top {
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

async fn portcullis(args: &[&str]) -> ExitCode {
    let cli = Portcullis::try_parse_from(std::iter::once("portcullis").chain(args.iter().copied()))
        .unwrap();
    let Top::Import { command } = cli.command;
    run(command).await
}

#[tokio::test]
async fn import_users_command_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "userPrincipalName,displayName\nada@example.com,Ada\n",
    )
    .unwrap();
    let mixed = dir.path().join("mixed.jsonl");
    std::fs::write(&mixed, "{\"userPrincipalName\":\"bob@example.com\",\"displayName\":\"Bob\"}\n{\"userPrincipalName\":\"nope\",\"displayName\":\"X\"}\n").unwrap();
    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, "userPrincipalName,displayName,password\n").unwrap();

    assert_eq!(
        portcullis(&[
            "import",
            "users",
            good.to_str().unwrap(),
            "--data-dir",
            data
        ])
        .await,
        ExitCode::SUCCESS
    );
    assert_eq!(
        portcullis(&[
            "import",
            "users",
            mixed.to_str().unwrap(),
            "--data-dir",
            data,
            "--json"
        ])
        .await,
        ExitCode::from(EXIT_REJECTED_ROWS)
    );
    assert_eq!(
        portcullis(&[
            "import",
            "users",
            broken.to_str().unwrap(),
            "--data-dir",
            data
        ])
        .await,
        ExitCode::FAILURE
    );
    // Resuming a finished import is a no-op that succeeds.
    assert_eq!(
        portcullis(&[
            "import",
            "users",
            good.to_str().unwrap(),
            "--data-dir",
            data,
            "--resume",
            "--chunk-size",
            "10"
        ])
        .await,
        ExitCode::SUCCESS
    );

    let store = SqliteStore::open_dir(std::path::Path::new(data))
        .await
        .unwrap();
    assert_eq!(store.count_users(None).await.unwrap(), 2);
    assert!(
        store
            .find_user_by_upn("bob@example.com")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.backend_name(), "sqlite");
}

#[test]
fn arguments_are_checked() {
    let parse = |args: &[&str]| {
        Portcullis::try_parse_from(std::iter::once("portcullis").chain(args.iter().copied()))
    };
    assert!(parse(&["import", "users", "u.csv", "--resume", "--restart"]).is_err());
    assert!(parse(&["import", "users", "u.csv", "--chunk-size", "0"]).is_err());
    assert!(
        parse(&[
            "import",
            "users",
            "u.csv",
            "--format",
            "json-lines",
            "--groups",
            "g.csv"
        ])
        .is_ok()
    );
}
