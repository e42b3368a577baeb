//! A second, deliberately naive evaluator written straight from the §2.6 text
//! (`shared/reference/entra.md`), checked against the real parser + `matches` on random rules
//! and random devices. The rules are generated as this file's own tree, printed as text, and
//! then parsed, so the test also checks the parser's precedence and the canonical printer.

use std::collections::HashMap;

use portcullis_policy::device_filter::{DeviceProperties, DeviceProperty, parse};
use proptest::prelude::*;

// ---- the naive model -------------------------------------------------------------------

#[derive(Debug, Clone)]
enum NaiveValue {
    Null,
    Text(String),
    Boolean(bool),
    Collection(Vec<String>),
}

#[derive(Debug, Clone)]
enum NaiveOperand {
    Text(String),
    Boolean(bool),
    List(Vec<String>),
}

#[derive(Debug, Clone)]
enum NaiveRule {
    Compare {
        property: &'static str,
        operator: &'static str,
        operand: NaiveOperand,
    },
    Not(Box<NaiveRule>),
    And(Box<NaiveRule>, Box<NaiveRule>),
    Or(Box<NaiveRule>, Box<NaiveRule>),
}

/// §2.6: "A negative operator (NotEquals, NotStartsWith, …) does match [a null property]".
const NEGATIVE_OPERATORS: [&str; 5] =
    ["ne", "notStartsWith", "notEndsWith", "notContains", "notIn"];

/// "Regex and string operations aren't case sensitive" (dynamic membership rules).
fn lower(text: &str) -> String {
    text.to_lowercase()
}

fn naive_compare(value: &NaiveValue, operator: &str, operand: &NaiveOperand) -> bool {
    match (value, operand) {
        (NaiveValue::Null, _) => NEGATIVE_OPERATORS.contains(&operator),
        (NaiveValue::Text(value), NaiveOperand::Text(constant)) => {
            let (value, constant) = (lower(value), lower(constant));
            match operator {
                "eq" => value == constant,
                "ne" => value != constant,
                "startsWith" => value.starts_with(&constant),
                "notStartsWith" => !value.starts_with(&constant),
                "endsWith" => value.ends_with(&constant),
                "notEndsWith" => !value.ends_with(&constant),
                "contains" => value.contains(&constant),
                "notContains" => !value.contains(&constant),
                other => panic!("generator produced {other} with a single string"),
            }
        }
        (NaiveValue::Text(value), NaiveOperand::List(constants)) => {
            let found = constants
                .iter()
                .any(|constant| lower(constant) == lower(value));
            match operator {
                "in" => found,
                "notIn" => !found,
                other => panic!("generator produced {other} with a list"),
            }
        }
        (NaiveValue::Boolean(value), NaiveOperand::Boolean(constant)) => match operator {
            "eq" => value == constant,
            "ne" => value != constant,
            other => panic!("generator produced {other} with a boolean"),
        },
        // "On a string-collection property it tests whole-element equality."
        (NaiveValue::Collection(items), NaiveOperand::Text(constant)) => {
            let found = items.iter().any(|item| lower(item) == lower(constant));
            match operator {
                "contains" => found,
                "notContains" => !found,
                other => panic!("generator produced {other} on a collection"),
            }
        }
        (value, operand) => panic!("generator mismatch: {value:?} vs {operand:?}"),
    }
}

fn naive_matches(rule: &NaiveRule, device: &HashMap<&'static str, NaiveValue>) -> bool {
    match rule {
        NaiveRule::Compare {
            property,
            operator,
            operand,
        } => naive_compare(
            device.get(property).unwrap_or(&NaiveValue::Null),
            operator,
            operand,
        ),
        NaiveRule::Not(inner) => !naive_matches(inner, device),
        NaiveRule::And(left, right) => naive_matches(left, device) && naive_matches(right, device),
        NaiveRule::Or(left, right) => naive_matches(left, device) || naive_matches(right, device),
    }
}

// ---- printing the naive tree as rule text -------------------------------------------------

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('`', "``").replace('"', "`\""))
}

fn operand_text(operand: &NaiveOperand) -> String {
    match operand {
        NaiveOperand::Text(text) => quote(text),
        NaiveOperand::Boolean(true) => "True".into(),
        NaiveOperand::Boolean(false) => "False".into(),
        NaiveOperand::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|item| quote(item))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// Binding strength for the minimal-parentheses printer: higher binds tighter.
fn binding(rule: &NaiveRule) -> u8 {
    match rule {
        NaiveRule::Or(..) => 1,
        NaiveRule::And(..) => 2,
        NaiveRule::Not(_) => 3,
        NaiveRule::Compare { .. } => 4,
    }
}

/// Prints with parentheses only where precedence needs them (`-or` < `-and` < `-not` <
/// comparison) when `minimal`, or around every operand otherwise.
fn print(rule: &NaiveRule, minimal: bool) -> String {
    let child = |inner: &NaiveRule, required: u8| {
        let text = print(inner, minimal);
        if !minimal || binding(inner) < required {
            format!("({text})")
        } else {
            text
        }
    };
    match rule {
        NaiveRule::Compare {
            property,
            operator,
            operand,
        } => format!("device.{property} -{operator} {}", operand_text(operand)),
        NaiveRule::Not(inner) => format!("-not {}", child(inner, 3)),
        // Left operands may share the operator's level (left-associative chain); right
        // operands of the same level need parentheses to keep this tree's shape.
        NaiveRule::And(left, right) => format!("{} -and {}", child(left, 2), child(right, 3)),
        NaiveRule::Or(left, right) => format!("{} -or {}", child(left, 1), child(right, 2)),
    }
}

// ---- generators --------------------------------------------------------------------------

/// Operators each property allows, per the §2.6 table.
fn properties() -> Vec<(&'static str, &'static [&'static str])> {
    const ALL_STRING: &[&str] = &[
        "eq",
        "ne",
        "startsWith",
        "notStartsWith",
        "endsWith",
        "notEndsWith",
        "contains",
        "notContains",
        "in",
        "notIn",
    ];
    const IDS: &[&str] = &["eq", "ne", "in", "notIn"];
    const EQUALITY: &[&str] = &["eq", "ne"];
    const COLLECTION: &[&str] = &["contains", "notContains"];
    vec![
        ("deviceId", IDS),
        ("displayName", ALL_STRING),
        ("deviceOwnership", EQUALITY),
        ("enrollmentProfileName", ALL_STRING),
        ("isCompliant", EQUALITY),
        ("manufacturer", ALL_STRING),
        ("model", ALL_STRING),
        ("operatingSystem", ALL_STRING),
        ("operatingSystemVersion", ALL_STRING),
        ("mdmAppId", IDS),
        ("physicalIds", COLLECTION),
        ("profileType", EQUALITY),
        ("systemLabels", COLLECTION),
        ("trustType", EQUALITY),
        ("extensionAttribute1", ALL_STRING),
        ("extensionAttribute9", ALL_STRING),
        ("extensionAttribute15", ALL_STRING),
    ]
}

/// A small alphabet so that equal, prefix and substring relations happen often, with case
/// variants, non-ASCII letters and the characters the string syntax escapes.
fn small_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            "a", "A", "b", "é", "É", "İ", "i", " ", "\"", "`", "\\",
        ]),
        0..4,
    )
    .prop_map(|parts| parts.concat())
}

