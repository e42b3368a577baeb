//! The representative sign-ins of the lockout lint: one per way the named locations can
//! tell sign-ins apart, every platform and client an admin uses, the device states the
//! facts allow.

use std::fs;
use std::path::Path;

use portcullis_policy::import::import_named_locations;
use portcullis_policy::lint::DirectoryUser;
use portcullis_policy::lint::probes::{ProbeDevice, probe_devices, probe_locations, probes_for};
use portcullis_policy::model::NamedLocation;

fn corpus_locations() -> Vec<NamedLocation> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/conditional-access/j0eyv-baseline/NamedLocations");
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("directory")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|p| import_named_locations(&fs::read(p).expect("readable")).expect("imports"))
        .collect()
}

fn locations(json: serde_json::Value) -> Vec<NamedLocation> {
    serde_json::from_value(json).expect("named locations")
}

#[test]
fn corpus_countries_collapse_to_one_position_per_distinct_membership() {
    let positions = probe_locations(&corpus_locations());
    let countries: Vec<Option<&str>> = positions.iter().map(|p| p.country.as_deref()).collect();
    // US is in no list; NL is in both lists; BE and LU are in "ALLOWED COUNTRIES" only
    // (BE stands for both); and an unknown country. No IP location: one outside IP.
    assert_eq!(countries, [Some("US"), Some("NL"), Some("BE"), None]);
    assert!(
        positions
            .iter()
            .all(|p| p.ip.to_string() == "198.51.100.10")
    );
    assert_eq!(
        positions[1].label,
        "country NL (in 'ALLOWED COUNTRIES - SERVICE ACCOUNTS', 'ALLOWED COUNTRIES'), 198.51.100.10 (outside every named IP range)"
    );
    assert_eq!(
        positions[0].label,
        "country US (in no country location), 198.51.100.10 (outside every named IP range)"
    );
}

#[test]
fn ip_ranges_give_inside_and_outside_positions() {
    let named = locations(serde_json::json!([
        { "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "hq", "displayName": "HQ",
          "isTrusted": true,
          "ipRanges": [{ "cidrAddress": "198.51.100.0/24" }, { "cidrAddress": "2001:db8:1::/48" }] },
        { "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "lab", "displayName": "Lab",
          "ipRanges": [{ "cidrAddress": "198.51.100.128/25" }] },
        { "@odata.type": "#microsoft.graph.countryNamedLocation", "id": "c", "displayName": "Home",
          "countriesAndRegions": ["NL"], "includeUnknownCountriesAndRegions": true }
    ]));
    let positions = probe_locations(&named);
    let ips: Vec<String> = positions.iter().map(|p| p.ip.to_string()).collect();
    // HQ only (two ranges, one position), HQ+Lab, outside: the first documentation
    // address outside both ranges is 203.0.113.10. Each crossed with NL, US, unknown.
    let mut distinct = ips.clone();
    distinct.dedup();
    assert_eq!(distinct, ["203.0.113.10", "198.51.100.0", "198.51.100.128"]);
    assert_eq!(positions.len(), 3 * 3);
    let unknown = positions
        .iter()
        .find(|p| p.country.is_none())
        .expect("unknown country");
    assert!(
        unknown.label.starts_with("an unknown country (in 'Home')"),
        "{}",
        unknown.label
    );
    let both = positions
        .iter()
        .find(|p| p.ip.to_string() == "198.51.100.128")
        .expect("both ranges");
    assert!(both.label.contains("(in 'HQ', 'Lab')"), "{}", both.label);
}

#[test]
fn devices_follow_the_facts() {
    let unknown = DirectoryUser::default();
    assert_eq!(
        probe_devices(&unknown),
        [
            ProbeDevice::Unregistered,
            ProbeDevice::CompliantJoined,
            ProbeDevice::CompliantHybridJoined
        ]
    );
    let none: DirectoryUser =
        serde_json::from_value(serde_json::json!({ "id": "a", "devices": [] })).expect("user");
    assert_eq!(probe_devices(&none), [ProbeDevice::Unregistered]);
    let hybrid: DirectoryUser = serde_json::from_value(serde_json::json!({
        "id": "a", "devices": [{ "isCompliant": true, "trustType": "ServerAD" }]
    }))
    .expect("user");
    assert_eq!(
        probe_devices(&hybrid),
        [
            ProbeDevice::Unregistered,
            ProbeDevice::CompliantHybridJoined
        ]
    );
}

#[test]
fn probes_cross_every_dimension() {
    let positions = probe_locations(&corpus_locations());
    let probes = probes_for(&DirectoryUser::default(), &positions);
    // 4 positions × 5 platforms × 2 clients × 3 device states.
    assert_eq!(probes.len(), 4 * 5 * 2 * 3);
}
