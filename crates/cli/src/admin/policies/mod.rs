//! `portcullis policies export|import|plan|apply DIR`: Conditional Access policy kept in
//! Git. `plan` shows what `apply` would change; `apply` first checks every file with the
//! engine's validation (errors name the file and the JSON path) and changes nothing if
//! one fails, then creates, updates and finally deletes — deletions last, so a policy
//! that replaces another is on before the old one goes. The server runs the lockout lint
//! on every write; a refusal stops the run and says what was done before it.

pub mod files;
pub mod plan;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use portcullis_policy::{ConditionalAccessPolicy, Severity, ValidationContext};
use serde_json::Value;

use crate::admin::AdminError;
use crate::admin::client::ApiClient;
use crate::admin::output;
use files::{PolicyFile, normalize_json, read_dir, write_dir};
use plan::{Plan, Step};

const POLICIES: &str = "/v1.0/identity/conditionalAccess/policies";

#[derive(Subcommand, Debug, Clone)]
pub enum PoliciesCommand {
    /// Write every policy on the server to DIR, one JSON file each.
    Export { dir: PathBuf },
    /// Create on the server every policy in DIR (any Entra export) whose displayName is
    /// not there yet; existing policies are left alone.
    Import { dir: PathBuf },
    /// Show what `apply DIR` would create, update and delete.
    Plan {
        dir: PathBuf,
        /// Exit with status 2 when the plan is not empty (for CI drift checks).
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Make the server's policies match DIR.
    Apply { dir: PathBuf },
}

/// What a policies command reports back to `main` (for the exit status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// `plan --detailed-exitcode` found changes.
    Changes,
}

pub async fn run(
    client: &ApiClient,
    command: PoliciesCommand,
    out: &mut dyn Write,
) -> Result<Outcome, AdminError> {
    match command {
        PoliciesCommand::Export { dir } => {
            let policies = server_policies(client).await?;
            let written = write_dir(&dir, &policies)?;
            output::line(
                out,
                &format!("exported {} policies to {}", written.len(), dir.display()),
            )?;
            Ok(Outcome::Done)
        }
        PoliciesCommand::Import { dir } => import(client, &dir, out).await,
        PoliciesCommand::Plan {
            dir,
            detailed_exitcode,
        } => {
            let plan = make_plan(client, &dir).await?;
            write!(out, "{}", plan.render()).map_err(|e| AdminError::Output(e.to_string()))?;
            Ok(if detailed_exitcode && !plan.is_empty() {
                Outcome::Changes
            } else {
                Outcome::Done
            })
        }
        PoliciesCommand::Apply { dir } => {
            let plan = make_plan(client, &dir).await?;
            apply(client, &plan, out).await?;
            Ok(Outcome::Done)
        }
    }
}

/// Every server policy in normal form.
async fn server_policies(client: &ApiClient) -> Result<Vec<Value>, AdminError> {
    client
        .list_all(POLICIES, &[], None)
        .await?
        .iter()
        .map(normalize_json)
        .collect()
}

async fn make_plan(client: &ApiClient, dir: &Path) -> Result<Plan, AdminError> {
    let files = read_dir(dir)?;
    check_files(&files)?;
    let server = server_policies(client).await?;
    plan::plan(&files, &server)
}

/// The engine's validation of every file, without directory context (the server checks
/// references to its own objects). Any error refuses the whole directory.
fn check_files(files: &[PolicyFile]) -> Result<(), AdminError> {
    let mut problems = Vec::new();
    for file in files {
        let policy: ConditionalAccessPolicy =
            serde_json::from_value(file.policy.clone()).map_err(|e| AdminError::Files {
                path: file.path.clone(),
                why: e.to_string(),
            })?;
        for finding in portcullis_policy::validate(&policy, &ValidationContext::default()) {
            if finding.severity == Severity::Error {
                problems.push(format!(
                    "{}: {}: {}",
                    file.path.display(),
                    finding.path,
                    finding.message
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AdminError::Invalid(problems))
    }
}

async fn apply(client: &ApiClient, plan: &Plan, out: &mut dyn Write) -> Result<(), AdminError> {
    // Creations and updates before deletions (see the module docs).
    let ordered = plan
        .steps
        .iter()
        .filter(|s| !matches!(s, Step::Delete { .. }))
        .chain(
            plan.steps
                .iter()
                .filter(|s| matches!(s, Step::Delete { .. })),
        );
    for (done, step) in ordered.enumerate() {
        let result = match step {
            Step::Create { body, .. } => client.post(POLICIES, body).await.map(|_| ()),
            Step::Update { id, body, .. } => client
                .patch(&format!("{POLICIES}/{id}"), body)
                .await
                .map(|_| ()),
            Step::Delete { id, .. } => client.delete(&format!("{POLICIES}/{id}")).await.map(|_| ()),
        };
        let (verb, name, file) = describe(step);
        if let Err(error) = result {
            return Err(AdminError::Apply {
                step: format!("{verb} {name:?}{file}"),
                done,
                remaining: plan.steps.len() - done,
                error: Box::new(error),
            });
        }
        output::line(out, &format!("{verb}d {name:?}"))?;
    }
    output::line(
        out,
        &format!(
            "Applied: {} created, {} updated, {} deleted.",
            plan.count("create"),
            plan.count("update"),
            plan.count("delete")
        ),
    )
}

fn describe(step: &Step) -> (&'static str, &str, String) {
    match step {
        Step::Create { name, file, .. } => ("create", name, format!(" ({file})")),
        Step::Update { name, file, .. } => ("update", name, format!(" ({file})")),
        Step::Delete { name, .. } => ("delete", name, String::new()),
    }
}

async fn import(
    client: &ApiClient,
    dir: &Path,
    out: &mut dyn Write,
) -> Result<Outcome, AdminError> {
    let files = read_dir(dir)?;
    check_files(&files)?;
    let server = server_policies(client).await?;
    let mut created = 0;
    let mut skipped = 0;
    for file in &files {
        if server
            .iter()
            .any(|s| s["displayName"].as_str() == Some(file.display_name()))
        {
            skipped += 1;
            output::line(out, &format!("exists, skipped {:?}", file.display_name()))?;
            continue;
        }
        let mut body = file.policy.clone();
        if let Value::Object(object) = &mut body {
            object.remove("id");
        }
        client
            .post(POLICIES, &body)
            .await
            .map_err(|error| AdminError::Apply {
                step: format!("create {:?} ({})", file.display_name(), file.path.display()),
                done: created,
                remaining: files.len() - created - skipped,
                error: Box::new(error),
            })?;
        created += 1;
        output::line(out, &format!("created {:?}", file.display_name()))?;
    }
    output::line(
        out,
        &format!("Imported: {created} created, {skipped} already present."),
    )?;
    Ok(Outcome::Done)
}
