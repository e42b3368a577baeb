//! Admin operations. Each one authorizes the caller (least privilege, through
//! [`crate::Caller::authorize`]) before reading or writing, and commits every change
//! together with its audit record in one store transaction.

pub mod audit_log;
pub mod groups;
mod lockout_lint;
pub mod policies;
pub mod roles;
pub mod users;
pub mod what_if;

use portcullis_core::audit::ModifiedProperty;

/// Records `name` as modified when `old` and `new` differ.
pub(crate) fn diff(
    changes: &mut Vec<ModifiedProperty>,
    name: &str,
    old: Option<String>,
    new: Option<String>,
) {
    if old != new {
        changes.push(ModifiedProperty {
            display_name: name.to_owned(),
            old_value: old,
            new_value: new,
        });
    }
}
