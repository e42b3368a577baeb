//! Validation of policies against the documented constraints.
//!
//! [`validate`] checks one policy against every constraint entra.md §1.4, §1.6, §1.7,
//! §2.1 and §2.6 documents, and against the directory facts a [`ValidationContext`]
//! supplies. It returns every finding at once (never stopping at the first), each naming
//! its JSON path and its [`Rule`]. Findings are [`Severity::Error`] when Entra documents
//! the combination as not allowed, and [`Severity::Warning`] when the policy is valid but
//! probably not what the admin meant, or uses a value this build does not know. Unknown
//! enum values are never errors: they are kept and reported as warnings.
//!
//! [`validate_named_location`] does the same for named locations (entra.md §3).
//!
//! Choices where the documentation is silent or disagrees are written down next to the
//! rule that makes them.

mod assignments;
mod context;
mod enums;
mod filters;
mod grant;
mod issue;
mod named_location;
mod references;
mod session;
mod structure;

pub use context::ValidationContext;
pub use issue::{Rule, Severity, ValidationError, has_errors};
pub use named_location::validate_named_location;

use crate::model::ConditionalAccessPolicy;

/// Checks `policy` against every documented constraint; see the module docs.
pub fn validate(
    policy: &ConditionalAccessPolicy,
    context: &ValidationContext,
) -> Vec<ValidationError> {
    let mut findings = Vec::new();
    structure::check(policy, &mut findings);
    assignments::check(policy, &mut findings);
    filters::check(policy, &mut findings);
    grant::check(policy, &mut findings);
    session::check(policy, &mut findings);
    references::check(policy, context, &mut findings);
    enums::check(policy, &mut findings);
    findings
}

/// Whether a JSON value kept in `extra` actually says something: a non-empty string, a
/// number, `true`, or a container with such a value inside (`@odata.type` does not
/// count). Beta conditions such as `deviceStates` and `agents` are exported as objects
/// full of empty lists when unused.
fn value_has_entries(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::Bool(true) | Value::Number(_) => true,
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => items.iter().any(value_has_entries),
        Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key != "@odata.type" && value_has_entries(value)),
    }
}
