//! Groups and their (nestable) membership.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::audit::ModifiedProperty;
use crate::ids::{GroupId, UserId};

/// A security group in the Graph `group` shape (the subset Portcullis manages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: GroupId,
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub mail_nickname: Option<String>,
    /// Graph `isAssignableToRole`: directory roles may be assigned to the group.
    /// Only Global and Privileged Role Administrators may change such a group's members.
    #[serde(default)]
    pub is_assignable_to_role: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
}

impl Group {
    /// The audited properties that differ between `old` and `self`, in the Graph
    /// `modifiedProperty` shape (every writer — admin API, bulk import — uses this one list).
    pub fn changes_since(&self, old: &Group) -> Vec<ModifiedProperty> {
        let mut changes = Vec::new();
        ModifiedProperty::push_if_changed(
            &mut changes,
            "displayName",
            Some(old.display_name.clone()),
            Some(self.display_name.clone()),
        );
        ModifiedProperty::push_if_changed(
            &mut changes,
            "description",
            old.description.clone(),
            self.description.clone(),
        );
        ModifiedProperty::push_if_changed(
            &mut changes,
            "mailNickname",
            old.mail_nickname.clone(),
            self.mail_nickname.clone(),
        );
        changes
    }
}

/// A direct member of a group: a user or another group (nesting).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "camelCase")]
pub enum MemberRef {
    User(UserId),
    Group(GroupId),
}

impl MemberRef {
    pub fn id_str(&self) -> &str {
        match self {
            MemberRef::User(id) => id.as_str(),
            MemberRef::Group(id) => id.as_str(),
        }
    }
}

/// Everything below a group, through any depth of nesting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitiveMembers {
    pub users: Vec<UserId>,
    pub groups: Vec<GroupId>,
}
