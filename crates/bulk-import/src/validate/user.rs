//! A users-file record to a [`UserRow`].

use portcullis_core::{UserId, UserType};
use serde_json::Value;

use super::properties::{Lookup, UserProperty, unknown_message, user_property};
use super::values::{
    MAX_ATTRIBUTE, MAX_DISPLAY_NAME, boolean, bounded_text, group_refs, list, mail, text,
};
use crate::input::RawRecord;
use crate::row::{InputFile, RowError, UserRow};

/// Validates one record; every problem of the row is reported, not just the first.
pub(crate) fn user_row(record: RawRecord) -> Result<UserRow, Vec<RowError>> {
    let line = record.line;
    let mut errors = Vec::new();
    let mut row = UserRow {
        line,
        id: None,
        user_principal_name: String::new(),
        display_name: String::new(),
        mail: None,
        mobile_phone: None,
        user_type: None,
        account_enabled: None,
        attributes: serde_json::Map::new(),
        groups: Vec::new(),
    };
    for (name, value) in record.fields {
        let property = match user_property(&name) {
            Lookup::Known(property) => property,
            Lookup::Ignored => continue,
            Lookup::Refused(why) => {
                errors.push(RowError::new(InputFile::Users, line, Some(&name), why));
                continue;
            }
            Lookup::Unknown => {
                errors.push(RowError::new(
                    InputFile::Users,
                    line,
                    Some(&name),
                    unknown_message(InputFile::Users, &name),
                ));
                continue;
            }
        };
        let outcome = match property {
            UserProperty::Id => text(value).and_then(|t| {
                UserId::parse(&t)
                    .map(|id| row.id = Some(id))
                    .map_err(|e| e.to_string())
            }),
            UserProperty::UserPrincipalName => text(value).and_then(|t| {
                portcullis_core::user::validate_upn(&t).map_err(|e| e.to_string())?;
                row.user_principal_name = t;
                Ok(())
            }),
            UserProperty::DisplayName => bounded_text(value, MAX_DISPLAY_NAME)
                .map(|t| row.display_name = t.unwrap_or_default()),
            UserProperty::Mail => mail(value).map(|m| row.mail = m),
            UserProperty::MobilePhone => bounded_text(value, 64).map(|t| row.mobile_phone = t),
            UserProperty::UserType => text(value).and_then(|t| {
                UserType::parse(&t)
                    .map(|ty| row.user_type = Some(ty))
                    .ok_or_else(|| format!("{t:?} is not a userType (member or guest)"))
            }),
            UserProperty::AccountEnabled => boolean(value).map(|b| row.account_enabled = Some(b)),
            UserProperty::Groups => group_refs(value).map(|g| row.groups = g),
            UserProperty::Attribute(graph_name) => bounded_text(value, MAX_ATTRIBUTE).map(|t| {
                if let Some(t) = t {
                    row.attributes
                        .insert(graph_name.to_owned(), Value::String(t));
                }
            }),
            UserProperty::ListAttribute(graph_name) => list(value).map(|items| {
                if !items.is_empty() {
                    row.attributes.insert(
                        graph_name.to_owned(),
                        Value::Array(items.into_iter().map(Value::String).collect()),
                    );
                }
            }),
        };
        if let Err(message) = outcome {
            errors.push(RowError::new(InputFile::Users, line, Some(&name), message));
        }
    }
    let failed = |errors: &[RowError], field: &str| {
        errors.iter().any(|e| {
            e.field
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case(field))
        })
    };
    if row.user_principal_name.is_empty() && !failed(&errors, "userPrincipalName") {
        errors.push(RowError::new(
            InputFile::Users,
            line,
            Some("userPrincipalName"),
            "required, but empty or missing",
        ));
    }
    if row.display_name.is_empty() && !failed(&errors, "displayName") {
        errors.push(RowError::new(
            InputFile::Users,
            line,
            Some("displayName"),
            "required, but empty or missing",
        ));
    }
    if errors.is_empty() {
        Ok(row)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::RawValue;
    use crate::row::GroupRef;

    fn record(fields: &[(&str, RawValue)]) -> RawRecord {
        RawRecord {
            line: 7,
            fields: fields
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect(),
        }
    }

    fn t(s: &str) -> RawValue {
        RawValue::Text(s.into())
    }

    #[test]
    fn valid_row_with_every_kind_of_property() {
        let row = user_row(record(&[
            ("userPrincipalName", t("ada@example.com")),
            ("displayName", t(" Ada Lovelace ")),
            ("userType", t("Guest")),
            ("accountEnabled", t("no")),
            (
                "groups",
                t("Engineers; 62e90394-69f5-4237-9190-012177145e10;;Engineers"),
            ),
            ("Department", t("R&D")),
            ("businessPhones", RawValue::List(vec!["+1 555".into()])),
            ("@odata.type", t("#microsoft.graph.user")),
        ]))
        .unwrap();
        assert_eq!(row.display_name, "Ada Lovelace");
        assert_eq!(row.user_type, Some(UserType::Guest));
        assert_eq!(row.account_enabled, Some(false));
        assert_eq!(row.groups.len(), 2);
        assert_eq!(row.groups[0], GroupRef::Name("Engineers".into()));
        assert!(matches!(row.groups[1], GroupRef::Id(_)));
        assert_eq!(row.attributes["department"], "R&D");
        assert_eq!(row.attributes["businessPhones"][0], "+1 555");
    }

    #[test]
    fn every_problem_of_a_row_is_reported_with_its_field() {
        let errors = user_row(record(&[
            ("userPrincipalName", t("not-an-upn")),
            ("userType", t("admin")),
            ("accountEnabled", t("maybe")),
            ("mail", t("x y@z")),
            ("passwordProfile", t("secret")),
            ("favouriteColour", t("blue")),
        ]))
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(
            fields,
            [
                "userPrincipalName",
                "userType",
                "accountEnabled",
                "mail",
                "passwordProfile",
                "favouriteColour",
                "displayName"
            ]
        );
        assert!(errors.iter().all(|e| e.line == 7));
        assert!(errors[1].message.contains("member or guest"));
    }
}
