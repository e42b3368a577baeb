//! The parsed form of a device filter rule and its evaluation against a device.

use super::case_fold;
use super::device::DeviceProperties;
use super::operator::Operator;
use super::property::{DeviceProperty, PropertyKind};

/// A parsed, valid device filter rule. Build one with [`super::parse`] (or `str::parse`);
/// every comparison in it uses an operator its property allows, with an operand of the right
/// kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFilterRule {
    expression: Expression,
}

/// A boolean expression over comparisons. `And`/`Or` hold two or more operands, in rule
/// order; a parenthesised group stays a nested node, so the tree mirrors the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expression {
    Comparison(Comparison),
    Not(Box<Expression>),
    And(Vec<Expression>),
    Or(Vec<Expression>),
}

/// `device.<property> -<operator> <operand>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    property: DeviceProperty,
    operator: Operator,
    operand: Operand,
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// A string constant (for text properties and collection membership).
    Text(RuleText),
    /// `True` / `False` (for `isCompliant`).
    Boolean(bool),
    /// A non-empty list of string constants (for `-in` / `-notIn`).
    List(Vec<RuleText>),
}

/// A string constant from a rule, kept as written (for display) and case-folded (for
/// comparison), so evaluation never re-folds the rule's side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleText {
    written: String,
    folded: String,
}

impl RuleText {
    pub(crate) fn new(written: String) -> Self {
        let folded = case_fold::fold(&written);
        Self { written, folded }
    }

    /// The constant as the rule wrote it (escapes resolved).
    pub fn as_str(&self) -> &str {
        &self.written
    }
}

impl DeviceFilterRule {
    pub(crate) fn new(expression: Expression) -> Self {
        Self { expression }
    }

    /// The rule's expression tree.
    pub fn expression(&self) -> &Expression {
        &self.expression
    }

    /// Whether the device matches the rule, with Entra's null semantics: a property the
    /// device lacks (`None`) never matches a positive operator and always matches a negative
    /// one, so an unregistered device (`DeviceProperties::default()`) matches
    /// `device.trustType -ne "AzureAD"` but not `device.trustType -eq "AzureAD"`.
    pub fn matches(&self, device: &DeviceProperties) -> bool {
        self.expression.matches(device)
    }
}

impl Expression {
    /// Whether the device satisfies this expression (see [`DeviceFilterRule::matches`]).
    pub fn matches(&self, device: &DeviceProperties) -> bool {
        match self {
            Expression::Comparison(comparison) => comparison.matches(device),
            Expression::Not(inner) => !inner.matches(device),
            Expression::And(operands) => operands.iter().all(|operand| operand.matches(device)),
            Expression::Or(operands) => operands.iter().any(|operand| operand.matches(device)),
        }
    }
}

impl Comparison {
    /// Callers (the parser) guarantee the property allows the operator and the operand kind
    /// fits; `matches` still answers "no match" for a positive operator on a mismatch.
    pub(crate) fn new(property: DeviceProperty, operator: Operator, operand: Operand) -> Self {
        Self {
            property,
            operator,
            operand,
        }
    }

    pub fn property(&self) -> DeviceProperty {
        self.property
    }

    pub fn operator(&self) -> Operator {
        self.operator
    }

    pub fn operand(&self) -> &Operand {
        &self.operand
    }

    /// Whether the device satisfies this comparison. A negative operator is the complement of
    /// its positive counterpart in every case, because the positive form is false on null and
    /// the negative form is true on null.
    pub fn matches(&self, device: &DeviceProperties) -> bool {
        let positive = self.matches_positive_form(device);
        if self.operator.is_negative() {
            !positive
        } else {
            positive
        }
    }

    fn matches_positive_form(&self, device: &DeviceProperties) -> bool {
        match (self.property.kind(), &self.operand) {
            (PropertyKind::Boolean, Operand::Boolean(expected)) => {
                device.boolean(self.property) == Some(*expected)
            }
            (PropertyKind::TextCollection, Operand::Text(constant)) => {
                device.text_collection(self.property).is_some_and(|items| {
                    items
                        .iter()
                        .any(|item| case_fold::equals(item, &constant.folded))
                })
            }
            (PropertyKind::Text, operand) => match device.text(self.property) {
                Some(value) => text_matches(self.operator.positive(), value, operand),
                None => false,
            },
            _ => false,
        }
    }
}

fn text_matches(positive_operator: Operator, value: &str, operand: &Operand) -> bool {
    match (positive_operator, operand) {
        (Operator::Eq, Operand::Text(constant)) => case_fold::equals(value, &constant.folded),
        (Operator::StartsWith, Operand::Text(constant)) => {
            case_fold::starts_with(value, &constant.folded)
        }
        (Operator::EndsWith, Operand::Text(constant)) => {
            case_fold::ends_with(value, &constant.folded)
        }
        (Operator::Contains, Operand::Text(constant)) => {
            case_fold::contains(value, &constant.folded)
        }
        (Operator::In, Operand::List(constants)) => constants
            .iter()
            .any(|constant| case_fold::equals(value, &constant.folded)),
        _ => false,
    }
}
