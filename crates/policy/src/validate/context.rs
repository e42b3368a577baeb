//! Directory facts validation may check references against.

use std::collections::HashSet;

/// The IDs that exist, for reference checks. Each set is optional: `None` means "not
/// known here, don't check" (for example when validating a file offline), `Some` means
/// every ID of that kind the policy names must be in the set.
///
/// IDs compare case-insensitively, as Graph object IDs are GUIDs whose case does not
/// matter; the sets should therefore hold lowercase IDs (see [`ValidationContext::ids`]).
#[derive(Debug, Clone, Default)]
pub struct ValidationContext {
    /// Named-location IDs.
    pub named_locations: Option<HashSet<String>>,
    /// Group IDs.
    pub groups: Option<HashSet<String>>,
    /// Directory role template IDs.
    pub roles: Option<HashSet<String>>,
    /// Authentication strength policy IDs (built-in ones included).
    pub authentication_strengths: Option<HashSet<String>>,
    /// Authentication context IDs (`c1` …).
    pub authentication_contexts: Option<HashSet<String>>,
}

impl ValidationContext {
    /// A context that checks no references.
    pub fn offline() -> Self {
        Self::default()
    }

    /// Builds an ID set in the form the checks expect (lowercase).
    pub fn ids<I, S>(ids: I) -> Option<HashSet<String>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Some(
            ids.into_iter()
                .map(|id| id.as_ref().to_ascii_lowercase())
                .collect(),
        )
    }
}

/// Whether `id` is in `known`, ignoring ASCII case.
pub(super) fn contains_id(known: &HashSet<String>, id: &str) -> bool {
    known.contains(id) || known.contains(&id.to_ascii_lowercase())
}
