//! Why a command could not do its work. Every error names the file and what was wrong.

use std::path::PathBuf;

use portcullis_policy::import::ImportError;
use portcullis_policy::templates::TemplateError;
use portcullis_policy::whatif::WhatIfError;
use thiserror::Error;

/// A failure that stops a command (exit status 2).
#[derive(Debug, Error)]
pub enum CliError {
    /// A file or folder could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A folder holds no `.json` file.
    #[error("{}: the folder holds no .json file", path.display())]
    EmptyFolder {
        /// The folder.
        path: PathBuf,
    },
    /// A file is not what it should be (encoding, JSON syntax, shape, types).
    #[error("{}: {source}", path.display())]
    Import {
        /// The file.
        path: PathBuf,
        /// What the importer found.
        source: ImportError,
    },
    /// A JSON input (directory, request, sign-in context) does not have the expected shape.
    #[error("{}: {message}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// A policy names a named location that no `--named-locations` file defines.
    #[error(
        "{policy}: conditions.locations names {location}, which no --named-locations file defines (pass the named locations the policies use)"
    )]
    MissingNamedLocation {
        /// The policy's display name.
        policy: String,
        /// The location ID.
        location: String,
    },
    /// A template could not be found or instantiated.
    #[error("{0}")]
    Template(#[from] TemplateError),
    /// The What If request cannot be answered.
    #[error("{}: {source}", path.display())]
    WhatIf {
        /// The request file.
        path: PathBuf,
        /// Why.
        source: WhatIfError,
    },
    /// Writing the output failed (a closed pipe, a full disk).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}
