//! Device filter rules (`conditions.devices.deviceFilter.rule`): grammar and evaluation,
//! as `shared/reference/entra.md` §2.6 describes them.
//!
//! # Grammar
//!
//! A rule is one or more comparisons `device.<property> -<operator> <value>` combined with
//! `-and`, `-or`, `-not` and parentheses, e.g.
//! `device.trustType -ne "ServerAD" -or device.isCompliant -ne True`.
//!
//! * **Precedence**, lowest first: `-or` < `-and` < `-not` < comparisons, so
//!   `a -or b -and -not c` reads `a -or (b -and (-not c))`.
//! * **Names** of operators and properties ignore case (`-EQ`, `device.deviceid`); the
//!   hyphen before an operator is optional as in dynamic membership rules (`device.model eq
//!   "x" and …`), and an en dash (`–eq`, as Microsoft's docs print it) counts as a hyphen.
//! * **Properties and operators** exactly as the §2.6 table: for example `deviceId` allows
//!   only `-eq -ne -in -notIn`, `physicalIds` only `-contains -notContains`. Any other
//!   operator is an error naming the property, the operator and the column.
//! * **Strings** are in double quotes. Inside them a backtick escapes a double quote
//!   (`` "say `"hi`"" ``) or a backtick (```` "a``b" ````), as Microsoft documents for
//!   membership rules; a lone backtick and a backslash are ordinary characters. The JSON
//!   escape `\"` seen in exported policies is JSON's own and is gone once the JSON is read.
//!   Single-quoted strings (`'it''s'`, doubling the quote) are also accepted.
//! * **Booleans** (`isCompliant` only) are `True` or `False` in any case, bare or quoted
//!   (Microsoft's table writes `device.isCompliant -eq "True"`).
//! * **Lists** for `-in`/`-notIn`: `["a", "b"]`, at least one string.
//! * At most [`MAX_RULE_CHARS`] characters, and parentheses plus `-not` nested at most
//!   [`MAX_NESTING_DEPTH`] deep. Not supported (errors): `-match`, `-any`/`-all`, `null`.
//!
//! # Matching
//!
//! String comparisons ignore case ("string operations aren't case sensitive", Microsoft's
//! membership-rule docs); see `case_fold`. `-contains` on a string is a substring test; on
//! `physicalIds`/`systemLabels` it tests for a whole element. A null property (the device
//! lacks it; an unregistered device lacks all) never matches `-eq -startsWith -endsWith
//! -contains -in` and always matches their negations, so each negative operator is exactly
//! the complement of its positive one.

mod case_fold;
mod device;
mod display;
mod error;
mod lexer;
mod operator;
mod parser;
mod property;
mod rule;

use std::str::FromStr;

pub use device::DeviceProperties;
pub use error::DeviceFilterError;
pub use operator::Operator;
pub use property::{DeviceProperty, ExtensionAttributeNumber, PropertyKind};
pub use rule::{Comparison, DeviceFilterRule, Expression, Operand, RuleText};

/// The longest rule Entra accepts, in characters.
pub const MAX_RULE_CHARS: usize = 3072;

/// How deeply parentheses and `-not` may nest; deeper rules are rejected so that no input
/// can exhaust the stack.
pub const MAX_NESTING_DEPTH: usize = 64;

/// Parses a device filter rule. Never panics; every error says where and what was wrong.
pub fn parse(rule: &str) -> Result<DeviceFilterRule, DeviceFilterError> {
    parser::parse_rule(rule)
}

impl FromStr for DeviceFilterRule {
    type Err = DeviceFilterError;

    fn from_str(rule: &str) -> Result<Self, Self::Err> {
        parse(rule)
    }
}
