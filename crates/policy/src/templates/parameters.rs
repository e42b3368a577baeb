//! Template parameters: `key=value` pairs (`breakGlassGroup=…`, `excludeUsers=a,b`, …),
//! checked against what each template accepts and parsed into typed values.
//!
//! Keys match case-insensitively. List parameters take comma-separated values and may be
//! repeated (the values add up); other parameters may be given once.

use crate::model::{DevicePlatform, PolicyState, RiskLevel, special};

use super::TemplateError;

/// What values a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterKind {
    /// A list of object IDs (GUIDs).
    Ids,
    /// One object ID (GUID).
    Id,
    /// A list of application IDs (GUIDs), `Office365` or `MicrosoftAdminPortals`.
    Applications,
    /// A list of named-location IDs (GUIDs) or `AllTrusted`.
    Locations,
    /// `true` or `false`.
    Bool,
    /// Free text (not empty).
    Text,
    /// `enabled`, `disabled`, `enabledForReportingButNotEnforced` (or `reportOnly`).
    State,
    /// A list of device platforms (`android`, `iOS`, `windows`, `macOS`, `linux`, `windowsPhone`).
    Platforms,
    /// A list of risk levels (`low`, `medium`, `high`).
    RiskLevels,
    /// A whole number of hours, 1 to 23.
    Hours,
}

impl ParameterKind {
    /// Short words for listings and messages.
    pub fn describe(self) -> &'static str {
        match self {
            ParameterKind::Ids => "object IDs, comma-separated",
            ParameterKind::Id => "an object ID",
            ParameterKind::Applications => {
                "application IDs, Office365 or MicrosoftAdminPortals, comma-separated"
            }
            ParameterKind::Locations => "named-location IDs or AllTrusted, comma-separated",
            ParameterKind::Bool => "true or false",
            ParameterKind::Text => "text",
            ParameterKind::State => "enabled, disabled or enabledForReportingButNotEnforced",
            ParameterKind::Platforms => "device platforms, comma-separated",
            ParameterKind::RiskLevels => "low, medium, high, comma-separated",
            ParameterKind::Hours => "hours, 1 to 23",
        }
    }
}

/// A parameter a template accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParameterSpec {
    /// The key (`breakGlassGroup`).
    pub name: &'static str,
    /// What values it takes.
    pub kind: ParameterKind,
    /// What it does, and its default.
    pub description: &'static str,
}

/// `excludeUsers`: users to exclude, typically the creating admin and break-glass accounts.
pub const EXCLUDE_USERS: &str = "excludeUsers";
/// `breakGlassGroup`: the group holding the emergency-access accounts.
pub const BREAK_GLASS_GROUP: &str = "breakGlassGroup";
/// `excludeGroups`: more groups to exclude.
pub const EXCLUDE_GROUPS: &str = "excludeGroups";
/// `excludeRoles`: directory roles to exclude.
pub const EXCLUDE_ROLES: &str = "excludeRoles";
/// `state`: the new policy's state.
pub const STATE: &str = "state";
/// `displayName`: the new policy's name.
pub const DISPLAY_NAME: &str = "displayName";

/// The parameters every template accepts.
pub const COMMON: [ParameterSpec; 6] = [
    ParameterSpec {
        name: EXCLUDE_USERS,
        kind: ParameterKind::Ids,
        description: "users to exclude: the break-glass accounts and the creating admin (Entra's templates exclude the current admin)",
    },
    ParameterSpec {
        name: BREAK_GLASS_GROUP,
        kind: ParameterKind::Id,
        description: "the group of emergency-access (break-glass) accounts, excluded",
    },
    ParameterSpec {
        name: EXCLUDE_GROUPS,
        kind: ParameterKind::Ids,
        description: "more groups to exclude",
    },
    ParameterSpec {
        name: EXCLUDE_ROLES,
        kind: ParameterKind::Ids,
        description: "directory role template IDs to exclude",
    },
    ParameterSpec {
        name: STATE,
        kind: ParameterKind::State,
        description: "the policy state; default enabledForReportingButNotEnforced (report-only)",
    },
    ParameterSpec {
        name: DISPLAY_NAME,
        kind: ParameterKind::Text,
        description: "the policy name; default the template's name",
    },
];

/// Parameters for [`super::Template::instantiate`], as `key=value` pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateParameters {
    pairs: Vec<(String, String)>,
}

