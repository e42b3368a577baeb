//! Progress reporting: a callback trait the import calls as it goes.

use crate::checkpoint::Phase;
use crate::report::ImportReport;
use crate::row::RowError;

/// Where an import stands; sent after every chunk.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgressSnapshot {
    /// Users-file records read in this run (bad ones included).
    pub rows_read: u64,
    /// Users created or updated.
    pub imported: u64,
    /// Users already present (or unchanged) and left alone, and rows passed over
    /// because an earlier run committed them.
    pub skipped: u64,
    /// Rows refused, while reading or by the store.
    pub failed: u64,
    /// Bytes of the users file read so far, and its size (for a bar).
    pub bytes_read: u64,
    pub total_bytes: u64,
    /// Records per second since the run started.
    pub rows_per_second: f64,
}

/// Receives progress. Every method has a no-op default; implementations must be cheap
/// (they run on the import's task).
pub trait Progress: Send + Sync {
    /// A phase starts (groups, then users).
    fn phase(&self, _phase: Phase) {}
    fn update(&self, _snapshot: &ProgressSnapshot) {}
    /// A row was refused (reported once, as soon as it is known).
    fn row_error(&self, _error: &RowError) {}
    fn finish(&self, _report: &ImportReport) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
