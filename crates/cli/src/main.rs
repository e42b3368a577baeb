//! `portcullis`: the server and its administration commands.

mod admin;
mod args;
mod commands;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{AuditCommand, Cli, Command};

/// mimalloc rather than glibc's malloc: every request allocates and frees many small
/// buffers across tokio's worker threads, where glibc's arenas spent ≈ 10% of a token
/// grant's CPU (docs/benchmarks.md, tenth session).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status when the configuration or the command line is wrong.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => commands::serve::run(args).await,
            Command::Bootstrap(args) => commands::bootstrap::run(args).await,
            Command::Audit {
                command: AuditCommand::Verify(args),
            } => commands::audit::verify(args).await,
            Command::Backup(args) => commands::backup::backup(args).await,
            Command::Restore(args) => commands::backup::restore(args).await,
            Command::Policy(args) => Ok(portcullis_policy_cli::run(
                args,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            )),
            Command::Import { command } => Ok(portcullis_bulk_import::run(command).await),
            Command::Admin(command) => admin::run(command, &mut std::io::stdout().lock())
                .await
                .map_err(|e| commands::CliError::Other(e.to_string())),
        }
    });
    match result {
        Ok(code) => code,
        Err(commands::CliError::Config(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