fn comparison() -> impl Strategy<Value = NaiveRule> {
    prop::sample::select(properties()).prop_flat_map(|(property, operators)| {
        let operator = prop::sample::select(operators.to_vec());
        operator.prop_flat_map(move |operator| {
            let operand = if property == "isCompliant" {
                any::<bool>().prop_map(NaiveOperand::Boolean).boxed()
            } else if operator == "in" || operator == "notIn" {
                proptest::collection::vec(small_text(), 1..4)
                    .prop_map(NaiveOperand::List)
                    .boxed()
            } else {
                small_text().prop_map(NaiveOperand::Text).boxed()
            };
            operand.prop_map(move |operand| NaiveRule::Compare {
                property,
                operator,
                operand,
            })
        })
    })
}

fn naive_rule() -> impl Strategy<Value = NaiveRule> {
    comparison().prop_recursive(5, 24, 2, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|rule| NaiveRule::Not(Box::new(rule))),
            (inner.clone(), inner.clone())
                .prop_map(|(left, right)| NaiveRule::And(Box::new(left), Box::new(right))),
            (inner.clone(), inner)
                .prop_map(|(left, right)| NaiveRule::Or(Box::new(left), Box::new(right))),
        ]
    })
}

fn naive_value(property: &'static str) -> BoxedStrategy<NaiveValue> {
    let present = if property == "isCompliant" {
        any::<bool>().prop_map(NaiveValue::Boolean).boxed()
    } else if property == "physicalIds" || property == "systemLabels" {
        proptest::collection::vec(small_text(), 0..3)
            .prop_map(NaiveValue::Collection)
            .boxed()
    } else {
        small_text().prop_map(NaiveValue::Text).boxed()
    };
    prop_oneof![1 => Just(NaiveValue::Null), 3 => present].boxed()
}

fn naive_device() -> impl Strategy<Value = HashMap<&'static str, NaiveValue>> {
    let strategies: Vec<_> = properties()
        .into_iter()
        .map(|(property, _)| naive_value(property).prop_map(move |value| (property, value)))
        .collect();
    strategies.prop_map(|pairs| pairs.into_iter().collect())
}

/// Builds the real `DeviceProperties` from the naive map.
fn real_device(naive: &HashMap<&'static str, NaiveValue>) -> DeviceProperties {
    let mut device = DeviceProperties::default();
    for (name, value) in naive {
        let property = DeviceProperty::from_name(name).expect("generator uses real names");
        match value {
            NaiveValue::Null => {}
            NaiveValue::Text(text) => {
                *device.text_mut(property).expect("a string property") = Some(text.clone());
            }
            NaiveValue::Boolean(flag) => device.is_compliant = Some(*flag),
            NaiveValue::Collection(items) => match *name {
                "physicalIds" => device.physical_ids = Some(items.clone()),
                _ => device.system_labels = Some(items.clone()),
            },
        }
    }
    device
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn real_evaluator_agrees_with_the_naive_one(
        rule in naive_rule(),
        devices in proptest::collection::vec(naive_device(), 1..6),
        minimal in any::<bool>(),
    ) {
        let text = print(&rule, minimal);
        let parsed = parse(&text).map_err(|error| TestCaseError::fail(format!("{text}: {error}")))?;
        for device in &devices {
            prop_assert_eq!(
                parsed.matches(&real_device(device)),
                naive_matches(&rule, device),
                "rule {} on {:?}", text, device
            );
        }
        // The canonical form parses back to the same rule.
        let canonical = parsed.to_string();
        prop_assert_eq!(parse(&canonical).ok(), Some(parsed), "canonical {}", canonical);
    }

    #[test]
    fn unregistered_devices_match_exactly_the_negative_operators(rule in comparison()) {
        let text = print(&rule, true);
        let parsed = parse(&text).map_err(|error| TestCaseError::fail(format!("{text}: {error}")))?;
        let NaiveRule::Compare { operator, .. } = &rule else { unreachable!("a comparison") };
        prop_assert_eq!(
            parsed.matches(&DeviceProperties::default()),
            NEGATIVE_OPERATORS.contains(operator)
        );
    }
}
