//! The command line (clap). Names and shapes are a stable contract (issue 2).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::load::PolicyInputs;

/// `portcullis policy …`: Conditional Access policies as code.
#[derive(Debug, Clone, Parser)]
#[command(name = "policy")]
pub struct PolicyArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: PolicyCommand,
}

/// The `portcullis policy` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum PolicyCommand {
    /// Validate policy files; prints every error with its file and JSON path.
    Check {
        /// Policy files, folders of them, or `{"value":[…]}` collections. Named-location
        /// files among them are checked as named locations.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Named locations the policies may reference; with it, unknown location IDs are
        /// errors.
        #[arg(long = "named-locations", value_name = "PATH", num_args = 1..)]
        named_locations: Vec<PathBuf>,
    },
    /// What If: Graph's conditionalAccess/evaluate, printing {"value":[whatIfAnalysisResult…]}.
    Whatif {
        #[command(flatten)]
        files: PolicyFiles,
        /// Users and groups: {"users":[{"id","userType","groups","roles"}],"groups":[{"id","memberOf"}]}.
        #[arg(long, value_name = "FILE")]
        directory: Option<PathBuf>,
        /// The Graph evaluate request body.
        #[arg(long, value_name = "FILE")]
        request: PathBuf,
    },
    /// Evaluate one sign-in: the full decision and per-policy trace.
    Evaluate {
        #[command(flatten)]
        files: PolicyFiles,
        /// Users and groups (as for whatif); fills in the user's transitive groups and roles.
        #[arg(long, value_name = "FILE")]
        directory: Option<PathBuf>,
        /// The sign-in context (Portcullis's JSON, see the evaluate module docs).
        #[arg(long, value_name = "FILE")]
        context: PathBuf,
    },
    /// List the built-in Conditional Access templates.
    Templates {
        /// Print Graph's {"value":[conditionalAccessTemplate…]} instead of a table.
        #[arg(long)]
        json: bool,
        /// Show each template's parameters.
        #[arg(long)]
        parameters: bool,
    },
    /// Print a policy created from a template (report-only unless state=… says otherwise).
    Template {
        /// The template's short name, ID or display name (see `templates`).
        name: String,
        /// A parameter, key=value (repeatable), e.g. breakGlassGroup=<group id>.
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
    },
    /// Refuse a policy set that would lock out every Global Administrator or every
    /// break-glass account; warn about missing break-glass exclusions.
    Lint {
        #[command(flatten)]
        files: PolicyFiles,
        /// Users (with roles, groups, optionally devices and methods), groups, and
        /// breakGlassAccounts.
        #[arg(long, value_name = "FILE")]
        directory: PathBuf,
        /// A break-glass account's user ID (repeatable; added to the directory's list).
        #[arg(long = "break-glass", value_name = "ID")]
        break_glass: Vec<String>,
        /// Judge report-only policies as report-only (by default they are judged as if
        /// turned on).
        #[arg(long)]
        as_is: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The policy set inputs shared by whatif, evaluate and lint.
#[derive(Debug, Clone, Args)]
pub struct PolicyFiles {
    /// Policy files, folders, or `{"value":[…]}` collections.
    #[arg(long, value_name = "PATH", num_args = 1.., required = true)]
    pub policies: Vec<PathBuf>,
    /// Named-location files or folders.
    #[arg(long = "named-locations", value_name = "PATH", num_args = 1..)]
    pub named_locations: Vec<PathBuf>,
    /// Custom authentication-strength files or folders (the built-in ones are known).
    #[arg(long = "authentication-strengths", value_name = "PATH", num_args = 1..)]
    pub authentication_strengths: Vec<PathBuf>,
}

impl PolicyFiles {
    pub(crate) fn inputs(&self) -> PolicyInputs {
        PolicyInputs {
            policies: self.policies.clone(),
            named_locations: self.named_locations.clone(),
            authentication_strengths: self.authentication_strengths.clone(),
        }
    }
}
