//! The properties (CSV columns, JSON members) each file may have, by Graph name,
//! matched case-insensitively as Graph does.

use crate::row::InputFile;

/// A users-file property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserProperty {
    Id,
    UserPrincipalName,
    DisplayName,
    Mail,
    MobilePhone,
    UserType,
    AccountEnabled,
    /// `;`-separated group display names or ids the user becomes a direct member of.
    Groups,
    /// A further Graph string property, kept in the user's attributes.
    Attribute(&'static str),
    /// A further Graph string-collection property (`;`-separated in CSV).
    ListAttribute(&'static str),
}

/// A groups-file property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupProperty {
    Id,
    DisplayName,
    Description,
    MailNickname,
    /// `;`-separated parent group display names or ids (nesting).
    MemberOf,
}

/// What a property name means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup<P> {
    Known(P),
    /// Annotations such as `@odata.type` in Graph exports.
    Ignored,
    /// Deliberately not importable; the text says why.
    Refused(&'static str),
    Unknown,
}

/// Initial passwords are not imported, by design (see the crate documentation).
pub(crate) const PASSWORD_REFUSED: &str = "initial passwords are not imported (a file of clear-text passwords is a secret left on disk); remove this column and let imported users sign in first with a Temporary Access Pass or self-service password reset";

const USER_CORE: &[(&str, UserProperty)] = &[
    ("id", UserProperty::Id),
    ("userPrincipalName", UserProperty::UserPrincipalName),
    ("displayName", UserProperty::DisplayName),
    ("mail", UserProperty::Mail),
    ("mobilePhone", UserProperty::MobilePhone),
    ("userType", UserProperty::UserType),
    ("accountEnabled", UserProperty::AccountEnabled),
    ("groups", UserProperty::Groups),
];

/// Graph `user` string properties kept as attributes.
const USER_TEXT_ATTRIBUTES: &[&str] = &[
    "givenName",
    "surname",
    "jobTitle",
    "department",
    "officeLocation",
    "companyName",
    "employeeId",
    "employeeType",
    "city",
    "state",
    "country",
    "streetAddress",
    "postalCode",
    "usageLocation",
    "preferredLanguage",
    "mailNickname",
];

/// Graph `user` string-collection properties kept as attributes.
const USER_LIST_ATTRIBUTES: &[&str] = &["businessPhones", "otherMails"];

const GROUP_PROPERTIES: &[(&str, GroupProperty)] = &[
    ("id", GroupProperty::Id),
    ("displayName", GroupProperty::DisplayName),
    ("description", GroupProperty::Description),
    ("mailNickname", GroupProperty::MailNickname),
    ("memberOf", GroupProperty::MemberOf),
];

fn is_annotation(name: &str) -> bool {
    name.starts_with('@')
}

fn is_password(name: &str) -> bool {
    ["password", "passwordProfile"]
        .iter()
        .any(|p| p.eq_ignore_ascii_case(name))
}

pub(crate) fn user_property(name: &str) -> Lookup<UserProperty> {
    if is_annotation(name) {
        return Lookup::Ignored;
    }
    if is_password(name) {
        return Lookup::Refused(PASSWORD_REFUSED);
    }
    if let Some((_, p)) = USER_CORE.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Lookup::Known(*p);
    }
    if let Some(n) = USER_TEXT_ATTRIBUTES
        .iter()
        .find(|n| n.eq_ignore_ascii_case(name))
    {
        return Lookup::Known(UserProperty::Attribute(n));
    }
    if let Some(n) = USER_LIST_ATTRIBUTES
        .iter()
        .find(|n| n.eq_ignore_ascii_case(name))
    {
        return Lookup::Known(UserProperty::ListAttribute(n));
    }
    Lookup::Unknown
}

pub(crate) fn group_property(name: &str) -> Lookup<GroupProperty> {
    if is_annotation(name) {
        return Lookup::Ignored;
    }
    match GROUP_PROPERTIES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some((_, p)) => Lookup::Known(*p),
        None => Lookup::Unknown,
    }
}

fn known_names(file: InputFile) -> String {
    let names: Vec<&str> = match file {
        InputFile::Users => USER_CORE
            .iter()
            .map(|(n, _)| *n)
            .chain(USER_TEXT_ATTRIBUTES.iter().copied())
            .chain(USER_LIST_ATTRIBUTES.iter().copied())
            .collect(),
        InputFile::Groups => GROUP_PROPERTIES.iter().map(|(n, _)| *n).collect(),
    };
    names.join(", ")
}

/// The message for a property the file kind does not know.
pub(crate) fn unknown_message(file: InputFile, name: &str) -> String {
    format!(
        "unknown property {name:?}; the {} file takes these Graph property names: {}",
        file.as_str(),
        known_names(file)
    )
}

/// Checks a CSV header row: every column known, none twice, the required ones present.
/// A bad header stops the import before anything is written: a misspelt column would
/// otherwise silently drop its data from every row.
pub(crate) fn check_header(file: InputFile, headers: &[String]) -> Result<(), String> {
    let mut seen: Vec<String> = Vec::with_capacity(headers.len());
    for (index, name) in headers.iter().enumerate() {
        if name.is_empty() {
            return Err(format!("header column {} has no name", index + 1));
        }
        let canonical = match file {
            InputFile::Users => match user_property(name) {
                Lookup::Known(_) | Lookup::Ignored => name.to_ascii_lowercase(),
                Lookup::Refused(why) => return Err(format!("column {name:?}: {why}")),
                Lookup::Unknown => return Err(unknown_message(file, name)),
            },
            InputFile::Groups => match group_property(name) {
                Lookup::Known(_) | Lookup::Ignored => name.to_ascii_lowercase(),
                Lookup::Refused(why) => return Err(format!("column {name:?}: {why}")),
                Lookup::Unknown => return Err(unknown_message(file, name)),
            },
        };
        if seen.contains(&canonical) {
            return Err(format!("column {name:?} appears twice in the header"));
        }
        seen.push(canonical);
    }
    let required: &[&str] = match file {
        InputFile::Users => &["userPrincipalName", "displayName"],
        InputFile::Groups => &["displayName"],
    };
    for name in required {
        if !seen.contains(&name.to_ascii_lowercase()) {
            return Err(format!("the header has no {name} column (it is required)"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn header_rules() {
        assert!(
            check_header(
                InputFile::Users,
                &header(&["UserPrincipalName", "displayname", "Department"])
            )
            .is_ok()
        );
        let err = check_header(
            InputFile::Users,
            &header(&["userPrincipalName", "displayName", "password"]),
        )
        .unwrap_err();
        assert!(err.contains("passwords are not imported"), "{err}");
        let err = check_header(
            InputFile::Users,
            &header(&["userPrincipalName", "dispalyName"]),
        )
        .unwrap_err();
        assert!(err.contains("unknown property \"dispalyName\""), "{err}");
        let err = check_header(
            InputFile::Users,
            &header(&["userPrincipalName", "displayName", "MAIL", "mail"]),
        )
        .unwrap_err();
        assert!(err.contains("twice"), "{err}");
        let err = check_header(InputFile::Users, &header(&["userPrincipalName"])).unwrap_err();
        assert!(err.contains("no displayName column"), "{err}");
        assert!(
            check_header(
                InputFile::Groups,
                &header(&["id", "displayName", "memberOf"])
            )
            .is_ok()
        );
        assert!(check_header(InputFile::Groups, &header(&["displayName", "groups"])).is_err());
    }
}
