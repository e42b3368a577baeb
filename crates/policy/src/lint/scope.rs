//! Structurally, does a policy's users assignment cover a directory user, and why (or
//! why not)? Used for the break-glass exclusion check and to explain findings; the
//! lockout decision itself is the evaluator's.

use std::collections::BTreeSet;

use crate::model::{
    ConditionalAccessPolicy, ExternalTenantsMembershipKind, GuestOrExternalUserType,
    GuestsOrExternalUsers, Users, special,
};
use crate::templates::admin_role_name;

use super::directory::{DirectoryFacts, DirectoryUser};
use crate::evaluate::UserType;

/// A user with their transitive groups resolved.
pub(crate) struct Member<'a> {
    pub(crate) user: &'a DirectoryUser,
    /// Lowercase group IDs, direct and nested.
    pub(crate) groups: BTreeSet<String>,
}

impl<'a> Member<'a> {
    pub(crate) fn resolve(facts: &DirectoryFacts, user: &'a DirectoryUser) -> Self {
        Self {
            user,
            groups: facts.transitive_groups(user),
        }
    }

    fn in_group(&self, id: &str) -> bool {
        self.groups.contains(&id.to_ascii_lowercase())
    }

    fn is_guest(&self) -> bool {
        self.user.user_type == UserType::Guest
    }
}

/// How a user is in (or out of) a policy's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reason {
    AllUsers,
    User,
    Group(String),
    Role(String),
    Guests,
}

impl Reason {
    pub(crate) fn describe(&self, facts: &DirectoryFacts) -> String {
        match self {
            Reason::AllUsers => "as one of All users".to_owned(),
            Reason::User => "by its user ID".to_owned(),
            Reason::Group(id) => format!("through group {}", facts.group_label(id)),
            Reason::Role(id) => match admin_role_name(id) {
                Some(name) => format!("through the {name} role"),
                None => format!("through role {id}"),
            },
            Reason::Guests => "as a guest or external user".to_owned(),
        }
    }
}

/// Why `member` is included by `users`, if they are.
pub(crate) fn inclusion(users: &Users, member: &Member<'_>) -> Option<Reason> {
    if users.includes_all_users() {
        return Some(Reason::AllUsers);
    }
    if users
        .include_users
        .iter()
        .any(|id| id.eq_ignore_ascii_case(&member.user.id))
    {
        return Some(Reason::User);
    }
    if let Some(group) = users.include_groups.iter().find(|id| member.in_group(id)) {
        return Some(Reason::Group(group.clone()));
    }
    if let Some(role) = users
        .include_roles
        .iter()
        .find(|id| member.user.has_role(id))
    {
        return Some(Reason::Role(role.clone()));
    }
    let guest_selector = users
        .include_users
        .iter()
        .any(|id| id == special::GUESTS_OR_EXTERNAL_USERS);
    // Inclusion reads generously (any external tenant) so that no policy that might
    // apply is overlooked.
    let guest_types = users
        .include_guests_or_external_users
        .as_ref()
        .is_some_and(covers_directory_guests);
    (member.is_guest() && (guest_selector || guest_types)).then_some(Reason::Guests)
}

/// Why `member` is excluded by `users`, if they are.
pub(crate) fn exclusion(users: &Users, member: &Member<'_>) -> Option<Reason> {
    if users
        .exclude_users
        .iter()
        .any(|id| id.eq_ignore_ascii_case(&member.user.id))
    {
        return Some(Reason::User);
    }
    if let Some(group) = users.exclude_groups.iter().find(|id| member.in_group(id)) {
        return Some(Reason::Group(group.clone()));
    }
    if let Some(role) = users
        .exclude_roles
        .iter()
        .find(|id| member.user.has_role(id))
    {
        return Some(Reason::Role(role.clone()));
    }
    let guest_selector = users
        .exclude_users
        .iter()
        .any(|id| id == special::GUESTS_OR_EXTERNAL_USERS);
    // Exclusion reads strictly: an enumerated tenant list may not hold the guest's tenant,
    // which the directory facts do not give, so only "all tenants" counts.
    let guest_types = users
        .exclude_guests_or_external_users
        .as_ref()
        .is_some_and(|guests| {
            covers_directory_guests(guests)
                && guests.external_tenants.as_ref().is_none_or(|tenants| {
                    tenants.membership_kind == Some(ExternalTenantsMembershipKind::All)
                })
        });
    (member.is_guest() && (guest_selector || guest_types)).then_some(Reason::Guests)
}

/// A directory guest counts as a B2B collaboration guest (the evaluator's reading too).
fn covers_directory_guests(guests: &GuestsOrExternalUsers) -> bool {
    guests
        .guest_or_external_user_types
        .contains(&GuestOrExternalUserType::B2bCollaborationGuest)
}

/// The users assignment of `policy`, if it has one.
pub(crate) fn users_of(policy: &ConditionalAccessPolicy) -> Option<&Users> {
    policy.conditions.as_ref()?.users.as_ref()
}

/// Whether `policy` can apply to `member` (included and not excluded), with why.
pub(crate) fn applies_to(policy: &ConditionalAccessPolicy, member: &Member<'_>) -> Option<Reason> {
    let users = users_of(policy)?;
    let included = inclusion(users, member)?;
    exclusion(users, member).is_none().then_some(included)
}
