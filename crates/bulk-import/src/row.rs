//! What the readers and validators produce: typed rows ready to apply, and the errors of
//! rows that are not.

use portcullis_core::{GroupId, UserId, UserType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Which input file a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InputFile {
    Users,
    Groups,
}

impl InputFile {
    pub fn as_str(self) -> &'static str {
        match self {
            InputFile::Users => "users",
            InputFile::Groups => "groups",
        }
    }
}

/// Why one row was not imported. The other rows are unaffected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub file: InputFile,
    /// 1-based line where the row starts in its file.
    pub line: u64,
    /// The column (CSV) or property (JSON) at fault; `None` when the row as a whole is.
    pub field: Option<String>,
    pub message: String,
}

impl RowError {
    pub fn new(
        file: InputFile,
        line: u64,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        RowError {
            file,
            line,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} file, line {}", self.file.as_str(), self.line)?;
        if let Some(field) = &self.field {
            write!(f, ", {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A group named in a `groups` or `memberOf` cell: by object id or by display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupRef {
    Id(GroupId),
    Name(String),
}

impl std::fmt::Display for GroupRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GroupRef::Id(id) => write!(f, "group id {id}"),
            GroupRef::Name(name) => write!(f, "group {name:?}"),
        }
    }
}

/// A valid user row. Absent optional cells are `None`: a new user gets the defaults
/// (member, enabled), an updated user (`--update`) keeps its stored values.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub line: u64,
    pub id: Option<UserId>,
    pub user_principal_name: String,
    pub display_name: String,
    pub mail: Option<String>,
    pub mobile_phone: Option<String>,
    pub user_type: Option<UserType>,
    pub account_enabled: Option<bool>,
    /// Further Graph properties (`department`, `jobTitle`, …).
    pub attributes: Map<String, Value>,
    pub groups: Vec<GroupRef>,
}

/// A valid group row.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub line: u64,
    pub id: Option<GroupId>,
    pub display_name: String,
    pub description: Option<String>,
    pub mail_nickname: Option<String>,
    /// Parent groups (nesting): this group becomes their member.
    pub member_of: Vec<GroupRef>,
}
