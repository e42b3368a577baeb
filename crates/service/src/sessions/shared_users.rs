//! One copy of a user's session-facing facts per node, shared by all of the user's
//! cached sessions (a user signed in on a laptop, a phone and a tablet holds one).
//!
//! Sharing never changes what a session sees: every load reads the user afresh, and the
//! fresh copy is swapped for the shared one only when the two are equal. A user whose
//! facts changed gets a new shared copy; sessions still holding the old one are dropped
//! by their security epoch anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use portcullis_core::UserId;

use super::active::SessionUser;

#[derive(Default)]
pub(crate) struct SharedUsers {
    inner: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    users: HashMap<UserId, Weak<SessionUser>>,
    /// Dead entries are swept when the table reaches this size (then twice what is live),
    /// so the table stays proportional to the users with cached sessions.
    sweep_at: usize,
}

const MIN_SWEEP: usize = 1024;

impl SharedUsers {
    /// The shared copy equal to `user`, or `user` itself, now shared.
    pub(crate) fn share(&self, user: SessionUser) -> Arc<SessionUser> {
        let Ok(mut table) = self.inner.lock() else {
            return Arc::new(user);
        };
        if let Some(shared) = table.users.get(&user.id).and_then(Weak::upgrade)
            && *shared == user
        {
            return shared;
        }
        let shared = Arc::new(user);
        table
            .users
            .insert(shared.id.clone(), Arc::downgrade(&shared));
        if table.users.len() >= table.sweep_at.max(MIN_SWEEP) {
            table.users.retain(|_, weak| weak.strong_count() > 0);
            table.sweep_at = table.users.len() * 2;
        }
        shared
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map(|t| t.users.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_core::UserType;

    fn user(id: &UserId, name: &str) -> SessionUser {
        SessionUser {
            id: id.clone(),
            user_principal_name: format!("{name}@example.com"),
            display_name: name.into(),
            mail: None,
            user_type: UserType::Member,
            group_ids: vec![],
            group_names: vec![],
            role_template_ids: vec![],
            identity_headers: Arc::default(),
        }
    }

    #[test]
    fn equal_users_share_one_copy_and_changed_ones_do_not() {
        let shared = SharedUsers::default();
        let id = UserId::from_uuid(uuid::Uuid::new_v4());
        let first = shared.share(user(&id, "ada"));
        let second = shared.share(user(&id, "ada"));
        assert!(Arc::ptr_eq(&first, &second));
        // Renamed: the session loaded now sees the new name, never the old copy.
        let renamed = shared.share(user(&id, "ada lovelace"));
        assert!(!Arc::ptr_eq(&first, &renamed));
        assert_eq!(renamed.display_name, "ada lovelace");
        let other = shared.share(user(&UserId::from_uuid(uuid::Uuid::new_v4()), "ada"));
        assert!(!Arc::ptr_eq(&renamed, &other));
    }

    #[test]
    fn dead_entries_are_swept() {
        let shared = SharedUsers::default();
        for _ in 0..(MIN_SWEEP * 3) {
            let id = UserId::from_uuid(uuid::Uuid::new_v4());
            drop(shared.share(user(&id, "gone")));
        }
        assert!(shared.len() <= MIN_SWEEP);
    }
}
