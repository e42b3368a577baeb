//! Named-location validation: CIDR ranges, masks, limits and country codes.

use portcullis_policy::model::{
    CountryLookupMethod, CountryNamedLocation, IpNamedLocation, IpRange, NamedLocation,
    NamedLocationKind,
};
use portcullis_policy::validate::{Rule, Severity, ValidationError, validate_named_location};

fn location(kind: NamedLocationKind) -> NamedLocation {
    NamedLocation {
        id: Some("1cc7e30b-f894-43a2-9da6-30aa7c085dda".to_owned()),
        display_name: "Office".to_owned(),
        created_date_time: None,
        modified_date_time: None,
        kind,
        extra: Default::default(),
    }
}

fn ip(ranges: &[&str]) -> NamedLocation {
    location(NamedLocationKind::Ip(IpNamedLocation {
        ip_ranges: ranges.iter().map(|cidr| IpRange::new(cidr)).collect(),
        is_trusted: true,
    }))
}

fn countries(codes: &[&str]) -> NamedLocation {
    location(NamedLocationKind::Country(CountryNamedLocation {
        countries_and_regions: codes.iter().map(|code| (*code).to_owned()).collect(),
        include_unknown_countries_and_regions: false,
        country_lookup_method: None,
    }))
}

fn only(findings: &[ValidationError]) -> (Rule, Severity, &str) {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    (
        findings[0].rule,
        findings[0].severity,
        findings[0].path.as_str(),
    )
}

#[test]
fn valid_ranges_pass() {
    let findings = validate_named_location(&ip(&[
        "203.0.113.0/24",
        "198.51.100.7/32",
        "10.0.0.0/9",
        "2001:db8::/48",
    ]));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn malformed_ranges_are_errors() {
    for bad in [
        "203.0.113.0",
        "203.0.113.0/33",
        "not an address/8",
        "",
        "2001:db8::/129",
    ] {
        let findings = validate_named_location(&ip(&["198.51.100.0/24", bad]));
        assert_eq!(
            only(&findings),
            (
                Rule::InvalidIpRange,
                Severity::Error,
                "ipRanges[1].cidrAddress"
            ),
            "{bad}"
        );
        assert!(
            findings[0].message.contains("is not a CIDR range"),
            "{}",
            findings[0]
        );
    }
}

#[test]
fn masks_must_be_larger_than_slash_8() {
    for wide in ["10.0.0.0/8", "0.0.0.0/0", "2000::/8"] {
        let findings = validate_named_location(&ip(&[wide]));
        assert_eq!(only(&findings).0, Rule::InvalidIpRange, "{wide}");
        assert!(
            findings[0].message.contains("larger than /8"),
            "{}",
            findings[0]
        );
    }
    assert!(validate_named_location(&ip(&["10.128.0.0/9"])).is_empty());
}

#[test]
fn host_bits_are_a_warning() {
    let findings = validate_named_location(&ip(&["203.0.113.77/24"]));
    assert_eq!(
        only(&findings),
        (
            Rule::InvalidIpRange,
            Severity::Warning,
            "ipRanges[0].cidrAddress"
        )
    );
    assert!(
        findings[0].message.ends_with("it covers 203.0.113.0/24"),
        "{}",
        findings[0]
    );
}

#[test]
fn the_discriminator_must_match_the_family() {
    let mut location = ip(&["203.0.113.0/24"]);
    if let NamedLocationKind::Ip(ip) = &mut location.kind {
        ip.ip_ranges[0].odata_type = Some(IpRange::IPV6_ODATA_TYPE.to_owned());
    }
    let findings = validate_named_location(&location);
    assert_eq!(
        only(&findings),
        (
            Rule::InvalidIpRange,
            Severity::Error,
            "ipRanges[0].@odata.type"
        )
    );
}

#[test]
fn range_count_limits() {
    assert_eq!(
        only(&validate_named_location(&ip(&[]))).0,
        Rule::InvalidIpRange
    );
    let many: Vec<String> = (0..2001)
        .map(|i| format!("100.{}.{}.0/24", 64 + i / 256, i % 256))
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(
        only(&validate_named_location(&ip(&refs))),
        (Rule::LimitExceeded, Severity::Error, "ipRanges")
    );
    assert!(validate_named_location(&ip(&refs[..2000])).is_empty());
}

#[test]
fn country_codes_are_iso_two_letter() {
    assert!(validate_named_location(&countries(&["NL", "BE", "LU"])).is_empty());
    for bad in ["nl", "NLD", "N", "1A", "ÉS"] {
        let findings = validate_named_location(&countries(&["BE", bad]));
        assert_eq!(
            only(&findings),
            (
                Rule::InvalidCountry,
                Severity::Error,
                "countriesAndRegions[1]"
            ),
            "{bad}"
        );
    }
    assert_eq!(
        only(&validate_named_location(&countries(&[]))).0,
        Rule::InvalidCountry
    );
}

#[test]
fn unknown_lookup_method_and_kind_are_warnings() {
    let mut location = countries(&["NL"]);
    if let NamedLocationKind::Country(country) = &mut location.kind {
        country.country_lookup_method = Some(CountryLookupMethod::from_wire("satellite"));
    }
    assert_eq!(
        only(&validate_named_location(&location)),
        (
            Rule::UnknownEnumValue,
            Severity::Warning,
            "countryLookupMethod"
        )
    );
    let other = location_of_unknown_kind();
    assert_eq!(
        only(&validate_named_location(&other)),
        (Rule::UnknownEnumValue, Severity::Warning, "@odata.type")
    );
}

fn location_of_unknown_kind() -> NamedLocation {
    location(NamedLocationKind::Other {
        odata_type: Some("#microsoft.graph.compliantNetworkNamedLocation".to_owned()),
    })
}

#[test]
fn display_name_is_required() {
    let mut location = countries(&["NL"]);
    location.display_name.clear();
    assert_eq!(
        only(&validate_named_location(&location)).0,
        Rule::DisplayNameRequired
    );
}
