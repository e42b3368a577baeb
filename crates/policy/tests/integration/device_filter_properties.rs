//! Property tests for the device filter parser: it never panics, whatever the input, and
//! the canonical form it prints parses back to the same rule.

use portcullis_policy::device_filter::{DeviceProperties, parse};
use proptest::prelude::*;

/// Fragments of the grammar, valid and broken, to build inputs that get deep into the parser.
fn fragment() -> impl Strategy<Value = String> {
    let grammar = prop::sample::select(vec![
        "device.",
        "device.model",
        "device.isCompliant",
        "device.physicalIds",
        "device.extensionAttribute15",
        "device.extensionAttribute0",
        "-eq",
        "-NOTIN",
        "in",
        "-contains",
        "-and",
        "or",
        "-not",
        "–",
        "-",
        "True",
        "(",
        ")",
        "[",
        "]",
        ",",
        "\"",
        "'",
        "`",
        "\"x\"",
        " ",
    ])
    .prop_map(str::to_owned);
    let noise = proptest::collection::vec(any::<char>(), 0..3).prop_map(String::from_iter);
    prop_oneof![4 => grammar, 1 => noise]
}

fn soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(fragment(), 0..40).prop_map(|parts| parts.join(" "))
}

/// A valid rule written in a random style: random case, optional hyphens, random spacing
/// and redundant parentheses.
fn styled_rule() -> impl Strategy<Value = String> {
    let comparison = (
        prop::sample::select(vec![
            ("device.model", "-startsWith \"Surf\""),
            ("device.Model", "NotEndsWith 'x''y'"),
            ("DEVICE.trustType", "-EQ \"AzureAD\""),
            ("device.isCompliant", "-ne true"),
            ("device.isCompliant", "eq \"FALSE\""),
            ("device.systemLabels", "-notContains \"M365Managed\""),
            ("device.deviceid", "-in [\"a\",\"B\" , \"`\"q`\"\"]"),
            ("device.extensionAttribute3", "–notIn ['x']"),
            ("device.displayName", "-contains \"`` \\ é\""),
        ]),
        prop::sample::select(vec![" ", "  ", "\t", "\n"]),
    )
        .prop_map(|((property, rest), space)| format!("{property}{space}{rest}"));
    comparison.prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|rule| format!("({rule})")),
            inner.clone().prop_map(|rule| format!("-not ({rule})")),
            inner.clone().prop_map(|rule| format!("NOT({rule})")),
            (
                inner.clone(),
                inner.clone(),
                prop::sample::select(vec!["-and", "and", "-AND"])
            )
                .prop_map(|(left, right, and)| format!("{left} {and} {right}")),
            (
                inner.clone(),
                inner,
                prop::sample::select(vec!["-or", "Or", "–or"])
            )
                .prop_map(|(left, right, or)| format!("({left}) {or} ({right})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn never_panics_on_arbitrary_text(rule in "\\PC{0,200}") {
        let _ = parse(&rule);
    }

    #[test]
    fn never_panics_on_grammar_soup(rule in soup()) {
        if let Ok(parsed) = parse(&rule) {
            // Anything accepted can be evaluated and printed.
            let _ = parsed.matches(&DeviceProperties::default());
            prop_assert!(parse(&parsed.to_string()).is_ok());
        }
    }

    #[test]
    fn errors_point_inside_the_rule(rule in soup()) {
        if let Err(error) = parse(&rule) {
            prop_assert!(error.position() <= rule.chars().count(), "{error}");
            prop_assert!(!error.message().is_empty());
        }
    }

    #[test]
    fn canonical_form_round_trips(rule in styled_rule()) {
        let parsed = parse(&rule).map_err(|error| TestCaseError::fail(format!("{rule}: {error}")))?;
        let canonical = parsed.to_string();
        let reparsed = parse(&canonical)
            .map_err(|error| TestCaseError::fail(format!("{canonical}: {error}")))?;
        prop_assert_eq!(&reparsed, &parsed);
        prop_assert_eq!(reparsed.to_string(), canonical);
    }
}

#[test]
fn never_panics_on_pathological_inputs() {
    let inputs = [
        "(".repeat(3072),
        "-not ".repeat(614),
        "\"".repeat(5000),
        format!("device.model -in [{}]", "\"a\",".repeat(700)),
        "\u{0}\u{feff}\u{202e}".repeat(10),
        "device.model -eq \"".to_owned() + &"`".repeat(3000),
        "é".repeat(1_000_000),
    ];
    for input in inputs {
        let _ = parse(&input);
    }
}
