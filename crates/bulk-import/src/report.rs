//! The final report: what was done and every row that was not, as JSON or text.

use std::fmt::Write as _;

use portcullis_core::CorrelationId;
use serde::{Deserialize, Serialize};

use crate::row::RowError;

/// Totals of committed work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub users_created: u64,
    pub users_updated: u64,
    /// Present already; left alone (without `--update`).
    pub users_skipped: u64,
    /// Present already and identical to the row (with `--update`).
    pub users_unchanged: u64,
    pub groups_created: u64,
    pub groups_updated: u64,
    /// Present already (matched by id or display name) and left alone or unchanged.
    pub groups_existing: u64,
    pub memberships_added: u64,
}

/// How the run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum Outcome {
    /// Every row was read; the good ones are stored.
    Completed,
    /// Stopped early; everything up to the checkpoint is stored and `--resume` goes on.
    Interrupted { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub outcome: Outcome,
    pub correlation_id: CorrelationId,
    pub users_sha256: String,
    pub groups_sha256: Option<String>,
    /// The run continued a checkpoint: records up to this one were already done.
    pub resumed_after_row: Option<u64>,
    /// Users-file records read in this run, bad ones included.
    pub rows_read: u64,
    /// Totals over the whole import (this run and the runs it resumed).
    pub counts: Counts,
    /// Rows refused (a row with several problems counts once).
    pub failed_rows: u64,
    /// Every problem of every refused row, by file and line.
    pub errors: Vec<RowError>,
    pub elapsed_seconds: f64,
    pub rows_per_second: f64,
}

impl ImportReport {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn to_json(&self) -> String {
        // A report is plain data; serialising it cannot fail, but never panic over it.
        serde_json::to_string_pretty(self).unwrap_or_else(|err| format!("{{\"error\":\"{err}\"}}"))
    }

    /// The report for people: a summary, then one line per problem.
    pub fn to_text(&self) -> String {
        let c = &self.counts;
        let mut out = String::new();
        let status = match &self.outcome {
            Outcome::Completed => "completed".to_owned(),
            Outcome::Interrupted { reason } => {
                format!("INTERRUPTED ({reason}); run again with --resume to continue")
            }
        };
        let _ = writeln!(out, "import {status}");
        if let Some(row) = self.resumed_after_row {
            let _ = writeln!(out, "resumed after row {row}");
        }
        let _ = writeln!(
            out,
            "users: {} created, {} updated, {} skipped (already present), {} unchanged",
            c.users_created, c.users_updated, c.users_skipped, c.users_unchanged
        );
        let _ = writeln!(
            out,
            "groups: {} created, {} updated, {} already present; {} memberships added",
            c.groups_created, c.groups_updated, c.groups_existing, c.memberships_added
        );
        let _ = writeln!(
            out,
            "{} rows read in {:.1} s ({:.0} rows/s); {} rows refused",
            self.rows_read, self.elapsed_seconds, self.rows_per_second, self.failed_rows
        );
        let _ = writeln!(out, "audit correlation id: {}", self.correlation_id);
        for error in &self.errors {
            let _ = writeln!(out, "  {error}");
        }
        out
    }
}
