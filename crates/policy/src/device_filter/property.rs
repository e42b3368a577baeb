//! The device properties a filter can test and the operators each one allows
//! (`shared/reference/entra.md` §2.6, table "Properties and the operators they allow").

use std::fmt;

use super::operator::Operator;

/// Which `extensionAttributeN` a rule names: always 1 to 15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtensionAttributeNumber(u8);

impl ExtensionAttributeNumber {
    /// The lowest extension attribute number Entra defines.
    pub const FIRST: u8 = 1;
    /// The highest extension attribute number Entra defines.
    pub const LAST: u8 = 15;

    /// `Some` for 1 to 15, `None` otherwise.
    pub fn new(number: u8) -> Option<Self> {
        (Self::FIRST..=Self::LAST)
            .contains(&number)
            .then_some(Self(number))
    }

    /// The number, 1 to 15.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// A device property a filter rule can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceProperty {
    DeviceId,
    DisplayName,
    DeviceOwnership,
    EnrollmentProfileName,
    IsCompliant,
    Manufacturer,
    Model,
    OperatingSystem,
    OperatingSystemVersion,
    MdmAppId,
    PhysicalIds,
    ProfileType,
    SystemLabels,
    TrustType,
    ExtensionAttribute(ExtensionAttributeNumber),
}

/// What kind of value a property holds, which decides the operand a rule must give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyKind {
    /// A single string.
    Text,
    /// `True` or `False` (only `isCompliant`).
    Boolean,
    /// A collection of strings (`physicalIds`, `systemLabels`).
    TextCollection,
}

/// Every string operator: "all string ops" in the §2.6 table.
const ALL_STRING_OPERATORS: &[Operator] = &[
    Operator::Eq,
    Operator::Ne,
    Operator::StartsWith,
    Operator::NotStartsWith,
    Operator::EndsWith,
    Operator::NotEndsWith,
    Operator::Contains,
    Operator::NotContains,
    Operator::In,
    Operator::NotIn,
];
/// Identifiers (GUIDs) only compare whole.
const IDENTIFIER_OPERATORS: &[Operator] =
    &[Operator::Eq, Operator::Ne, Operator::In, Operator::NotIn];
/// Enumerated values and booleans.
const EQUALITY_OPERATORS: &[Operator] = &[Operator::Eq, Operator::Ne];
/// String collections test membership only.
const COLLECTION_OPERATORS: &[Operator] = &[Operator::Contains, Operator::NotContains];

/// The fixed (non-extension-attribute) properties with their canonical names.
const FIXED_PROPERTIES: [(DeviceProperty, &str); 14] = [
    (DeviceProperty::DeviceId, "deviceId"),
    (DeviceProperty::DisplayName, "displayName"),
    (DeviceProperty::DeviceOwnership, "deviceOwnership"),
    (
        DeviceProperty::EnrollmentProfileName,
        "enrollmentProfileName",
    ),
    (DeviceProperty::IsCompliant, "isCompliant"),
    (DeviceProperty::Manufacturer, "manufacturer"),
    (DeviceProperty::Model, "model"),
    (DeviceProperty::OperatingSystem, "operatingSystem"),
    (
        DeviceProperty::OperatingSystemVersion,
        "operatingSystemVersion",
    ),
    (DeviceProperty::MdmAppId, "mdmAppId"),
    (DeviceProperty::PhysicalIds, "physicalIds"),
    (DeviceProperty::ProfileType, "profileType"),
    (DeviceProperty::SystemLabels, "systemLabels"),
    (DeviceProperty::TrustType, "trustType"),
];

const EXTENSION_ATTRIBUTE_PREFIX: &str = "extensionattribute";

impl DeviceProperty {
    /// Every property, extension attributes 1 to 15 included.
    pub fn all() -> impl Iterator<Item = DeviceProperty> {
        FIXED_PROPERTIES
            .iter()
            .map(|(property, _)| *property)
            .chain(
                (ExtensionAttributeNumber::FIRST..=ExtensionAttributeNumber::LAST)
                    .filter_map(ExtensionAttributeNumber::new)
                    .map(DeviceProperty::ExtensionAttribute),
            )
    }

    /// Looks a property up by the name after `device.`, ignoring case: Microsoft's own
    /// examples write both `device.deviceId` and `device.deviceid`.
    pub fn from_name(name: &str) -> Option<Self> {
        if let Some((property, _)) = FIXED_PROPERTIES
            .iter()
            .find(|(_, canonical)| canonical.eq_ignore_ascii_case(name))
        {
            return Some(*property);
        }
        let prefix = name.get(..EXTENSION_ATTRIBUTE_PREFIX.len())?;
        if !prefix.eq_ignore_ascii_case(EXTENSION_ATTRIBUTE_PREFIX) {
            return None;
        }
        let digits = &name[EXTENSION_ATTRIBUTE_PREFIX.len()..];
        // Reject "extensionAttribute01" and "+1": only the canonical spelling of 1..=15.
        if digits.is_empty()
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let number = digits.parse::<u8>().ok()?;
        ExtensionAttributeNumber::new(number).map(DeviceProperty::ExtensionAttribute)
    }

    /// What kind of value the property holds.
    pub fn kind(self) -> PropertyKind {
        match self {
            DeviceProperty::IsCompliant => PropertyKind::Boolean,
            DeviceProperty::PhysicalIds | DeviceProperty::SystemLabels => {
                PropertyKind::TextCollection
            }
            _ => PropertyKind::Text,
        }
    }

    /// The operators the property allows, in the order error messages list them.
    pub fn allowed_operators(self) -> &'static [Operator] {
        match self {
            DeviceProperty::DeviceId | DeviceProperty::MdmAppId => IDENTIFIER_OPERATORS,
            DeviceProperty::DeviceOwnership
            | DeviceProperty::IsCompliant
            | DeviceProperty::ProfileType
            | DeviceProperty::TrustType => EQUALITY_OPERATORS,
            DeviceProperty::PhysicalIds | DeviceProperty::SystemLabels => COLLECTION_OPERATORS,
            DeviceProperty::DisplayName
            | DeviceProperty::EnrollmentProfileName
            | DeviceProperty::Manufacturer
            | DeviceProperty::Model
            | DeviceProperty::OperatingSystem
            | DeviceProperty::OperatingSystemVersion
            | DeviceProperty::ExtensionAttribute(_) => ALL_STRING_OPERATORS,
        }
    }

    /// Whether `operator` may be used with this property.
    pub fn allows(self, operator: Operator) -> bool {
        self.allowed_operators().contains(&operator)
    }
}

/// Prints the canonical form, e.g. `device.displayName`, `device.extensionAttribute3`.
impl fmt::Display for DeviceProperty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let DeviceProperty::ExtensionAttribute(number) = self {
            return write!(f, "device.extensionAttribute{}", number.get());
        }
        let name = FIXED_PROPERTIES
            .iter()
            .find(|(property, _)| property == self)
            .map_or("unknown", |(_, name)| name);
        write!(f, "device.{name}")
    }
}
