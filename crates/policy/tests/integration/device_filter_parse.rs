//! Parsing device filter rules: Microsoft's documented examples, the rules in the real
//! policy fixtures, canonical printing, and error messages.

use portcullis_policy::device_filter::{
    DeviceFilterRule, DeviceProperty, Expression, MAX_RULE_CHARS, Operand, Operator, parse,
};

fn canonical(rule: &str) -> String {
    match parse(rule) {
        Ok(parsed) => parsed.to_string(),
        Err(error) => panic!("{rule:?} should parse, got: {error}"),
    }
}

fn error(rule: &str) -> String {
    match parse(rule) {
        Ok(parsed) => panic!("{rule:?} should be rejected, parsed as {parsed}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn microsoft_documented_examples_parse() {
    let examples = [
        (
            r#"device.trustType -ne "ServerAD" -or device.isCompliant -ne True"#,
            r#"device.trustType -ne "ServerAD" -or device.isCompliant -ne True"#,
        ),
        (
            r#"device.isCompliant -eq True -and device.trustType -eq "ServerAD""#,
            r#"device.isCompliant -eq True -and device.trustType -eq "ServerAD""#,
        ),
        (
            r#"device.displayName -in ["a","b"]"#,
            r#"device.displayName -in ["a", "b"]"#,
        ),
        (
            r#"device.extensionAttribute1 -ne "SAW""#,
            r#"device.extensionAttribute1 -ne "SAW""#,
        ),
        (
            r#"device.extensionAttribute1 -eq "SAW""#,
            r#"device.extensionAttribute1 -eq "SAW""#,
        ),
        // The examples column of the Conditional Access filter-for-devices table.
        (
            r#"(device.deviceid -eq "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb")"#,
            r#"device.deviceId -eq "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb""#,
        ),
        (
            r#"(device.displayName -contains "ABC")"#,
            r#"device.displayName -contains "ABC""#,
        ),
        (
            r#"(device.deviceOwnership -eq "Company")"#,
            r#"device.deviceOwnership -eq "Company""#,
        ),
        (
            r#"(device.enrollmentProfileName -startsWith "AutoPilot Profile")"#,
            r#"device.enrollmentProfileName -startsWith "AutoPilot Profile""#,
        ),
        (
            r#"(device.isCompliant -eq "True")"#,
            r#"device.isCompliant -eq True"#,
        ),
        (
            r#"(device.manufacturer -startsWith "Microsoft")"#,
            r#"device.manufacturer -startsWith "Microsoft""#,
        ),
        (
            r#"(device.mdmAppId -in ["00001111-aaaa-2222-bbbb-3333cccc4444"])"#,
            r#"device.mdmAppId -in ["00001111-aaaa-2222-bbbb-3333cccc4444"]"#,
        ),
        (
            r#"(device.model -notContains "Surface")"#,
            r#"device.model -notContains "Surface""#,
        ),
        (
            r#"(device.operatingSystem -eq "Windows")"#,
            r#"device.operatingSystem -eq "Windows""#,
        ),
        (
            r#"(device.operatingSystemVersion -in ["10.0.18363", "10.0.19041", "10.0.19042", "10.0.22000"])"#,
            r#"device.operatingSystemVersion -in ["10.0.18363", "10.0.19041", "10.0.19042", "10.0.22000"]"#,
        ),
        (
            r#"(device.physicalIds -contains "[ZTDId]:value")"#,
            r#"device.physicalIds -contains "[ZTDId]:value""#,
        ),
        (
            r#"(device.profileType -eq "Printer")"#,
            r#"device.profileType -eq "Printer""#,
        ),
        (
            r#"(device.systemLabels -contains "M365Managed")"#,
            r#"device.systemLabels -contains "M365Managed""#,
        ),
        (
            r#"(device.trustType -eq "ServerAD")"#,
            r#"device.trustType -eq "ServerAD""#,
        ),
    ];
    for (rule, expected) in examples {
        assert_eq!(canonical(rule), expected, "rule {rule:?}");
    }
}

/// The rules in `shared/fixtures/conditional-access/j0eyv-baseline/ConditionalAccess/`
/// (CA202 and CA206: UTF-16LE; CA005 and CA006: UTF-8 with BOM), JSON escapes resolved.
#[test]
fn fixture_policy_rules_parse() {
    let rules = [
        r#"device.deviceOwnership -eq "Company" -or device.isCompliant -eq True"#,
        r#"device.isCompliant -eq True -and device.deviceOwnership -eq "Company""#,
    ];
    for rule in rules {
        assert_eq!(canonical(rule), rule);
    }
}

#[test]
fn names_ignore_case_and_the_hyphen_is_optional() {
    assert_eq!(
        canonical(r#"DEVICE.TRUSTTYPE -EQ "AzureAD" -AND device.isCompliant -Eq true"#),
        r#"device.trustType -eq "AzureAD" -and device.isCompliant -eq True"#
    );
    assert_eq!(
        canonical(r#"device.model startswith "Surface" and not device.isCompliant eq FALSE"#),
        r#"device.model -startsWith "Surface" -and -not (device.isCompliant -eq False)"#
    );
    // Microsoft's docs print an en dash; admins paste it.
    assert_eq!(
        canonical("device.model –eq \"x\" –or device.model –eq \"y\""),
        r#"device.model -eq "x" -or device.model -eq "y""#
    );
    assert_eq!(
        canonical(r#"device.ExtensionAttribute15 -notIn ["a"]"#),
        r#"device.extensionAttribute15 -notIn ["a"]"#
    );
}

#[test]
fn whitespace_is_flexible() {
    assert_eq!(
        canonical("\n\t(device.model-eq\"a\")-or(device.model   -eq   \"b\")  "),
        r#"device.model -eq "a" -or device.model -eq "b""#
    );
}

#[test]
fn precedence_is_or_below_and_below_not() {
    let rule =
        parse(r#"device.model -eq "a" -or device.model -eq "b" -and -not device.model -eq "c""#)
            .expect("parses");
    let Expression::Or(operands) = rule.expression() else {
        panic!("top level should be -or: {rule:?}");
    };
    assert_eq!(operands.len(), 2);
    assert!(matches!(operands[0], Expression::Comparison(_)));
    let Expression::And(and_operands) = &operands[1] else {
        panic!("second operand should be -and: {:?}", operands[1]);
    };
    assert!(matches!(and_operands[1], Expression::Not(_)));
    assert_eq!(
        rule.to_string(),
        r#"device.model -eq "a" -or device.model -eq "b" -and -not (device.model -eq "c")"#
    );
}

#[test]
fn parentheses_override_precedence() {
    assert_eq!(
        canonical(
            r#"(device.model -eq "a" -or device.model -eq "b") -and device.isCompliant -eq True"#
        ),
        r#"(device.model -eq "a" -or device.model -eq "b") -and device.isCompliant -eq True"#
    );
    // Redundant parentheses around a chain of the same operator keep their grouping.
    assert_eq!(
        canonical(r#"device.model -eq "a" -or (device.model -eq "b" -or device.model -eq "c")"#),
        r#"device.model -eq "a" -or (device.model -eq "b" -or device.model -eq "c")"#
    );
    assert_eq!(
        canonical(r#"-not -not (device.model -eq "a")"#),
        r#"-not -not (device.model -eq "a")"#
    );
}

#[test]
fn escapes_follow_microsofts_backtick_rule() {
    let rule = parse(r#"device.displayName -eq "say `"hi`" and ``tick``""#).expect("parses");
    let Expression::Comparison(comparison) = rule.expression() else {
        panic!("a comparison");
    };
    let Operand::Text(text) = comparison.operand() else {
        panic!("a string operand");
    };
    assert_eq!(text.as_str(), "say \"hi\" and `tick`");
    assert_eq!(
        rule.to_string(),
        r#"device.displayName -eq "say `"hi`" and ``tick``""#
    );
    // A backslash is an ordinary character; single quotes double themselves.
    assert_eq!(
        canonical(r#"device.displayName -eq 'C:\it''s'"#),
        r#"device.displayName -eq "C:\it's""#
    );
}

#[test]
fn parsed_comparisons_expose_their_parts() {
    let rule: DeviceFilterRule = r#"device.systemLabels -notContains "MultiUser""#
        .parse()
        .expect("parses");
    let Expression::Comparison(comparison) = rule.expression() else {
        panic!("a comparison");
    };
    assert_eq!(comparison.property(), DeviceProperty::SystemLabels);
    assert_eq!(comparison.operator(), Operator::NotContains);
}

#[test]
fn every_property_allows_exactly_its_documented_operators() {
    use Operator::*;
    let all_string = vec![
        Eq,
        Ne,
        StartsWith,
        NotStartsWith,
        EndsWith,
        NotEndsWith,
        Contains,
        NotContains,
        In,
        NotIn,
    ];
    let expected = [
        ("deviceId", vec![Eq, Ne, In, NotIn]),
        ("displayName", all_string.clone()),
        ("deviceOwnership", vec![Eq, Ne]),
        ("enrollmentProfileName", all_string.clone()),
        ("isCompliant", vec![Eq, Ne]),
        ("manufacturer", all_string.clone()),
        ("model", all_string.clone()),
        ("operatingSystem", all_string.clone()),
        ("operatingSystemVersion", all_string.clone()),
        ("mdmAppId", vec![Eq, Ne, In, NotIn]),
        ("physicalIds", vec![Contains, NotContains]),
        ("profileType", vec![Eq, Ne]),
        ("systemLabels", vec![Contains, NotContains]),
        ("trustType", vec![Eq, Ne]),
    ];
    let extension_attributes =
        (1..=15).map(|number| (format!("extensionAttribute{number}"), all_string.clone()));
    let all = expected
        .into_iter()
        .map(|(name, operators)| (name.to_owned(), operators))
        .chain(extension_attributes);
    let mut checked = 0;
    for (name, allowed) in all {
        for operator in Operator::ALL {
            let value = if name == "isCompliant" {
                "True"
            } else if operator.takes_list() {
                r#"["x"]"#
            } else {
                r#""x""#
            };
            let rule = format!("device.{name} {operator} {value}");
            assert_eq!(
                parse(&rule).is_ok(),
                allowed.contains(&operator),
                "{rule}: {:?}",
                parse(&rule)
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 29 * 10);
}

#[test]
fn errors_name_the_column_and_what_was_expected() {
    let cases = [
        (
            "device.model -eq",
            "column 17: expected a value after -eq, found end of rule",
        ),
        (
            r#"device.trustType -contains "Azure""#,
            "column 18: device.trustType does not support -contains; it allows -eq, -ne",
        ),
        (
            r#"device.physicalIds -eq "[ZTDId]:x""#,
            "column 20: device.physicalIds does not support -eq; it allows -contains, -notContains",
        ),
        (
            r#"device.deviceId -startsWith "a""#,
            "column 17: device.deviceId does not support -startsWith; it allows -eq, -ne, -in, -notIn",
        ),
        (
            r#"device.isCompliant -eq "yes""#,
            r#"column 24: expected True or False after -eq, found "yes""#,
        ),
        (
            "device.model -eq True",
            "column 18: expected a string in double quotes after -eq, found True",
        ),
        (
            r#"device.model -in "a""#,
            r#"column 18: expected a list such as ["a", "b"] after -in, found "a""#,
        ),
        (
            "device.model -in []",
            "column 19: the list after -in is empty; give at least one value",
        ),
        (
            r#"device.model -in ["a" "b"]"#,
            r#"column 23: expected ',' or ']' in the list after -in, found "b""#,
        ),
        (
            r#"device.model -in ["a",]"#,
            "column 23: expected a string in double quotes in the list, found ']'",
        ),
        (
            r#"device.model -eq "unclosed"#,
            "column 18: the string that starts here is never closed (missing \")",
        ),
        (
            r#"device.color -eq "red""#,
            "column 1: unknown device property device.color; known properties are device.deviceId, device.displayName, device.deviceOwnership, device.enrollmentProfileName, device.isCompliant, device.manufacturer, device.model, device.operatingSystem, device.operatingSystemVersion, device.mdmAppId, device.physicalIds, device.profileType, device.systemLabels, device.trustType, device.extensionAttribute1 … device.extensionAttribute15",
        ),
        (
            r#"device.extensionAttribute16 -eq "x""#,
            "column 1: unknown device property device.extensionAttribute16; known properties are device.deviceId, device.displayName, device.deviceOwnership, device.enrollmentProfileName, device.isCompliant, device.manufacturer, device.model, device.operatingSystem, device.operatingSystemVersion, device.mdmAppId, device.physicalIds, device.profileType, device.systemLabels, device.trustType, device.extensionAttribute1 … device.extensionAttribute15",
        ),
        (
            r#"user.department -eq "Sales""#,
            "column 1: a device filter can only test device properties (device.<property>), found user.department",
        ),
        (
            r#"trustType -eq "AzureAD""#,
            "column 1: expected a device property such as device.displayName, found trustType",
        ),
        (
            r#"device.model -match "^Surface""#,
            "column 14: -match is not supported in device filters; device.model allows -eq, -ne, -startsWith, -notStartsWith, -endsWith, -notEndsWith, -contains, -notContains, -in, -notIn",
        ),
        (
            r#"device.model -equals "x""#,
            "column 14: expected an operator such as -eq after device.model, found -equals",
        ),
        (
            r#"device.model -eq "a" device.model -eq "b""#,
            "column 22: expected -and, -or or the end of the rule, found device.model",
        ),
        (
            r#"(device.model -eq "a""#,
            "column 22: expected ')' to close the '(' at column 1, found end of rule",
        ),
        (
            r#"device.model -eq "a")"#,
            "column 21: found ')' without a matching '('",
        ),
        (
            r#"device.model -eq "a" -and"#,
            "column 26: expected a condition such as device.isCompliant -eq True, found end of rule",
        ),
        (
            r#"-and device.model -eq "a""#,
            "column 1: expected a condition such as device.isCompliant -eq True, found -and",
        ),
        (
            r#"device.model - eq "a""#,
            "column 14: expected an operator name such as -eq or -and after '-'",
        ),
        (
            r#"device.model == "a""#,
            "column 14: unexpected character '='; string values must be in double quotes",
        ),
        (
            "   ",
            "column 1: the rule is empty; write a condition such as device.isCompliant -eq True",
        ),
        (
            "",
            "column 1: the rule is empty; write a condition such as device.isCompliant -eq True",
        ),
        (
            "device.model -eq \"a\" \"line\nbreak\"",
            r#"column 22: expected -and, -or or the end of the rule, found "line\nbreak""#,
        ),
        (
            r#"device.model -eq "é" -and ü"#,
            "column 27: unexpected character 'ü'; string values must be in double quotes",
        ),
    ];
    for (rule, expected) in cases {
        assert_eq!(error(rule), expected, "rule {rule:?}");
    }
}

#[test]
fn error_exposes_position_column_and_message() {
    let error = parse("device.model -eq").expect_err("incomplete");
    assert_eq!(error.position(), 16);
    assert_eq!(error.column(), 17);
    assert_eq!(
        error.message(),
        "expected a value after -eq, found end of rule"
    );
}

#[test]
fn rules_longer_than_3072_characters_are_rejected() {
    let comparison = r#"device.model -eq "0123456789""#;
    let mut rule = comparison.to_owned();
    while rule.chars().count() + comparison.len() + 5 <= MAX_RULE_CHARS {
        rule.push_str(" -or ");
        rule.push_str(comparison);
    }
    let padding = MAX_RULE_CHARS - rule.chars().count();
    let at_limit = format!("{rule}{}", " ".repeat(padding));
    assert_eq!(at_limit.chars().count(), MAX_RULE_CHARS);
    assert!(parse(&at_limit).is_ok());
    let over = format!("{at_limit} ");
    assert_eq!(
        error(&over),
        "column 3073: the rule is 3073 characters long; the maximum is 3072"
    );
    // Characters, not bytes: 3072 two-byte characters inside a string are still too long.
    let wide = format!(r#"device.model -eq "{}""#, "é".repeat(3060));
    assert!(error(&wide).starts_with("column 3073: the rule is 3079 characters long"));
}

#[test]
fn nesting_deeper_than_64_levels_is_rejected() {
    let within = format!("{}device.model -eq \"a\"{}", "(".repeat(64), ")".repeat(64));
    assert!(parse(&within).is_ok());
    let too_deep = format!("{}device.model -eq \"a\"{}", "(".repeat(65), ")".repeat(65));
    assert_eq!(
        error(&too_deep),
        "column 65: parentheses and -not are nested more than 64 levels deep"
    );
    let nots = format!("{}device.model -eq \"a\"", "-not ".repeat(65));
    assert_eq!(
        error(&nots),
        "column 321: parentheses and -not are nested more than 64 levels deep"
    );
    let huge = "(".repeat(100_000);
    assert!(error(&huge).starts_with("column 3073: the rule is 100000 characters long"));
}

/// Found by fuzzing: canonical spacing can lengthen a rule, so a rule at the limit written
/// without spaces prints longer than the limit. The printed form is then rejected for its
/// length, never misparsed.
#[test]
fn canonical_form_of_a_rule_at_the_limit_can_exceed_it() {
    let compact = r#"device.model-eq"a""#;
    let mut rule = compact.to_owned();
    while rule.len() + "-or ".len() + compact.len() <= MAX_RULE_CHARS {
        rule.push_str("-or ");
        rule.push_str(compact);
    }
    let parsed = parse(&rule).expect("within the limit");
    let printed = parsed.to_string();
    assert!(printed.chars().count() > MAX_RULE_CHARS);
    let error = parse(&printed).expect_err("too long");
    assert_eq!(error.position(), MAX_RULE_CHARS);
}
