//! Users in the Graph `user` shape (the subset Portcullis manages).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::audit::ModifiedProperty;
use crate::ids::UserId;

/// Graph `userType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UserType {
    Member,
    Guest,
}

impl UserType {
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Member => "member",
            UserType::Guest => "guest",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "member" => Some(UserType::Member),
            "guest" => Some(UserType::Guest),
            _ => None,
        }
    }
}

/// A directory user. Serialises to the Graph `user` JSON shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    /// Unique, compared case-insensitively (as Graph does).
    pub user_principal_name: String,
    pub display_name: String,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub mobile_phone: Option<String>,
    pub user_type: UserType,
    pub account_enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    /// Further Graph properties (`department`, `jobTitle`, `country`, extension
    /// attributes …) kept as given, so new attributes need no schema change.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub attributes: Map<String, Value>,
}

impl User {
    /// The audited standard properties that differ between `old` and `self`, in the Graph
    /// `modifiedProperty` shape (every writer — admin API, bulk import — uses this one
    /// list; free-form attributes are recorded by the caller, which knows which it set).
    pub fn changes_since(&self, old: &User) -> Vec<ModifiedProperty> {
        let mut changes = Vec::new();
        ModifiedProperty::push_if_changed(
            &mut changes,
            "userPrincipalName",
            Some(old.user_principal_name.clone()),
            Some(self.user_principal_name.clone()),
        );
        ModifiedProperty::push_if_changed(
            &mut changes,
            "displayName",
            Some(old.display_name.clone()),
            Some(self.display_name.clone()),
        );
        ModifiedProperty::push_if_changed(
            &mut changes,
            "mail",
            old.mail.clone(),
            self.mail.clone(),
        );
        ModifiedProperty::push_if_changed(
            &mut changes,
            "mobilePhone",
            old.mobile_phone.clone(),
            self.mobile_phone.clone(),
        );
        ModifiedProperty::push_if_changed(
            &mut changes,
            "userType",
            Some(old.user_type.as_str().into()),
            Some(self.user_type.as_str().into()),
        );
        ModifiedProperty::push_if_changed(
            &mut changes,
            "accountEnabled",
            Some(old.account_enabled.to_string()),
            Some(self.account_enabled.to_string()),
        );
        changes
    }

    /// The form used for uniqueness and case-insensitive lookups.
    pub fn normalized_upn(&self) -> String {
        normalize_upn(&self.user_principal_name)
    }
}

/// Lower-cases a userPrincipalName for uniqueness and lookups.
pub fn normalize_upn(upn: &str) -> String {
    upn.trim().to_lowercase()
}

/// A userPrincipalName that is not `local@domain`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("userPrincipalName {0:?} is not of the form name@domain")]
pub struct InvalidUpn(pub String);

/// Checks the `local@domain` form Graph requires (no spaces, one `@`, non-empty parts).
pub fn validate_upn(upn: &str) -> Result<(), InvalidUpn> {
    let mut parts = upn.split('@');
    let ok = match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && !domain.is_empty()
                && !upn.chars().any(char::is_whitespace)
                && upn.len() <= 113
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(InvalidUpn(upn.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upn_validation() {
        assert!(validate_upn("ada@example.com").is_ok());
        assert!(validate_upn("ada").is_err());
        assert!(validate_upn("a@b@c").is_err());
        assert!(validate_upn("@example.com").is_err());
        assert!(validate_upn("ada @example.com").is_err());
        assert_eq!(normalize_upn(" Ada@Example.COM "), "ada@example.com");
    }

    #[test]
    fn serialises_in_graph_shape() {
        let user = User {
            id: UserId::from_uuid(uuid::Uuid::nil()),
            user_principal_name: "ada@example.com".into(),
            display_name: "Ada".into(),
            mail: None,
            mobile_phone: Some("+1 555".into()),
            user_type: UserType::Guest,
            account_enabled: true,
            created_date_time: time::macros::datetime!(2026-01-02 03:04:05 UTC),
            attributes: Map::new(),
        };
        let json = serde_json::to_value(&user).unwrap();
        assert_eq!(json["userPrincipalName"], "ada@example.com");
        assert_eq!(json["userType"], "guest");
        assert_eq!(json["mobilePhone"], "+1 555");
        assert_eq!(json["createdDateTime"], "2026-01-02T03:04:05Z");
        let back: User = serde_json::from_value(json).unwrap();
        assert_eq!(back, user);
    }

    #[test]
    fn changes_since_lists_exactly_the_changed_properties() {
        let old = User {
            id: UserId::from_uuid(uuid::Uuid::nil()),
            user_principal_name: "ada@example.com".into(),
            display_name: "Ada".into(),
            mail: None,
            mobile_phone: None,
            user_type: UserType::Member,
            account_enabled: true,
            created_date_time: time::macros::datetime!(2026-01-02 03:04:05 UTC),
            attributes: Map::new(),
        };
        assert!(old.changes_since(&old).is_empty());
        let mut new = old.clone();
        new.display_name = "Ada L.".into();
        new.mail = Some("ada@example.com".into());
        new.account_enabled = false;
        let changes = new.changes_since(&old);
        let summary: Vec<_> = changes
            .iter()
            .map(|c| {
                (
                    c.display_name.as_str(),
                    c.old_value.as_deref(),
                    c.new_value.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("displayName", Some("Ada"), Some("Ada L.")),
                ("mail", None, Some("ada@example.com")),
                ("accountEnabled", Some("true"), Some("false")),
            ]
        );
    }
}
