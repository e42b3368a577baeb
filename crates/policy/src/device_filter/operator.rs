//! Comparison operators of the device filter grammar.

use std::fmt;

/// A comparison operator. Each negative operator is the exact complement of its positive
/// counterpart, null properties included: a positive operator never matches a null
/// property and a negative one always does (`shared/reference/entra.md` §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
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
}

const OPERATOR_NAMES: [(Operator, &str); 10] = [
    (Operator::Eq, "eq"),
    (Operator::Ne, "ne"),
    (Operator::StartsWith, "startsWith"),
    (Operator::NotStartsWith, "notStartsWith"),
    (Operator::EndsWith, "endsWith"),
    (Operator::NotEndsWith, "notEndsWith"),
    (Operator::Contains, "contains"),
    (Operator::NotContains, "notContains"),
    (Operator::In, "in"),
    (Operator::NotIn, "notIn"),
];

/// Operators of the dynamic-membership grammar that Conditional Access device filters do not
/// accept; naming them gives a better error than "unknown operator".
const UNSUPPORTED_DYNAMIC_GROUP_OPERATORS: [&str; 8] =
    ["match", "notmatch", "any", "all", "le", "ge", "lt", "gt"];

impl Operator {
    /// Every operator, in canonical order.
    pub const ALL: [Operator; 10] = [
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

    /// Looks up an operator by name without its hyphen, ignoring case (`eq`, `StartsWith`).
    pub fn from_name(name: &str) -> Option<Self> {
        OPERATOR_NAMES
            .iter()
            .find(|(_, canonical)| canonical.eq_ignore_ascii_case(name))
            .map(|(operator, _)| *operator)
    }

    /// Whether `name` is a dynamic-membership operator that device filters reject.
    pub(crate) fn is_unsupported_dynamic_group_operator(name: &str) -> bool {
        UNSUPPORTED_DYNAMIC_GROUP_OPERATORS
            .iter()
            .any(|unsupported| unsupported.eq_ignore_ascii_case(name))
    }

    /// The canonical name without the hyphen, e.g. `startsWith`.
    pub fn name(self) -> &'static str {
        OPERATOR_NAMES
            .iter()
            .find(|(operator, _)| *operator == self)
            .map_or("eq", |(_, name)| name)
    }

    /// True for `Ne`, `NotStartsWith`, `NotEndsWith`, `NotContains`, `NotIn`.
    pub fn is_negative(self) -> bool {
        self.positive() != self
    }

    /// The positive counterpart (`NotIn` → `In`); positive operators map to themselves.
    pub fn positive(self) -> Operator {
        match self {
            Operator::Ne => Operator::Eq,
            Operator::NotStartsWith => Operator::StartsWith,
            Operator::NotEndsWith => Operator::EndsWith,
            Operator::NotContains => Operator::Contains,
            Operator::NotIn => Operator::In,
            positive => positive,
        }
    }

    /// Whether the operand is a list (`-in`, `-notIn`).
    pub fn takes_list(self) -> bool {
        self.positive() == Operator::In
    }
}

/// Prints the canonical spelling with its hyphen, e.g. `-notStartsWith`.
impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "-{}", self.name())
    }
}
