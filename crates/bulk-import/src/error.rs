//! Errors that stop an import before or while it runs. Errors of single rows are
//! [`RowError`](crate::RowError)s in the report instead.

use std::path::PathBuf;

use portcullis_store::StoreError;

/// Why an import could not start, or could not go on.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot tell the format of {path} from its name; use a .csv, .json, .jsonl or .ndjson file or pass --format"
    )]
    UnknownFormat { path: PathBuf },
    #[error("{path} is UTF-16 encoded; save it as UTF-8 (with or without BOM) and import again")]
    Utf16 { path: PathBuf },
    #[error("{path}: {message}")]
    Header { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Structure { path: PathBuf, message: String },
    #[error(
        "an import of this file was interrupted after row {last_row} (line {last_line}); pass --resume to continue it, or --restart to start over (users that exist are then skipped)"
    )]
    Unfinished { last_row: u64, last_line: u64 },
    #[error(
        "the interrupted import of this users file used a different groups file; resume with the same groups file or pass --restart"
    )]
    GroupsFileChanged,
    #[error("the stored import checkpoint {key} does not decode: {message}")]
    Checkpoint { key: String, message: String },
    #[error("--initiated-by: no user with userPrincipalName {0:?}")]
    UnknownInitiator(String),
    #[error("cannot open the store: {0}")]
    Open(String),
    /// A reader or hashing task died (a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(String),
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
}
