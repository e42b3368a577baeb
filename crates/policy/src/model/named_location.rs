//! `namedLocation` and its subtypes (entra.md §3).
//!
//! The subtype is chosen by `@odata.type` (`#microsoft.graph.ipNamedLocation`,
//! `#microsoft.graph.countryNamedLocation`); without a discriminator it is inferred from
//! `ipRanges` / `countriesAndRegions`. Any other subtype (for example the beta
//! `compliantNetworkNamedLocation`) imports as [`NamedLocationKind::Other`] with all its
//! properties kept in `extra`, so it round-trips without being understood.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::CountryLookupMethod;
use super::extra::{Extra, null_as_default};

/// A named location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "NamedLocationWire", into = "NamedLocationWire")]
pub struct NamedLocation {
    /// The location ID (referenced by `includeLocations` / `excludeLocations`).
    pub id: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Read-only creation time.
    pub created_date_time: Option<OffsetDateTime>,
    /// Read-only modification time.
    pub modified_date_time: Option<OffsetDateTime>,
    /// The subtype and its fields.
    pub kind: NamedLocationKind,
    /// Properties this model does not name.
    pub extra: Extra,
}

/// The named-location subtype.
#[derive(Debug, Clone, PartialEq)]
pub enum NamedLocationKind {
    /// `ipNamedLocation`.
    Ip(IpNamedLocation),
    /// `countryNamedLocation`.
    Country(CountryNamedLocation),
    /// A subtype this build does not understand; its fields are in `NamedLocation::extra`.
    Other {
        /// The discriminator as written.
        odata_type: Option<String>,
    },
}

/// `ipNamedLocation`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IpNamedLocation {
    /// IPv4 and IPv6 CIDR ranges.
    pub ip_ranges: Vec<IpRange>,
    /// Whether the location is trusted (`AllTrusted`).
    pub is_trusted: bool,
}

/// `countryNamedLocation`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CountryNamedLocation {
    /// ISO 3166 two-letter codes.
    pub countries_and_regions: Vec<String>,
    /// Whether IPs that map to no country are included.
    pub include_unknown_countries_and_regions: bool,
    /// How the country is found; absent means `clientIpAddress`.
    pub country_lookup_method: Option<CountryLookupMethod>,
}

impl NamedLocation {
    /// The `ipNamedLocation` discriminator.
    pub const IP_ODATA_TYPE: &'static str = "#microsoft.graph.ipNamedLocation";
    /// The `countryNamedLocation` discriminator.
    pub const COUNTRY_ODATA_TYPE: &'static str = "#microsoft.graph.countryNamedLocation";

    /// Whether the location counts for `AllTrusted`. Only IP locations can be trusted in
    /// v1.0; for an unknown subtype its own `isTrusted` is honoured when it is a boolean
    /// (the beta compliant-network location carries one).
    pub fn is_trusted(&self) -> bool {
        match &self.kind {
            NamedLocationKind::Ip(ip) => ip.is_trusted,
            NamedLocationKind::Country(_) => false,
            NamedLocationKind::Other { .. } => {
                matches!(self.extra.get("isTrusted"), Some(Value::Bool(true)))
            }
        }
    }
}

impl CountryNamedLocation {
    /// The lookup method, with the documented default.
    pub fn lookup_method(&self) -> CountryLookupMethod {
        self.country_lookup_method
            .clone()
            .unwrap_or(CountryLookupMethod::ClientIpAddress)
    }
}

/// `ipRange`: `iPv4CidrRange` or `iPv6CidrRange`, both `{ cidrAddress }`.
///
/// The CIDR is parsed once at import ([`IpRange::network`]); an unparsable one is kept as
/// written and reported by validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "IpRangeWire", into = "IpRangeWire")]
pub struct IpRange {
    /// The discriminator as written.
    pub odata_type: Option<String>,
    /// The CIDR text, e.g. `203.0.113.0/24`.
    pub cidr_address: String,
    network: Option<IpNet>,
    /// Properties this model does not name.
    pub extra: Extra,
}

impl IpRange {
    /// The IPv4 discriminator.
    pub const IPV4_ODATA_TYPE: &'static str = "#microsoft.graph.iPv4CidrRange";
    /// The IPv6 discriminator.
    pub const IPV6_ODATA_TYPE: &'static str = "#microsoft.graph.iPv6CidrRange";

    /// A range from its CIDR text, with the matching discriminator when it parses.
    pub fn new(cidr_address: &str) -> Self {
        let network = cidr_address.trim().parse::<IpNet>().ok();
        let odata_type = network.map(|net| {
            match net {
                IpNet::V4(_) => Self::IPV4_ODATA_TYPE,
                IpNet::V6(_) => Self::IPV6_ODATA_TYPE,
            }
            .to_owned()
        });
        Self {
            odata_type,
            cidr_address: cidr_address.to_owned(),
            network,
            extra: Extra::default(),
        }
    }

