//! A groups-file record to a [`GroupRow`].

use portcullis_core::GroupId;

use super::properties::{GroupProperty, Lookup, group_property, unknown_message};
use super::values::{MAX_ATTRIBUTE, MAX_DISPLAY_NAME, bounded_text, group_refs, text};
use crate::input::RawRecord;
use crate::row::{GroupRef, GroupRow, InputFile, RowError};

pub(crate) fn group_row(record: RawRecord) -> Result<GroupRow, Vec<RowError>> {
    let line = record.line;
    let mut errors = Vec::new();
    let mut row = GroupRow {
        line,
        id: None,
        display_name: String::new(),
        description: None,
        mail_nickname: None,
        member_of: Vec::new(),
    };
    for (name, value) in record.fields {
        let property = match group_property(&name) {
            Lookup::Known(property) => property,
            Lookup::Ignored => continue,
            Lookup::Refused(why) => {
                errors.push(RowError::new(InputFile::Groups, line, Some(&name), why));
                continue;
            }
            Lookup::Unknown => {
                let message = unknown_message(InputFile::Groups, &name);
                errors.push(RowError::new(InputFile::Groups, line, Some(&name), message));
                continue;
            }
        };
        let outcome = match property {
            GroupProperty::Id => text(value).and_then(|t| {
                GroupId::parse(&t)
                    .map(|id| row.id = Some(id))
                    .map_err(|e| e.to_string())
            }),
            GroupProperty::DisplayName => bounded_text(value, MAX_DISPLAY_NAME)
                .map(|t| row.display_name = t.unwrap_or_default()),
            GroupProperty::Description => {
                bounded_text(value, MAX_ATTRIBUTE).map(|t| row.description = t)
            }
            GroupProperty::MailNickname => bounded_text(value, 64).and_then(|t| {
                if t.as_deref()
                    .is_some_and(|n| n.chars().any(char::is_whitespace))
                {
                    return Err("must not contain spaces".into());
                }
                row.mail_nickname = t;
                Ok(())
            }),
            GroupProperty::MemberOf => group_refs(value).map(|refs| row.member_of = refs),
        };
        if let Err(message) = outcome {
            errors.push(RowError::new(InputFile::Groups, line, Some(&name), message));
        }
    }
    if row.display_name.is_empty()
        && !errors.iter().any(|e| {
            e.field
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case("displayName"))
        })
    {
        errors.push(RowError::new(
            InputFile::Groups,
            line,
            Some("displayName"),
            "required, but empty or missing",
        ));
    }
    let names_itself = row.member_of.iter().any(|parent| match parent {
        GroupRef::Id(id) => row.id.as_ref() == Some(id),
        GroupRef::Name(name) => name.to_lowercase() == row.display_name.to_lowercase(),
    });
    if names_itself {
        errors.push(RowError::new(
            InputFile::Groups,
            line,
            Some("memberOf"),
            "a group cannot be a member of itself",
        ));
    }
    if errors.is_empty() {
        Ok(row)
    } else {
        Err(errors)
    }
}
