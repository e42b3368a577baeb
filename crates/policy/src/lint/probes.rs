//! The representative sign-ins the lint tries for each account: "blocked everywhere"
//! means none of them gets through.
//!
//! A probe is one combination of
//! * a network position: an IP address and a country, one per distinct way the named
//!   locations can see a sign-in (inside each IP range, outside all of them; each country
//!   some country location lists, a country none lists, an unknown country) — two
//!   positions that every named location treats alike are the same to every policy, so
//!   one stands for all;
//! * a platform: windows, macOS, iOS, android, linux (the platforms an admin really
//!   uses; "unknown platform" and Windows Phone are left out, so a policy that blocks
//!   only those is never counted as a way in);
//! * a client: browser or mobile/desktop app (legacy clients are no way to administer);
//! * a device: unregistered, compliant Entra-joined, or compliant hybrid joined — the
//!   latter two only when the directory facts do not rule them out for the account;
//! * no risk: sign-in, user and insider risk none.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::{ClientAppType, DevicePlatform, NamedLocation, NamedLocationKind};

use super::directory::DirectoryUser;

/// A network position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeLocation {
    /// The client IP.
    pub ip: IpAddr,
    /// The ISO country of the IP, `None` for an unknown country.
    pub country: Option<String>,
    /// Words for messages ("NL, 198.51.100.10 (outside every named IP range)").
    pub label: String,
}

/// A device state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProbeDevice {
    /// No registered device (every device-filter property is null).
    Unregistered,
    /// A compliant, Entra-joined device.
    CompliantJoined,
    /// A compliant, hybrid joined device.
    CompliantHybridJoined,
}

impl ProbeDevice {
    /// Words for messages.
    pub fn label(self) -> &'static str {
        match self {
            ProbeDevice::Unregistered => "an unregistered device",
            ProbeDevice::CompliantJoined => "a compliant joined device",
            ProbeDevice::CompliantHybridJoined => "a compliant hybrid joined device",
        }
    }
}

/// One representative sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Index into the probe locations.
    pub location: usize,
    /// The device platform.
    pub platform: DevicePlatform,
    /// `browser` or `mobileAppsAndDesktopClients`.
    pub client_app_type: ClientAppType,
    /// The device state.
    pub device: ProbeDevice,
}

/// The platforms probed.
pub const PROBE_PLATFORMS: [DevicePlatform; 5] = [
    DevicePlatform::Windows,
    DevicePlatform::MacOs,
    DevicePlatform::IOs,
    DevicePlatform::Android,
    DevicePlatform::Linux,
];

/// The client app types probed.
pub const PROBE_CLIENTS: [ClientAppType; 2] = [
    ClientAppType::Browser,
    ClientAppType::MobileAppsAndDesktopClients,
];

/// Addresses from the documentation ranges (RFC 5737, RFC 3849), tried in order for the
/// "outside every named IP range" position; the first one no range covers is used.
const OUTSIDE_CANDIDATES: [IpAddr; 4] = [
    IpAddr::V4(Ipv4Addr::new(198, 51, 100, 10)),
    IpAddr::V4(Ipv4Addr::new(203, 0, 113, 10)),
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10)),
];

/// Countries tried, in order, for the "listed by no country location" position.
const UNLISTED_CANDIDATES: [&str; 8] = ["US", "CN", "BR", "IN", "ZA", "AU", "JP", "AQ"];

/// Every distinct network position the named locations can tell apart (see the module
/// docs), IP positions crossed with country positions.
pub fn probe_locations(named: &[NamedLocation]) -> Vec<ProbeLocation> {
    let ips = ip_positions(named);
    let countries = country_positions(named);
    let mut positions = Vec::with_capacity(ips.len() * countries.len());
    for (ip, ip_label) in &ips {
        for (country, country_label) in &countries {
            positions.push(ProbeLocation {
                ip: *ip,
                country: country.clone(),
                label: format!("{country_label}, {ip_label}"),
            });
        }
    }
    positions
}