    /// The parsed network, or `None` when `cidrAddress` is not valid CIDR.
    pub fn network(&self) -> Option<IpNet> {
        self.network
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IpRangeWire {
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    odata_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    cidr_address: String,
    #[serde(flatten)]
    extra: Extra,
}

impl From<IpRangeWire> for IpRange {
    fn from(wire: IpRangeWire) -> Self {
        let network = wire.cidr_address.trim().parse::<IpNet>().ok();
        Self {
            odata_type: wire.odata_type,
            cidr_address: wire.cidr_address,
            network,
            extra: wire.extra,
        }
    }
}

impl From<IpRange> for IpRangeWire {
    fn from(range: IpRange) -> Self {
        Self {
            odata_type: range.odata_type,
            cidr_address: range.cidr_address,
            extra: range.extra,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NamedLocationWire {
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    odata_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    display_name: String,
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    created_date_time: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    modified_date_time: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ip_ranges: Option<Vec<IpRange>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    is_trusted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    countries_and_regions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    include_unknown_countries_and_regions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country_lookup_method: Option<CountryLookupMethod>,
    #[serde(flatten)]
    extra: Extra,
}

impl From<NamedLocationWire> for NamedLocation {
    fn from(wire: NamedLocationWire) -> Self {
        let NamedLocationWire {
            odata_type,
            id,
            display_name,
            created_date_time,
            modified_date_time,
            ip_ranges,
            is_trusted,
            countries_and_regions,
            include_unknown_countries_and_regions,
            country_lookup_method,
            mut extra,
        } = wire;
        let is_ip = match odata_type.as_deref() {
            Some(Self::IP_ODATA_TYPE) => Some(true),
            Some(Self::COUNTRY_ODATA_TYPE) => Some(false),
            Some(_) => None,
            None if ip_ranges.is_some() => Some(true),
            None if countries_and_regions.is_some() => Some(false),
            None => None,
        };
        // Fields that do not belong to the chosen subtype go back into `extra` verbatim,
        // so nothing the file said is lost.
        let mut keep = |name: &str, value: Option<Value>| {
            if let Some(value) = value {
                extra.0.insert(name.to_owned(), value);
            }
        };
        let kind = match is_ip {
            Some(true) => {
                keep("countriesAndRegions", countries_and_regions.map(to_value));
                keep(
                    "includeUnknownCountriesAndRegions",
                    include_unknown_countries_and_regions.map(Value::Bool),
                );
                keep(
                    "countryLookupMethod",
                    country_lookup_method.map(|m| Value::String(m.as_str().to_owned())),
                );
                NamedLocationKind::Ip(IpNamedLocation {
                    ip_ranges: ip_ranges.unwrap_or_default(),
                    is_trusted: is_trusted.unwrap_or(false),
                })
            }
            Some(false) => {
                keep("ipRanges", ip_ranges.map(to_value));
                keep("isTrusted", is_trusted.map(Value::Bool));
                NamedLocationKind::Country(CountryNamedLocation {
                    countries_and_regions: countries_and_regions.unwrap_or_default(),
                    include_unknown_countries_and_regions: include_unknown_countries_and_regions
                        .unwrap_or(false),
                    country_lookup_method,
                })
            }
            None => {
                keep("ipRanges", ip_ranges.map(to_value));
                keep("isTrusted", is_trusted.map(Value::Bool));
                keep("countriesAndRegions", countries_and_regions.map(to_value));
                keep(
                    "includeUnknownCountriesAndRegions",
                    include_unknown_countries_and_regions.map(Value::Bool),
                );
                keep(
                    "countryLookupMethod",
                    country_lookup_method.map(|m| Value::String(m.as_str().to_owned())),
                );
                NamedLocationKind::Other { odata_type }
            }
        };
        Self {
            id,
            display_name,
            created_date_time,
            modified_date_time,
            kind,
            extra,
        }
    }
}

/// Serializing plain strings and ranges to JSON cannot fail; `Null` is a harmless
/// fallback that keeps this path free of panics.
fn to_value<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl From<NamedLocation> for NamedLocationWire {
    fn from(location: NamedLocation) -> Self {
        let mut wire = NamedLocationWire {
            odata_type: None,
            id: location.id,
            display_name: location.display_name,
            created_date_time: location.created_date_time,
            modified_date_time: location.modified_date_time,
            ip_ranges: None,
            is_trusted: None,
            countries_and_regions: None,
            include_unknown_countries_and_regions: None,
            country_lookup_method: None,
            extra: location.extra,
        };
        match location.kind {
            NamedLocationKind::Ip(ip) => {
                wire.odata_type = Some(NamedLocation::IP_ODATA_TYPE.to_owned());
                wire.ip_ranges = Some(ip.ip_ranges);
                wire.is_trusted = Some(ip.is_trusted);
            }
            NamedLocationKind::Country(country) => {
                wire.odata_type = Some(NamedLocation::COUNTRY_ODATA_TYPE.to_owned());
                wire.countries_and_regions = Some(country.countries_and_regions);
                wire.include_unknown_countries_and_regions =
                    Some(country.include_unknown_countries_and_regions);
                wire.country_lookup_method = country.country_lookup_method;
            }
            NamedLocationKind::Other { odata_type } => wire.odata_type = odata_type,
        }
        wire
    }
}
