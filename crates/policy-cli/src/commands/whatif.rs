//! `portcullis policy whatif --policies PATH… [--named-locations PATH…] [--directory FILE]
//! --request FILE`: the Graph `conditionalAccess/evaluate` contract.

use std::io::Write;
use std::path::Path;

use portcullis_policy::lint::DirectoryFacts;
use portcullis_policy::whatif::{EvaluateRequest, what_if};

use crate::error::CliError;
use crate::load::{PolicyInputs, json_file, missing_named_locations};
use crate::output;

/// Prints `{"value":[whatIfAnalysisResult…]}`.
pub(crate) fn run(
    out: &mut impl Write,
    err: &mut impl Write,
    inputs: &PolicyInputs,
    directory: Option<&Path>,
    request: &Path,
) -> Result<(), CliError> {
    let set = inputs.load()?;
    warn_missing_locations(err, &set)?;
    let facts: DirectoryFacts = match directory {
        Some(path) => json_file(path, "a directory ({\"users\":[…], \"groups\":[…]})")?,
        None => DirectoryFacts::default(),
    };
    let body: EvaluateRequest = json_file(request, "a conditionalAccess/evaluate request body")?;
    let response =
        what_if(&set, &facts.to_directory(), &body).map_err(|source| CliError::WhatIf {
            path: request.to_path_buf(),
            source,
        })?;
    output::json(out, &response)
}

/// Unknown location IDs never match, which silently changes answers: say so.
pub(crate) fn warn_missing_locations(
    err: &mut impl Write,
    set: &portcullis_policy::evaluate::PolicySet,
) -> Result<(), CliError> {
    for (policy, location) in missing_named_locations(&set.policies, &set.named_locations) {
        writeln!(
            err,
            "warning: {policy}: conditions.locations names {location}, which no --named-locations file defines; it matches no sign-in"
        )?;
    }
    Ok(())
}
