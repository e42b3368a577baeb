//! Recursive-descent parser for device filter rules.
//!
//! ```text
//! rule       := or END
//! or         := and ( "-or" and )*
//! and        := unary ( "-and" unary )*
//! unary      := "-not" unary | primary
//! primary    := "(" or ")" | comparison
//! comparison := "device." NAME OPERATOR operand
//! operand    := STRING | BOOLEAN | "[" STRING ( "," STRING )* "]"
//! ```
//! Precedence, lowest first: `-or` < `-and` < `-not` < comparisons (the dynamic-membership
//! order of `shared/reference/entra.md` §2.6).

use super::error::DeviceFilterError;
use super::lexer::{Lexer, Token, TokenKind};
use super::operator::Operator;
use super::property::{DeviceProperty, PropertyKind};
use super::rule::{Comparison, DeviceFilterRule, Expression, Operand, RuleText};
use super::{MAX_NESTING_DEPTH, MAX_RULE_CHARS};

const PROPERTY_PREFIX: &str = "device.";

/// Parses a rule; see [`super::parse`].
pub(super) fn parse_rule(rule: &str) -> Result<DeviceFilterRule, DeviceFilterError> {
    if rule.chars().nth(MAX_RULE_CHARS).is_some() {
        return Err(DeviceFilterError::new(
            MAX_RULE_CHARS,
            format!(
                "the rule is {} characters long; the maximum is {MAX_RULE_CHARS}",
                rule.chars().count()
            ),
        ));
    }
    if rule.trim().is_empty() {
        return Err(DeviceFilterError::new(
            0,
            "the rule is empty; write a condition such as device.isCompliant -eq True",
        ));
    }
    let mut parser = Parser::new(rule)?;
    let expression = parser.or()?;
    if parser.current.kind != TokenKind::End {
        let message = if parser.current.kind == TokenKind::RightParen {
            "found ')' without a matching '('".to_owned()
        } else {
            format!(
                "expected -and, -or or the end of the rule, found {}",
                parser.current.describe()
            )
        };
        return Err(parser.error(message));
    }
    Ok(DeviceFilterRule::new(expression))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Logical {
    And,
    Or,
    Not,
}

fn logical(token: &Token) -> Option<Logical> {
    let name = token.name()?;
    [
        ("and", Logical::And),
        ("or", Logical::Or),
        ("not", Logical::Not),
    ]
    .into_iter()
    .find(|(keyword, _)| keyword.eq_ignore_ascii_case(name))
    .map(|(_, logical)| logical)
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    current: Token,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(rule: &'a str) -> Result<Self, DeviceFilterError> {
        let mut lexer = Lexer::new(rule);
        let current = lexer.next_token()?;
        Ok(Self {
            lexer,
            current,
            depth: 0,
        })
    }

    fn advance(&mut self) -> Result<Token, DeviceFilterError> {
        let next = self.lexer.next_token()?;
        Ok(std::mem::replace(&mut self.current, next))
    }

    fn error(&self, message: impl Into<String>) -> DeviceFilterError {
        DeviceFilterError::new(self.current.position, message)
    }

    /// Guards recursion so no input can exhaust the stack.
    fn descend(&mut self) -> Result<(), DeviceFilterError> {
        self.depth += 1;
        if self.depth > MAX_NESTING_DEPTH {
            return Err(self.error(format!(
                "parentheses and -not are nested more than {MAX_NESTING_DEPTH} levels deep"
            )));
        }
        Ok(())
    }

    fn ascend(&mut self) {
        self.depth -= 1;
    }

    fn or(&mut self) -> Result<Expression, DeviceFilterError> {
        let first = self.and()?;
        if logical(&self.current) != Some(Logical::Or) {
            return Ok(first);
        }
        let mut operands = vec![first];
        while logical(&self.current) == Some(Logical::Or) {
            self.advance()?;
            operands.push(self.and()?);
        }
        Ok(Expression::Or(operands))
    }

    fn and(&mut self) -> Result<Expression, DeviceFilterError> {
        let first = self.unary()?;
        if logical(&self.current) != Some(Logical::And) {
            return Ok(first);
        }
        let mut operands = vec![first];
        while logical(&self.current) == Some(Logical::And) {
            self.advance()?;
            operands.push(self.unary()?);
        }
        Ok(Expression::And(operands))
    }

    fn unary(&mut self) -> Result<Expression, DeviceFilterError> {
        if logical(&self.current) != Some(Logical::Not) {
            return self.primary();
        }
        self.descend()?;
        self.advance()?;
        let operand = self.unary()?;
        self.ascend();
        Ok(Expression::Not(Box::new(operand)))
    }

    fn primary(&mut self) -> Result<Expression, DeviceFilterError> {
        match &self.current.kind {
            TokenKind::LeftParen => {
                self.descend()?;
                let open = self.advance()?;
                let inner = self.or()?;
                if self.current.kind != TokenKind::RightParen {
                    return Err(self.error(format!(
                        "expected ')' to close the '(' at column {}, found {}",
                        open.position + 1,
                        self.current.describe()
                    )));
                }
                self.advance()?;
                self.ascend();
                Ok(inner)
            }
            TokenKind::Word(_) if logical(&self.current).is_none() => {
                Ok(Expression::Comparison(self.comparison()?))
            }
            _ => Err(self.error(format!(
                "expected a condition such as device.isCompliant -eq True, found {}",
                self.current.describe()
            ))),
        }
    }

    fn comparison(&mut self) -> Result<Comparison, DeviceFilterError> {
        let property = self.property()?;
        let property_token = self.advance()?;
        let operator = self.operator(property, &property_token)?;
        let operator_token = self.advance()?;
        let operand = self.operand(property, operator, &operator_token)?;
        Ok(Comparison::new(property, operator, operand))
    }

    fn property(&self) -> Result<DeviceProperty, DeviceFilterError> {
        let written = self.current.name().unwrap_or_default();
        let Some((object, name)) = written.split_once('.') else {
            return Err(self.error(format!(
                "expected a device property such as device.displayName, found {written}"
            )));
        };
        if !object.eq_ignore_ascii_case(PROPERTY_PREFIX.trim_end_matches('.')) {
            return Err(self.error(format!(
                "a device filter can only test device properties (device.<property>), found {written}"
            )));
        }
        DeviceProperty::from_name(name).ok_or_else(|| {
            self.error(format!(
                "unknown device property {written}; known properties are {}",
                known_property_names()
            ))
        })
    }

    fn operator(
        &self,
        property: DeviceProperty,
        property_token: &Token,
    ) -> Result<Operator, DeviceFilterError> {
        let Some(name) = self.current.name() else {
            return Err(self.error(format!(
                "expected an operator such as -eq after {}, found {}",
                property_token.describe(),
                self.current.describe()
            )));
        };
        let Some(operator) = Operator::from_name(name) else {
            let message = if Operator::is_unsupported_dynamic_group_operator(name) {
                format!(
                    "-{name} is not supported in device filters; {property} allows {}",
                    operator_list(property)
                )
            } else {
                format!(
                    "expected an operator such as -eq after {}, found {}",
                    property_token.describe(),
                    self.current.describe()
                )
            };
            return Err(self.error(message));
        };
        if !property.allows(operator) {
            return Err(self.error(format!(
                "{property} does not support {operator}; it allows {}",
                operator_list(property)
            )));
        }
        Ok(operator)
    }

    fn operand(
        &mut self,
        property: DeviceProperty,
        operator: Operator,
        operator_token: &Token,
    ) -> Result<Operand, DeviceFilterError> {
        let written_operator = operator_token.describe();
        if self.current.kind == TokenKind::End {
            return Err(self.error(format!(
                "expected a value after {written_operator}, found end of rule"
            )));
        }
        if property.kind() == PropertyKind::Boolean {
            return self.boolean(&written_operator).map(Operand::Boolean);
        }
        if operator.takes_list() {
            return self.list(&written_operator).map(Operand::List);
        }
        self.text(&format!("after {written_operator}"))
            .map(Operand::Text)
    }

    /// `True`/`False`, bare or quoted (Microsoft's table writes `-eq "True"`), any case.
    fn boolean(&mut self, written_operator: &str) -> Result<bool, DeviceFilterError> {
        let written = match &self.current.kind {
            TokenKind::Word(word) | TokenKind::Text(word) => Some(word.as_str()),
            _ => None,
        };
        let value = match written {
            Some(word) if word.eq_ignore_ascii_case("true") => true,
            Some(word) if word.eq_ignore_ascii_case("false") => false,
            _ => {
                return Err(self.error(format!(
                    "expected True or False after {written_operator}, found {}",
                    self.current.describe()
                )));
            }
        };
        self.advance()?;
        Ok(value)
    }

    fn text(&mut self, context: &str) -> Result<RuleText, DeviceFilterError> {
        let TokenKind::Text(text) = &self.current.kind else {
            return Err(self.error(format!(
                "expected a string in double quotes {context}, found {}",
                self.current.describe()
            )));
        };
        let text = RuleText::new(text.clone());
        self.advance()?;
        Ok(text)
    }

    fn list(&mut self, written_operator: &str) -> Result<Vec<RuleText>, DeviceFilterError> {
        if self.current.kind != TokenKind::LeftBracket {
            return Err(self.error(format!(
                "expected a list such as [\"a\", \"b\"] after {written_operator}, found {}",
                self.current.describe()
            )));
        }
        self.advance()?;
        if self.current.kind == TokenKind::RightBracket {
            return Err(self.error(format!(
                "the list after {written_operator} is empty; give at least one value"
            )));
        }
        let mut items = vec![self.text("in the list")?];
        loop {
            match self.current.kind {
                TokenKind::Comma => {
                    self.advance()?;
                    items.push(self.text("in the list")?);
                }
                TokenKind::RightBracket => {
                    self.advance()?;
                    return Ok(items);
                }
                _ => {
                    return Err(self.error(format!(
                        "expected ',' or ']' in the list after {written_operator}, found {}",
                        self.current.describe()
                    )));
                }
            }
        }
    }
}

fn operator_list(property: DeviceProperty) -> String {
    property
        .allowed_operators()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn known_property_names() -> String {
    let mut names: Vec<String> = DeviceProperty::all()
        .filter(|property| !matches!(property, DeviceProperty::ExtensionAttribute(_)))
        .map(|property| property.to_string())
        .collect();
    names.push("device.extensionAttribute1 … device.extensionAttribute15".to_owned());
    names.join(", ")
}
