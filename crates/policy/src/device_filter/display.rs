//! Prints a parsed rule back in canonical form: `device.<camelCase>`, hyphenated camelCase
//! operators, `True`/`False`, double-quoted strings, `["a", "b"]` lists, and only the
//! parentheses the tree needs. Parsing the printed form gives back the same rule, with one
//! caveat found by fuzzing: canonical spacing can make the text longer than what the admin
//! wrote (`device.model-eq"a"` prints as `device.model -eq "a"`), so a rule close to the
//! 3072-character limit may print longer than the limit and then no longer parse. Store and
//! export the rule text as written; use the canonical form for display.

use std::fmt::{self, Display, Formatter, Write};

use super::rule::{Comparison, DeviceFilterRule, Expression, Operand, RuleText};

impl Display for DeviceFilterRule {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expression().fmt(f)
    }
}

impl Display for Expression {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expression::Comparison(comparison) => comparison.fmt(f),
            // `-not -not x` needs no parentheses; anything else gets them for readability
            // (`-not (device.trustType -eq "AzureAD")`).
            Expression::Not(inner) if matches!(**inner, Expression::Not(_)) => {
                write!(f, "-not {inner}")
            }
            Expression::Not(inner) => write!(f, "-not ({inner})"),
            // A nested And/Or came from parentheses in the text (the parser flattens
            // chains), so printing it in parentheses rebuilds the same tree.
            Expression::And(operands) => write_joined(f, operands, "-and", |operand| {
                matches!(operand, Expression::And(_) | Expression::Or(_))
            }),
            Expression::Or(operands) => write_joined(f, operands, "-or", |operand| {
                matches!(operand, Expression::Or(_))
            }),
        }
    }
}

fn write_joined(
    f: &mut Formatter<'_>,
    operands: &[Expression],
    separator: &str,
    needs_parentheses: impl Fn(&Expression) -> bool,
) -> fmt::Result {
    for (index, operand) in operands.iter().enumerate() {
        if index > 0 {
            write!(f, " {separator} ")?;
        }
        if needs_parentheses(operand) {
            write!(f, "({operand})")?;
        } else {
            write!(f, "{operand}")?;
        }
    }
    Ok(())
}

impl Display for Comparison {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.property(),
            self.operator(),
            self.operand()
        )
    }
}

impl Display for Operand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Text(text) => text.fmt(f),
            Operand::Boolean(true) => f.write_str("True"),
            Operand::Boolean(false) => f.write_str("False"),
            Operand::List(items) => {
                f.write_char('[')?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    item.fmt(f)?;
                }
                f.write_char(']')
            }
        }
    }
}

/// A double-quoted string; `"` and `` ` `` are escaped with a backtick.
impl Display for RuleText {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for c in self.as_str().chars() {
            if c == '"' || c == '`' {
                f.write_char('`')?;
            }
            f.write_char(c)?;
        }
        f.write_char('"')
    }
}
