//! The device a filter is evaluated against.

use serde::{Deserialize, Serialize};

use super::property::DeviceProperty;

/// The properties of the device signing in, in the Graph `deviceInfo` shape of the
/// `conditionalAccess/evaluate` request (`shared/reference/entra.md` §2.7): camelCase fields,
/// `ownership` for the filter's `deviceOwnership`. Every field is optional; an unregistered
/// device is `DeviceProperties::default()`, with every property null.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `Personal` or `Company`. Graph's `deviceInfo` calls it `ownership`; the filter calls it
    /// `deviceOwnership`, which is accepted as an alias.
    #[serde(
        rename = "ownership",
        alias = "deviceOwnership",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_ownership: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrollment_profile_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_compliant: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operating_system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operating_system_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mdm_app_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_labels: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute5: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute6: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute7: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute8: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute9: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute10: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute11: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute12: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute13: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute14: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute15: Option<String>,
}

impl DeviceProperties {
    /// The value of a single-string property; `None` when null or when `property` is not a
    /// string property.
    pub fn text(&self, property: DeviceProperty) -> Option<&str> {
        let value = match property {
            DeviceProperty::DeviceId => &self.device_id,
            DeviceProperty::DisplayName => &self.display_name,
            DeviceProperty::DeviceOwnership => &self.device_ownership,
            DeviceProperty::EnrollmentProfileName => &self.enrollment_profile_name,
            DeviceProperty::Manufacturer => &self.manufacturer,
            DeviceProperty::Model => &self.model,
            DeviceProperty::OperatingSystem => &self.operating_system,
            DeviceProperty::OperatingSystemVersion => &self.operating_system_version,
            DeviceProperty::MdmAppId => &self.mdm_app_id,
            DeviceProperty::ProfileType => &self.profile_type,
            DeviceProperty::TrustType => &self.trust_type,
            DeviceProperty::ExtensionAttribute(number) => match number.get() {
                1 => &self.extension_attribute1,
                2 => &self.extension_attribute2,
                3 => &self.extension_attribute3,
                4 => &self.extension_attribute4,
                5 => &self.extension_attribute5,
                6 => &self.extension_attribute6,
                7 => &self.extension_attribute7,
                8 => &self.extension_attribute8,
                9 => &self.extension_attribute9,
                10 => &self.extension_attribute10,
                11 => &self.extension_attribute11,
                12 => &self.extension_attribute12,
                13 => &self.extension_attribute13,
                14 => &self.extension_attribute14,
                15 => &self.extension_attribute15,
                _ => return None,
            },
            DeviceProperty::IsCompliant
            | DeviceProperty::PhysicalIds
            | DeviceProperty::SystemLabels => return None,
        };
        value.as_deref()
    }

    /// The value of a boolean property (`isCompliant`).
    pub fn boolean(&self, property: DeviceProperty) -> Option<bool> {
        match property {
            DeviceProperty::IsCompliant => self.is_compliant,
            _ => None,
        }
    }

    /// The value of a string-collection property (`physicalIds`, `systemLabels`).
    pub fn text_collection(&self, property: DeviceProperty) -> Option<&[String]> {
        match property {
            DeviceProperty::PhysicalIds => self.physical_ids.as_deref(),
            DeviceProperty::SystemLabels => self.system_labels.as_deref(),
            _ => None,
        }
    }

    /// Mutable access to a single-string property, for building devices in code and tests;
    /// `None` when `property` is not a string property.
    pub fn text_mut(&mut self, property: DeviceProperty) -> Option<&mut Option<String>> {
        Some(match property {
            DeviceProperty::DeviceId => &mut self.device_id,
            DeviceProperty::DisplayName => &mut self.display_name,
            DeviceProperty::DeviceOwnership => &mut self.device_ownership,
            DeviceProperty::EnrollmentProfileName => &mut self.enrollment_profile_name,
            DeviceProperty::Manufacturer => &mut self.manufacturer,
            DeviceProperty::Model => &mut self.model,
            DeviceProperty::OperatingSystem => &mut self.operating_system,
            DeviceProperty::OperatingSystemVersion => &mut self.operating_system_version,
            DeviceProperty::MdmAppId => &mut self.mdm_app_id,
            DeviceProperty::ProfileType => &mut self.profile_type,
            DeviceProperty::TrustType => &mut self.trust_type,
            DeviceProperty::ExtensionAttribute(number) => match number.get() {
                1 => &mut self.extension_attribute1,
                2 => &mut self.extension_attribute2,
                3 => &mut self.extension_attribute3,
                4 => &mut self.extension_attribute4,
                5 => &mut self.extension_attribute5,
                6 => &mut self.extension_attribute6,
                7 => &mut self.extension_attribute7,
                8 => &mut self.extension_attribute8,
                9 => &mut self.extension_attribute9,
                10 => &mut self.extension_attribute10,
                11 => &mut self.extension_attribute11,
                12 => &mut self.extension_attribute12,
                13 => &mut self.extension_attribute13,
                14 => &mut self.extension_attribute14,
                15 => &mut self.extension_attribute15,
                _ => return None,
            },
            DeviceProperty::IsCompliant
            | DeviceProperty::PhysicalIds
            | DeviceProperty::SystemLabels => return None,
        })
    }
}
