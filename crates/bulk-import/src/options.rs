//! What to import and how.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use portcullis_core::audit::InitiatedBy;

use crate::input::Format;

/// The files of one import.
#[derive(Debug, Clone)]
pub struct ImportSource {
    pub users: PathBuf,
    /// `None`: from the file name.
    pub users_format: Option<Format>,
    pub groups: Option<PathBuf>,
    pub groups_format: Option<Format>,
}

impl ImportSource {
    pub fn users(path: impl Into<PathBuf>) -> Self {
        ImportSource {
            users: path.into(),
            users_format: None,
            groups: None,
            groups_format: None,
        }
    }

    pub fn with_groups(mut self, path: impl Into<PathBuf>) -> Self {
        self.groups = Some(path.into());
        self
    }
}

/// What to do with a stored checkpoint of the same users file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResumeMode {
    /// Refuse to run when an unfinished checkpoint exists (so nothing is redone by
    /// mistake); run from the start otherwise.
    #[default]
    Fresh,
    /// Continue after the last committed chunk (from the start if there is none).
    Resume,
    /// Ignore any checkpoint and start over.
    Restart,
}

/// Rows per transaction; see docs/benchmarks/bulk-import.md for the measurement.
pub const DEFAULT_CHUNK_SIZE: usize = 1000;

/// Set to stop an import after the chunk being committed (Ctrl-C in the CLI).
#[derive(Debug, Clone, Default)]
pub struct StopSignal(Arc<AtomicBool>);

impl StopSignal {
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Update users (matched by userPrincipalName) and groups that exist instead of
    /// skipping them.
    pub update: bool,
    pub resume: ResumeMode,
    /// Users per transaction.
    pub chunk_size: usize,
    /// Named as initiator in every audit record.
    pub initiated_by: InitiatedBy,
    pub stop: StopSignal,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            update: false,
            resume: ResumeMode::Fresh,
            chunk_size: DEFAULT_CHUNK_SIZE,
            initiated_by: crate::audit::cli_initiator("Bulk import"),
            stop: StopSignal::default(),
        }
    }
}
