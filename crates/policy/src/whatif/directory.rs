//! The directory facts What If needs: users with their direct groups and roles, and how
//! groups nest. `{"users":[{"id","userType","groups":[…],"roles":[…]}],
//! "groups":[{"id","memberOf":[…]}]}`.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::evaluate::UserType;

/// Users and groups, as the CLI's `--directory` file gives them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Directory {
    /// Users.
    pub users: Vec<DirectoryUser>,
    /// Groups and the groups they are members of.
    pub groups: Vec<DirectoryGroup>,
}

/// One user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryUser {
    /// Object ID.
    pub id: String,
    /// `member` or `guest`; guests count as guests/external users.
    pub user_type: UserType,
    /// Groups the user is a direct member of.
    pub groups: Vec<String>,
    /// Role template IDs of the user's built-in roles.
    pub roles: Vec<String>,
}

/// One group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryGroup {
    /// Object ID.
    pub id: String,
    /// Groups this group is a direct member of.
    pub member_of: Vec<String>,
}

impl Directory {
    /// The user with this ID (case-insensitive, as GUIDs are).
    pub fn user(&self, id: &str) -> Option<&DirectoryUser> {
        self.users
            .iter()
            .find(|user| user.id.trim().eq_ignore_ascii_case(id.trim()))
    }

    /// Every group reachable from `direct` through `memberOf`, the direct ones included,
    /// each once, in breadth-first order. Cycles (A in B in A) are harmless: a group is
    /// visited once.
    pub fn transitive_groups(&self, direct: &[String]) -> Vec<String> {
        let parents: HashMap<String, &[String]> = self
            .groups
            .iter()
            .map(|group| {
                (
                    group.id.trim().to_ascii_lowercase(),
                    group.member_of.as_slice(),
                )
            })
            .collect();
        let mut seen: HashSet<String> = HashSet::new();
        let mut order = Vec::new();
        let mut queue: VecDeque<&String> = direct.iter().collect();
        while let Some(group) = queue.pop_front() {
            let key = group.trim().to_ascii_lowercase();
            if !seen.insert(key.clone()) {
                continue;
            }
            order.push(group.trim().to_owned());
            if let Some(parents) = parents.get(&key) {
                queue.extend(parents.iter());
            }
        }
        order
    }
}