/// One IP per distinct set of IP locations containing it.
fn ip_positions(named: &[NamedLocation]) -> Vec<(IpAddr, String)> {
    let ranges: Vec<(&NamedLocation, Vec<ipnet::IpNet>)> = named
        .iter()
        .filter_map(|location| match &location.kind {
            NamedLocationKind::Ip(ip) => Some((
                location,
                ip.ip_ranges
                    .iter()
                    .filter_map(|range| range.network())
                    .collect(),
            )),
            _ => None,
        })
        .collect();
    let containing = |address: IpAddr| -> BTreeSet<usize> {
        ranges
            .iter()
            .enumerate()
            .filter(|(_, (_, nets))| nets.iter().any(|net| net.contains(&address)))
            .map(|(index, _)| index)
            .collect()
    };
    let mut by_signature: BTreeMap<BTreeSet<usize>, IpAddr> = BTreeMap::new();
    for (_, nets) in &ranges {
        for net in nets {
            by_signature
                .entry(containing(net.network()))
                .or_insert(net.network());
        }
    }
    if let Some(outside) = OUTSIDE_CANDIDATES
        .into_iter()
        .find(|address| containing(*address).is_empty())
    {
        by_signature.entry(BTreeSet::new()).or_insert(outside);
    }
    by_signature
        .into_iter()
        .map(|(signature, address)| {
            let label = if signature.is_empty() {
                format!("{address} (outside every named IP range)")
            } else {
                let names: Vec<String> = signature
                    .iter()
                    .map(|index| named_label(ranges[*index].0))
                    .collect();
                format!("{address} (in {})", names.join(", "))
            };
            (address, label)
        })
        .collect()
}

/// One country per distinct set of country locations containing it, plus an unknown
/// country.
fn country_positions(named: &[NamedLocation]) -> Vec<(Option<String>, String)> {
    let countries: Vec<(&NamedLocation, BTreeSet<String>, bool)> = named
        .iter()
        .filter_map(|location| match &location.kind {
            NamedLocationKind::Country(country) => Some((
                location,
                country
                    .countries_and_regions
                    .iter()
                    .map(|code| code.trim().to_ascii_uppercase())
                    .collect(),
                country.include_unknown_countries_and_regions,
            )),
            _ => None,
        })
        .collect();
    let containing = |code: Option<&str>| -> BTreeSet<usize> {
        countries
            .iter()
            .enumerate()
            .filter(|(_, (_, codes, unknown))| match code {
                Some(code) => codes.contains(code),
                None => *unknown,
            })
            .map(|(index, _)| index)
            .collect()
    };
    let mut by_signature: BTreeMap<BTreeSet<usize>, String> = BTreeMap::new();
    for (_, codes, _) in &countries {
        for code in codes {
            by_signature
                .entry(containing(Some(code)))
                .or_insert_with(|| code.clone());
        }
    }
    if let Some(unlisted) = UNLISTED_CANDIDATES
        .into_iter()
        .find(|code| containing(Some(code)).is_empty())
    {
        by_signature
            .entry(BTreeSet::new())
            .or_insert_with(|| unlisted.to_owned());
    }
    let label_of = |signature: &BTreeSet<usize>| -> String {
        let names: Vec<String> = signature
            .iter()
            .map(|index| named_label(countries[*index].0))
            .collect();
        names.join(", ")
    };
    let mut positions: Vec<(Option<String>, String)> = by_signature
        .iter()
        .map(|(signature, code)| {
            let label = if signature.is_empty() {
                format!("country {code} (in no country location)")
            } else {
                format!("country {code} (in {})", label_of(signature))
            };
            (Some(code.clone()), label)
        })
        .collect();
    let unknown = containing(None);
    let unknown_label = if unknown.is_empty() {
        "an unknown country".to_owned()
    } else {
        format!("an unknown country (in {})", label_of(&unknown))
    };
    positions.push((None, unknown_label));
    positions
}

fn named_label(location: &NamedLocation) -> String {
    if location.display_name.trim().is_empty() {
        format!("'{}'", location.id.as_deref().unwrap_or("(unnamed)"))
    } else {
        format!("'{}'", location.display_name)
    }
}

/// The device states worth probing for `user`: unregistered always; compliant joined and
/// hybrid joined unless the directory lists the user's devices and none is such.
pub fn probe_devices(user: &DirectoryUser) -> Vec<ProbeDevice> {
    let mut devices = vec![ProbeDevice::Unregistered];
    match &user.devices {
        None => devices.extend([
            ProbeDevice::CompliantJoined,
            ProbeDevice::CompliantHybridJoined,
        ]),
        Some(known) => {
            if known
                .iter()
                .any(|device| device.is_compliant && !device.is_hybrid_joined())
            {
                devices.push(ProbeDevice::CompliantJoined);
            }
            if known
                .iter()
                .any(|device| device.is_compliant && device.is_hybrid_joined())
            {
                devices.push(ProbeDevice::CompliantHybridJoined);
            }
        }
    }
    devices
}

/// Every probe for `user` over `locations`.
pub fn probes_for(user: &DirectoryUser, locations: &[ProbeLocation]) -> Vec<Probe> {
    let devices = probe_devices(user);
    let mut probes = Vec::new();
    for location in 0..locations.len() {
        for platform in &PROBE_PLATFORMS {
            for client_app_type in &PROBE_CLIENTS {
                for device in &devices {
                    probes.push(Probe {
                        location,
                        platform: platform.clone(),
                        client_app_type: client_app_type.clone(),
                        device: *device,
                    });
                }
            }
        }
    }
    probes
}
