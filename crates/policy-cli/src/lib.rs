//! The `portcullis policy …` subcommands, as a library the `portcullis` binary mounts.
//!
//! All logic lives in `portcullis-policy` (pure); this crate reads files, calls it and
//! prints. Commands (a stable contract, issue 2):
//!
//! | command | output | exit status |
//! |---|---|---|
//! | `check PATH… [--named-locations PATH…]` | every error and warning, `file: [item.]json.path: message [rule]` | 0 all valid, 1 some invalid, 2 unreadable input |
//! | `whatif --policies PATH… [--named-locations PATH…] [--authentication-strengths PATH…] [--directory FILE] --request FILE` | Graph `{"value":[whatIfAnalysisResult…]}` | 0, or 2 on bad input |
//! | `evaluate --policies PATH… [--named-locations PATH…] [--authentication-strengths PATH…] [--directory FILE] --context FILE` | the decision and per-policy trace (JSON) | 0, or 2 on bad input |
//! | `templates [--json] [--parameters]` | the built-in templates | 0 |
//! | `template NAME [--param k=v…]` | a policy created from the template (JSON) | 0, or 2 on a bad name or parameter |
//! | `lint --policies PATH… [--named-locations PATH…] --directory FILE [--break-glass ID…] [--as-is] [--json]` | lockout findings | 0 no refusal, 1 refused, 2 bad input |
//!
//! `PATH` is a file (one object, an array, or a Graph `{"value":[…]}` collection, in any
//! encoding Entra exports) or a folder (every `.json` file under it). Malformed input of
//! any kind gets an error naming the file and what was wrong, and exit status 2; nothing
//! panics.
//!
//! # Wiring it into the binary
//!
//! Add a variant to the binary's subcommand enum and dispatch it; the one line is the
//! dispatch:
//!
//! ```ignore
//! #[derive(clap::Subcommand)]
//! enum Command {
//!     /// Conditional Access policies: check, whatif, evaluate, templates, lint.
//!     Policy(portcullis_policy_cli::PolicyArgs),
//!     // …
//! }
//! // in main:
//! Command::Policy(args) => portcullis_policy_cli::run(args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock()),
//! ```

mod args;
mod commands;
mod error;
mod files;
mod load;
mod output;

pub use args::{PolicyArgs, PolicyCommand, PolicyFiles};
pub use error::CliError;

use std::io::Write;
use std::process::ExitCode;

/// How a command ended, as an exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Done, nothing wrong (exit 0).
    Success,
    /// Done, and the answer is "no": invalid policies, a refused policy set (exit 1).
    Findings,
    /// Could not do the work: unreadable or malformed input, a bad argument (exit 2).
    Failed,
}

impl Status {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Findings => 1,
            Status::Failed => 2,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status.code())
    }
}

/// Runs a `portcullis policy …` command, writing results to `out` and diagnostics to
/// `err`.
pub fn run(args: PolicyArgs, out: &mut impl Write, err: &mut impl Write) -> ExitCode {
    execute(args, out, err).into()
}

/// [`run`], returning the [`Status`] (for tests and callers that combine commands).
pub fn execute(args: PolicyArgs, out: &mut impl Write, err: &mut impl Write) -> Status {
    match dispatch(args.command, out, err) {
        Ok(status) => status,
        Err(error) => {
            // Nothing sensible is left to do if the diagnostics stream is gone too.
            let _ = writeln!(err, "error: {error}");
            Status::Failed
        }
    }
}

fn dispatch(
    command: PolicyCommand,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<Status, CliError> {
    match command {
        PolicyCommand::Check {
            paths,
            named_locations,
        } => commands::check::run(out, err, &paths, &named_locations),
        PolicyCommand::Whatif {
            files,
            directory,
            request,
        } => commands::whatif::run(out, err, &files.inputs(), directory.as_deref(), &request)
            .map(|()| Status::Success),
        PolicyCommand::Evaluate {
            files,
            directory,
            context,
        } => commands::evaluate::run(out, err, &files.inputs(), directory.as_deref(), &context)
            .map(|()| Status::Success),
        PolicyCommand::Templates { json, parameters } => {
            commands::templates::list(out, json, parameters).map(|()| Status::Success)
        }
        PolicyCommand::Template { name, params } => {
            commands::templates::instance(out, &name, &params).map(|()| Status::Success)
        }
        PolicyCommand::Lint {
            files,
            directory,
            break_glass,
            as_is,
            json,
        } => {
            let report =
                commands::lint::run(out, &files.inputs(), &directory, &break_glass, as_is, json)?;
            Ok(if report.is_refused() {
                Status::Findings
            } else {
                Status::Success
            })
        }
    }
}