impl TemplateParameters {
    /// No parameters: every default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `key=value` arguments (as given to `--param`).
    pub fn parse<I, S>(arguments: I) -> Result<Self, TemplateError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut parameters = Self::new();
        for argument in arguments {
            let argument = argument.as_ref();
            let (key, value) = argument
                .split_once('=')
                .ok_or_else(|| TemplateError::MalformedParameter(argument.to_owned()))?;
            let key = key.trim();
            if key.is_empty() {
                return Err(TemplateError::MalformedParameter(argument.to_owned()));
            }
            parameters = parameters.with(key, value);
        }
        Ok(parameters)
    }

    /// Adds one `key=value` pair.
    #[must_use]
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.pairs
            .push((key.trim().to_owned(), value.trim().to_owned()));
        self
    }

    /// The keys given, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(key, _)| key.as_str())
    }

    /// Every value given for `name`.
    fn raw(&self, name: &str) -> impl Iterator<Item = &str> {
        self.pairs
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The one value of a single-valued parameter, if given.
    fn single(&self, name: &str) -> Result<Option<&str>, TemplateError> {
        let mut values = self.raw(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(TemplateError::Repeated(name.to_owned()));
        }
        match first {
            Some("") => Err(invalid(name, "the value is empty")),
            other => Ok(other),
        }
    }

    /// The comma-separated items of a list parameter, over every occurrence.
    fn items(&self, name: &str) -> Result<Vec<&str>, TemplateError> {
        let mut items = Vec::new();
        for value in self.raw(name) {
            for item in value.split(',').map(str::trim) {
                if item.is_empty() {
                    return Err(invalid(name, "an empty item in the list"));
                }
                if !items.contains(&item) {
                    items.push(item);
                }
            }
        }
        Ok(items)
    }

    /// A list of object IDs.
    pub(crate) fn ids(&self, name: &str) -> Result<Vec<String>, TemplateError> {
        self.items(name)?
            .into_iter()
            .map(|item| object_id(name, item))
            .collect()
    }

    /// One object ID.
    pub(crate) fn id(&self, name: &str) -> Result<Option<String>, TemplateError> {
        self.single(name)?
            .map(|item| object_id(name, item))
            .transpose()
    }

    /// A list of IDs that may also hold some special values (matched exactly as Graph
    /// writes them).
    pub(crate) fn ids_or_specials(
        &self,
        name: &str,
        specials: &[&str],
    ) -> Result<Vec<String>, TemplateError> {
        self.items(name)?
            .into_iter()
            .map(
                |item| match specials.iter().find(|s| s.eq_ignore_ascii_case(item)) {
                    Some(special) => Ok((*special).to_owned()),
                    None => object_id(name, item),
                },
            )
            .collect()
    }

    /// Application IDs, `Office365` or `MicrosoftAdminPortals`.
    pub(crate) fn applications(&self, name: &str) -> Result<Vec<String>, TemplateError> {
        self.ids_or_specials(name, special::EXCLUDE_APPLICATIONS_SPECIALS)
    }

    /// Named-location IDs or `AllTrusted`.
    pub(crate) fn locations(&self, name: &str) -> Result<Vec<String>, TemplateError> {
        self.ids_or_specials(name, &[special::ALL_TRUSTED])
    }

    /// A boolean.
    pub(crate) fn flag(&self, name: &str) -> Result<Option<bool>, TemplateError> {
        self.single(name)?
            .map(|value| match value.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(invalid(name, &format!("'{value}' is not true or false"))),
            })
            .transpose()
    }

    /// Free text.
    pub(crate) fn text(&self, name: &str) -> Result<Option<String>, TemplateError> {
        Ok(self.single(name)?.map(str::to_owned))
    }

    /// A policy state; `reportOnly` is accepted for `enabledForReportingButNotEnforced`.
    pub(crate) fn state(&self, name: &str) -> Result<Option<PolicyState>, TemplateError> {
        self.single(name)?
            .map(|value| {
                if value.eq_ignore_ascii_case("reportOnly") {
                    return Ok(PolicyState::EnabledForReportingButNotEnforced);
                }
                match PolicyState::from_wire(value) {
                    PolicyState::Other(_) => Err(invalid(
                        name,
                        &format!("'{value}' is not {}", ParameterKind::State.describe()),
                    )),
                    state => Ok(state),
                }
            })
            .transpose()
    }

    /// Concrete device platforms (not `all`).
    pub(crate) fn platforms(
        &self,
        name: &str,
    ) -> Result<Option<Vec<DevicePlatform>>, TemplateError> {
        let items = self.items(name)?;
        if items.is_empty() {
            return Ok(None);
        }
        items
            .into_iter()
            .map(|item| match DevicePlatform::from_wire(item) {
                platform @ (DevicePlatform::Android
                | DevicePlatform::IOs
                | DevicePlatform::Windows
                | DevicePlatform::WindowsPhone
                | DevicePlatform::MacOs
                | DevicePlatform::Linux) => Ok(platform),
                _ => Err(invalid(
                    name,
                    &format!(
                        "'{item}' is not a device platform (android, iOS, windows, windowsPhone, macOS, linux)"
                    ),
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// Risk levels `low`, `medium`, `high`.
    pub(crate) fn risk_levels(&self, name: &str) -> Result<Option<Vec<RiskLevel>>, TemplateError> {
        let items = self.items(name)?;
        if items.is_empty() {
            return Ok(None);
        }
        items
            .into_iter()
            .map(|item| match RiskLevel::from_wire(item) {
                level @ (RiskLevel::Low | RiskLevel::Medium | RiskLevel::High) => Ok(level),
                _ => Err(invalid(
                    name,
                    &format!("'{item}' is not a risk level (low, medium, high)"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A whole number of hours from 1 to 23 (what the portal offers).
    pub(crate) fn hours(&self, name: &str) -> Result<Option<i32>, TemplateError> {
        self.single(name)?
            .map(|value| match value.parse::<i32>() {
                Ok(hours @ 1..=23) => Ok(hours),
                _ => Err(invalid(
                    name,
                    &format!("'{value}' is not a whole number of hours from 1 to 23"),
                )),
            })
            .transpose()
    }
}

fn invalid(name: &str, reason: &str) -> TemplateError {
    TemplateError::InvalidValue {
        name: name.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Directory object IDs are GUIDs in the hyphenated form Graph writes; anything else is
/// almost certainly a display name typed by mistake, which would silently exclude nobody.
fn object_id(name: &str, value: &str) -> Result<String, TemplateError> {
    let hyphenated = value.len() == 36 && value.matches('-').count() == 4;
    if hyphenated && uuid::Uuid::try_parse(value).is_ok() {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(invalid(
            name,
            &format!(
                "'{value}' is not an object ID (a GUID such as 62e90394-69f5-4237-9190-012177145e10)"
            ),
        ))
    }
}
