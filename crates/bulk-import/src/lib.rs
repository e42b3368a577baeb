//! Bulk import of users and groups from CSV or JSON into a Portcullis store.
//!
//! - **Formats.** CSV with a header row of Graph property names, a JSON array (or
//!   Graph's `{"value": [...]}`), or JSON lines; UTF-8 with or without a BOM. Read as a
//!   stream: a million rows are never in memory at once.
//! - **Row by row.** Each row is validated on its own; a bad row becomes a
//!   [`RowError`] (file, line, column, reason) in the report and never stops the others.
//! - **Audited.** Every user, group and membership is a `Store::commit` with the audit
//!   record the admin API writes ("Add user", "Add group", "Add member to group"), the
//!   importing actor as initiator and one correlation id for the whole import.
//! - **Existing objects.** Users that exist (same userPrincipalName) are skipped;
//!   with `update` they are updated. Groups match by id, or by display name.
//! - **Resumable.** Users commit in chunks; each chunk's transaction also stores the
//!   checkpoint (see [`checkpoint`]), so an interrupted import resumes after the last
//!   stored chunk without doing anything twice.
//! - **Passwords are not imported.** A `password`/`passwordProfile` column is refused:
//!   a file of clear-text passwords is a secret lying around on disk. Imported users get
//!   their first sign-in through a Temporary Access Pass or self-service password reset.
//!
//! Entry points: [`import_users`] for code, [`ImportCommand`] and [`run`] for the CLI.

// Tests may unwrap: a panic there is a failed test, not a crashed server.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod apply;
mod audit;
pub mod checkpoint;
mod cli;
mod error;
mod import;
mod input;
mod options;
mod progress;
mod progress_bar;
mod report;
mod row;
mod target;
mod validate;

pub use audit::cli_initiator;
pub use checkpoint::{Checkpoint, Phase};
pub use cli::{EXIT_REJECTED_ROWS, ImportArgs, ImportCommand, run, run_with_store};
pub use error::ImportError;
pub use import::{import_into, import_users};
pub use input::Format;
pub use options::{DEFAULT_CHUNK_SIZE, ImportOptions, ImportSource, ResumeMode, StopSignal};
pub use progress::{NoProgress, Progress, ProgressSnapshot};
pub use progress_bar::BarProgress;
pub use report::{Counts, ImportReport, Outcome};
pub use row::{GroupRef, GroupRow, InputFile, RowError, UserRow};
pub use target::ImportTarget;
