//! `portcullis policy check PATH… [--named-locations PATH…]`: validates every policy and
//! named location, printing each finding with its file and JSON path.
//!
//! Findings go to standard output, one per line:
//! `FILE: error: [ITEM.]JSON.PATH: MESSAGE [rule]` (and `warning:` likewise), where
//! `ITEM` is `[3]` or `value[3]` for an object inside an array or a `{"value":[…]}`
//! collection. A file that cannot be read or parsed is reported on standard error and
//! the other files are still checked. Exit status: 0 when everything is valid, 1 when
//! some policy or location breaks a rule, 2 when some file could not be read.

use std::io::Write;
use std::path::{Path, PathBuf};

use portcullis_policy::import::{Document, decode, import_documents};
use portcullis_policy::model::NamedLocation;
use portcullis_policy::strength::built_in_strengths;
use portcullis_policy::validate::{
    ValidationContext, ValidationError, validate, validate_named_location,
};
use serde_json::Value;

use crate::Status;
use crate::error::CliError;
use crate::files;
use crate::load::PolicyInputs;

/// One object found in a file, with where it is.
struct Located {
    file: PathBuf,
    /// `""`, `[3]` or `value[3]`.
    item: String,
    document: Document,
}

#[derive(Default)]
struct Tally {
    files: usize,
    policies: usize,
    locations: usize,
    strengths: usize,
    errors: usize,
    warnings: usize,
    unreadable: usize,
}

pub(crate) fn run(
    out: &mut impl Write,
    err: &mut impl Write,
    paths: &[PathBuf],
    named_locations: &[PathBuf],
) -> Result<Status, CliError> {
    let mut tally = Tally::default();
    let mut found = Vec::new();
    for file in files::expand(paths)? {
        tally.files += 1;
        match read_documents(&file) {
            Ok(documents) => found.extend(documents),
            Err(error) => {
                tally.unreadable += 1;
                writeln!(err, "error: {error}")?;
            }
        }
    }
    // Location references are checked against every named location known: those given
    // with --named-locations and those among the checked files. With none, references
    // are not checked (the policies may be checked on their own).
    let mut known: Vec<NamedLocation> = if named_locations.is_empty() {
        Vec::new()
    } else {
        PolicyInputs {
            named_locations: named_locations.to_vec(),
            ..PolicyInputs::default()
        }
        .load()?
        .named_locations
    };
    known.extend(found.iter().filter_map(|located| match &located.document {
        Document::NamedLocation(location) => Some((**location).clone()),
        _ => None,
    }));
    let context = validation_context(&known, &found);
    for located in &found {
        let findings = match &located.document {
            Document::Policy(policy) => {
                tally.policies += 1;
                validate(policy, &context)
            }
            Document::NamedLocation(location) => {
                tally.locations += 1;
                validate_named_location(location)
            }
            Document::AuthenticationStrength(_) => {
                tally.strengths += 1;
                Vec::new()
            }
        };
        for finding in findings {
            if finding.is_error() {
                tally.errors += 1;
            } else {
                tally.warnings += 1;
            }
            writeln!(out, "{}", line(located, &finding))?;
        }
    }
    writeln!(
        out,
        "checked {} file{}: {} polic{}, {} named location{}, {} authentication strength{}; {} error{}, {} warning{}{}",
        tally.files,
        plural(tally.files, "", "s"),
        tally.policies,
        plural(tally.policies, "y", "ies"),
        tally.locations,
        plural(tally.locations, "", "s"),
        tally.strengths,
        plural(tally.strengths, "", "s"),
        tally.errors,
        plural(tally.errors, "", "s"),
        tally.warnings,
        plural(tally.warnings, "", "s"),
        if tally.unreadable > 0 {
            format!(
                ", {} unreadable file{}",
                tally.unreadable,
                plural(tally.unreadable, "", "s")
            )
        } else {
            String::new()
        },
    )?;
    Ok(if tally.unreadable > 0 {
        Status::Failed
    } else if tally.errors > 0 {
        Status::Findings
    } else {
        Status::Success
    })
}

/// Reference checks for the kinds the files give: named locations when any are known,
/// authentication strengths (plus the three built-in ones) when any custom one is found.
fn validation_context(known: &[NamedLocation], found: &[Located]) -> ValidationContext {
    let strengths: Vec<&str> = found
        .iter()
        .filter_map(|located| match &located.document {
            Document::AuthenticationStrength(strength) => strength.id.as_deref(),
            _ => None,
        })
        .collect();
    ValidationContext {
        named_locations: (!known.is_empty())
            .then(|| {
                ValidationContext::ids(known.iter().filter_map(|location| location.id.as_deref()))
            })
            .flatten(),
        authentication_strengths: (!strengths.is_empty())
            .then(|| {
                ValidationContext::ids(
                    built_in_strengths()
                        .iter()
                        .map(|strength| strength.id.as_str())
                        .chain(strengths.iter().copied())
                        .collect::<Vec<_>>(),
                )
            })
            .flatten(),
        ..ValidationContext::default()
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

fn line(located: &Located, finding: &ValidationError) -> String {
    let severity = if finding.is_error() {
        "error"
    } else {
        "warning"
    };
    let path = match (located.item.is_empty(), finding.path.is_empty()) {
        (true, _) => finding.path.clone(),
        (false, true) => located.item.clone(),
        (false, false) => format!("{}.{}", located.item, finding.path),
    };
    let place = if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    };
    format!(
        "{}: {severity}: {place}{} [{}]",
        located.file.display(),
        finding.message,
        finding.rule
    )
}

/// Every object in a file, with its item prefix.
fn read_documents(file: &Path) -> Result<Vec<Located>, CliError> {
    let bytes = files::read(file)?;
    let documents = import_documents(&bytes).map_err(|source| CliError::Import {
        path: file.to_path_buf(),
        source,
    })?;
    let prefix = item_prefix(&bytes);
    let single = documents.len() == 1 && prefix.is_none();
    Ok(documents
        .into_iter()
        .enumerate()
        .map(|(index, document)| Located {
            file: file.to_path_buf(),
            item: match (&prefix, single) {
                (_, true) | (None, _) => String::new(),
                (Some(prefix), false) => format!("{prefix}[{index}]"),
            },
            document,
        })
        .collect())
}

/// `Some("")` for a top-level array, `Some("value")` for a collection, `None` for a
/// single object. The file has already imported, so it decodes and parses.
fn item_prefix(bytes: &[u8]) -> Option<&'static str> {
    let (text, _) = decode(bytes).ok()?;
    match serde_json::from_str::<Value>(&text).ok()? {
        Value::Array(_) => Some(""),
        Value::Object(fields) if matches!(fields.get("value"), Some(Value::Array(_))) => {
            Some("value")
        }
        _ => None,
    }
}
