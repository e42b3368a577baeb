//! `portcullis policy lint --policies PATH… [--named-locations PATH…] --directory FILE
//! [--break-glass ID…] [--as-is] [--json]`: refuses (exit 1) a policy set that would lock
//! out every Global Administrator or every break-glass account; prints every finding.

use std::io::Write;
use std::path::Path;

use portcullis_policy::lint::{DirectoryFacts, LintOptions, LintReport, lint};
use time::OffsetDateTime;

use crate::error::CliError;
use crate::load::{PolicyInputs, json_file, missing_named_locations};
use crate::output;

/// Runs the lint; returns the report so the caller can set the exit status.
pub(crate) fn run(
    out: &mut impl Write,
    inputs: &PolicyInputs,
    directory: &Path,
    break_glass: &[String],
    as_is: bool,
    json: bool,
) -> Result<LintReport, CliError> {
    let set = inputs.load()?;
    // A location the lint does not know matches no sign-in, so a policy excluding it
    // would look like a block everywhere: refuse to guess.
    if let Some((policy, location)) = missing_named_locations(&set.policies, &set.named_locations)
        .into_iter()
        .next()
    {
        return Err(CliError::MissingNamedLocation { policy, location });
    }
    let facts: DirectoryFacts = json_file(
        directory,
        "a directory ({\"users\":[…], \"groups\":[…], \"breakGlassAccounts\":[…]})",
    )?;
    let options = LintOptions {
        break_glass_accounts: break_glass.to_vec(),
        enforce_report_only: !as_is,
    };
    let report = lint(&set, &facts, &options, OffsetDateTime::now_utc());
    if json {
        output::json(out, &report)?;
    } else {
        for finding in &report.findings {
            writeln!(out, "{finding}")?;
        }
        let verdict = if report.is_refused() {
            "refused: this policy set would lock out every Global Administrator or every break-glass account"
        } else {
            "ok: no lockout found"
        };
        let (policies, findings) = (set.policies.len(), report.findings.len());
        writeln!(
            out,
            "{verdict} ({policies} polic{}, {findings} finding{})",
            if policies == 1 { "y" } else { "ies" },
            if findings == 1 { "" } else { "s" }
        )?;
    }
    Ok(report)
}
