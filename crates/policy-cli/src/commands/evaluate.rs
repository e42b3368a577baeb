//! `portcullis policy evaluate --policies PATH… [--named-locations PATH…]
//! [--directory FILE] --context FILE`: the full decision and per-policy trace for one
//! sign-in in Portcullis's own context JSON (`portcullis_policy::evaluate::SignInContext`).

use std::io::Write;
use std::path::Path;

use portcullis_policy::evaluate::{SignInContext, SignInIdentity, evaluate};
use portcullis_policy::lint::DirectoryFacts;

use super::whatif::warn_missing_locations;
use crate::error::CliError;
use crate::load::{PolicyInputs, json_file};
use crate::output;

/// Prints the `Decision` as JSON; compile warnings go to `err`.
pub(crate) fn run(
    out: &mut impl Write,
    err: &mut impl Write,
    inputs: &PolicyInputs,
    directory: Option<&Path>,
    context: &Path,
) -> Result<(), CliError> {
    let set = inputs.load()?;
    warn_missing_locations(err, &set)?;
    let mut sign_in: SignInContext = json_file(context, "a sign-in context")?;
    if let Some(path) = directory {
        let facts: DirectoryFacts =
            json_file(path, "a directory ({\"users\":[…], \"groups\":[…]})")?;
        add_directory_facts(&mut sign_in, &facts);
    }
    let compiled = set.compile();
    for warning in compiled.warnings() {
        writeln!(err, "warning: {}: {}", warning.subject, warning.message)?;
    }
    output::json(out, &evaluate(&compiled, &sign_in))
}

/// With `--directory`, the user's transitive groups, roles and user type come from the
/// directory (added to what the context already says).
fn add_directory_facts(sign_in: &mut SignInContext, facts: &DirectoryFacts) {
    let SignInIdentity::User(identity) = &mut sign_in.identity else {
        return;
    };
    let Some(user) = facts.user(&identity.id) else {
        return;
    };
    for group in facts.transitive_groups(user) {
        if !identity
            .group_ids
            .iter()
            .any(|known| known.eq_ignore_ascii_case(&group))
        {
            identity.group_ids.push(group);
        }
    }
    for role in &user.roles {
        if !identity
            .role_template_ids
            .iter()
            .any(|known| known.eq_ignore_ascii_case(role))
        {
            identity.role_template_ids.push(role.clone());
        }
    }
    identity.user_type = user.user_type;
}
