//! A parser for the subset of OData `$filter` that Microsoft Graph documents for
//! directory objects: `eq`, `ne`, `startswith(...)`, `and`, `or` and parentheses.
//!
//! Pure and total: every input either parses into a [`FilterExpr`] or returns a
//! [`FilterError`] that says where and what went wrong. Input length and nesting
//! depth are bounded so that hostile input cannot exhaust the stack.

use std::fmt;

/// Longest `$filter` accepted, in bytes. Graph itself caps URLs well below this.
pub const MAX_FILTER_LEN: usize = 4096;
/// Deepest parenthesis nesting accepted.
pub const MAX_DEPTH: usize = 32;

/// A literal on the right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Bool(bool),
    Integer(i64),
    /// An unquoted RFC 3339 date-time (`2026-01-02T03:04:05Z`), as OData writes them.
    DateTime(time::OffsetDateTime),
    Null,
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::String(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Integer(i) => write!(f, "{i}"),
            Literal::DateTime(t) => f.write_str(
                &t.format(&time::format_description::well_known::Rfc3339)
                    .map_err(|_| fmt::Error)?,
            ),
            Literal::Null => f.write_str("null"),
        }
    }
}

/// Comparison operators. Graph supports `eq`/`ne` on directory properties and the
/// ordering operators on date-times such as `activityDateTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            _ => return None,
        })
    }
}

/// A parsed `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterExpr {
    Compare {
        property: String,
        op: CompareOp,
        value: Literal,
    },
    StartsWith {
        property: String,
        prefix: String,
    },
    And(Box<FilterExpr>, Box<FilterExpr>),
    Or(Box<FilterExpr>, Box<FilterExpr>),
}

/// Why a `$filter` could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid $filter at character {position}: {message}")]
pub struct FilterError {
    /// Byte offset in the filter text where the problem was found.
    pub position: usize,
    pub message: String,
}

impl FilterError {
    fn at(position: usize, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Int(i64),
    DateTime(time::OffsetDateTime),
    LParen,
    RParen,
    Comma,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Ident(s) => format!("'{s}'"),
            Token::Str(s) => format!("string '{s}'"),
            Token::Int(i) => format!("number {i}"),
            Token::DateTime(_) => "a date-time".into(),
            Token::LParen => "'('".into(),
            Token::RParen => "')'".into(),
            Token::Comma => "','".into(),
        }
    }
}

fn tokenize(input: &str) -> Result<Vec<(usize, Token)>, FilterError> {
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(pos, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                tokens.push((pos, Token::LParen));
            }
            ')' => {
                chars.next();
                tokens.push((pos, Token::RParen));
            }
            ',' => {
                chars.next();
                tokens.push((pos, Token::Comma));
            }
            '\'' => {
                chars.next();
                let mut value = String::new();
                let mut closed = false;
                while let Some((_, c)) = chars.next() {
                    if c == '\'' {
                        // OData escapes a quote inside a string by doubling it.
                        if matches!(chars.peek(), Some((_, '\''))) {
                            chars.next();
                            value.push('\'');
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        value.push(c);
                    }
                }
                if !closed {
                    return Err(FilterError::at(pos, "unterminated string literal"));
                }
                tokens.push((pos, Token::Str(value)));
            }
            c if c == '-' || c.is_ascii_digit() => {
                // Integers and unquoted date-times (digits, '-', ':', '.', '+', 'T', 'Z').
                let mut text = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_ascii_digit()
                        || matches!(c, '-' | ':' | '.' | '+' | 'T' | 'Z' | 't' | 'z')
                    {
                        text.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let token = if let Ok(value) = text.parse::<i64>() {
                    Token::Int(value)
                } else if let Ok(at) = time::OffsetDateTime::parse(
                    &text.to_ascii_uppercase(),
                    &time::format_description::well_known::Rfc3339,
                ) {
                    Token::DateTime(at)
                } else {
                    return Err(FilterError::at(
                        pos,
                        format!("'{text}' is neither an integer nor an RFC 3339 date-time"),
                    ));
                };
                tokens.push((pos, token));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut text = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '/' || c == '.' {
                        text.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push((pos, Token::Ident(text)));
            }
            other => {
                return Err(FilterError::at(
                    pos,
                    format!("unexpected character '{other}'"),
                ));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(_, t)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(p, _)| *p)
    }

    fn bump(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.next).map(|(_, t)| t.clone());
        self.next += 1;
        token
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Ident(s)) if s.eq_ignore_ascii_case(keyword))
    }

    fn expect(&mut self, wanted: Token, what: &str) -> Result<(), FilterError> {
        let pos = self.position();
        match self.bump() {
            Some(t) if t == wanted => Ok(()),
            Some(t) => Err(FilterError::at(
                pos,
                format!("expected {what}, found {}", t.describe()),
            )),
            None => Err(FilterError::at(
                pos,
                format!("expected {what}, found end of filter"),
            )),
        }
    }

    fn depth_guard(&self, depth: usize) -> Result<(), FilterError> {
        if depth > MAX_DEPTH {
            Err(FilterError::at(
                self.position(),
                format!("expression nested deeper than {MAX_DEPTH} levels"),
            ))
        } else {
            Ok(())
        }
    }

    fn parse_or(&mut self, depth: usize) -> Result<FilterExpr, FilterError> {
        self.depth_guard(depth)?;
        let mut left = self.parse_and(depth)?;
        while self.peek_keyword("or") {
            self.bump();
            let right = self.parse_and(depth)?;
            left = FilterExpr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_and(&mut self, depth: usize) -> Result<FilterExpr, FilterError> {
        self.depth_guard(depth)?;
        let mut left = self.parse_primary(depth)?;
        while self.peek_keyword("and") {
            self.bump();
            let right = self.parse_primary(depth)?;
            left = FilterExpr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_primary(&mut self, depth: usize) -> Result<FilterExpr, FilterError> {
        self.depth_guard(depth)?;
        let pos = self.position();
        match self.bump() {
            Some(Token::LParen) => {
                let inner = self.parse_or(depth + 1)?;
                self.expect(Token::RParen, "')'")?;
                Ok(inner)
            }
            Some(Token::Ident(name)) if name.eq_ignore_ascii_case("startswith") => {
                self.expect(Token::LParen, "'(' after startswith")?;
                let property = self.parse_property()?;
                self.expect(Token::Comma, "',' in startswith")?;
                let arg_pos = self.position();
                let prefix = match self.bump() {
                    Some(Token::Str(s)) => s,
                    Some(t) => {
                        return Err(FilterError::at(
                            arg_pos,
                            format!("startswith needs a string, found {}", t.describe()),
                        ));
                    }
                    None => return Err(FilterError::at(arg_pos, "startswith needs a string")),
                };
                self.expect(Token::RParen, "')' closing startswith")?;
                Ok(FilterExpr::StartsWith { property, prefix })
            }
            Some(Token::Ident(name)) => {
                validate_property_name(pos, &name)?;
                let op_pos = self.position();
                let op = match self.bump() {
                    Some(Token::Ident(word)) if CompareOp::parse(&word).is_some() => {
                        CompareOp::parse(&word).unwrap_or(CompareOp::Eq)
                    }
                    Some(t) => {
                        return Err(FilterError::at(
                            op_pos,
                            format!(
                                "expected eq, ne, gt, ge, lt or le after '{name}', found {}",
                                t.describe()
                            ),
                        ));
                    }
                    None => {
                        return Err(FilterError::at(
                            op_pos,
                            format!("expected eq, ne, gt, ge, lt or le after '{name}'"),
                        ));
                    }
                };
                let value = self.parse_literal()?;
                Ok(FilterExpr::Compare {
                    property: name,
                    op,
                    value,
                })
            }
            Some(t) => Err(FilterError::at(
                pos,
                format!(
                    "expected a property, '(' or startswith, found {}",
                    t.describe()
                ),
            )),
            None => Err(FilterError::at(pos, "unexpected end of filter")),
        }
    }

    fn parse_property(&mut self) -> Result<String, FilterError> {
        let pos = self.position();
        match self.bump() {
            Some(Token::Ident(name)) => {
                validate_property_name(pos, &name)?;
                Ok(name)
            }
            Some(t) => Err(FilterError::at(
                pos,
                format!("expected a property, found {}", t.describe()),
            )),
            None => Err(FilterError::at(pos, "expected a property")),
        }
    }

    fn parse_literal(&mut self) -> Result<Literal, FilterError> {
        let pos = self.position();
        match self.bump() {
            Some(Token::Str(s)) => Ok(Literal::String(s)),
            Some(Token::Int(i)) => Ok(Literal::Integer(i)),
            Some(Token::DateTime(t)) => Ok(Literal::DateTime(t)),
            Some(Token::Ident(w)) if w == "true" => Ok(Literal::Bool(true)),
            Some(Token::Ident(w)) if w == "false" => Ok(Literal::Bool(false)),
            Some(Token::Ident(w)) if w == "null" => Ok(Literal::Null),
            Some(t) => Err(FilterError::at(
                pos,
                format!("expected a value, found {}", t.describe()),
            )),
            None => Err(FilterError::at(
                pos,
                "expected a value, found end of filter",
            )),
        }
    }
}

fn validate_property_name(pos: usize, name: &str) -> Result<(), FilterError> {
    const KEYWORDS: [&str; 9] = ["and", "or", "eq", "ne", "gt", "ge", "lt", "le", "not"];
    if KEYWORDS.iter().any(|k| name.eq_ignore_ascii_case(k)) {
        return Err(FilterError::at(
            pos,
            format!("expected a property, found keyword '{name}'"),
        ));
    }
    if name.contains('.') || name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return Err(FilterError::at(
            pos,
            format!("'{name}' is not a property path"),
        ));
    }
    Ok(())
}

/// Parses a `$filter` value.
pub fn parse_filter(input: &str) -> Result<FilterExpr, FilterError> {
    if input.len() > MAX_FILTER_LEN {
        return Err(FilterError::at(
            MAX_FILTER_LEN,
            format!("filter longer than {MAX_FILTER_LEN} bytes"),
        ));
    }
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Err(FilterError::at(0, "empty filter"));
    }
    let mut parser = Parser {
        tokens,
        next: 0,
        end: input.len(),
    };
    let expr = parser.parse_or(0)?;
    if let Some(t) = parser.peek() {
        let described = t.describe();
        return Err(FilterError::at(
            parser.position(),
            format!("unexpected {described} after a complete expression"),
        ));
    }
    Ok(expr)
}

impl FilterExpr {
    /// Every property the expression mentions, for checking against a resource's
    /// filterable properties.
    pub fn properties(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_properties(&mut out);
        out
    }

    fn collect_properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            FilterExpr::Compare { property, .. } | FilterExpr::StartsWith { property, .. } => {
                out.push(property)
            }
            FilterExpr::And(a, b) | FilterExpr::Or(a, b) => {
                a.collect_properties(out);
                b.collect_properties(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(property: &str, op: CompareOp, value: Literal) -> FilterExpr {
        FilterExpr::Compare {
            property: property.into(),
            op,
            value,
        }
    }

    #[test]
    fn parses_equality_on_a_string() {
        assert_eq!(
            parse_filter("userPrincipalName eq 'ada@example.com'").unwrap(),
            cmp(
                "userPrincipalName",
                CompareOp::Eq,
                Literal::String("ada@example.com".into())
            )
        );
    }

    #[test]
    fn doubled_quote_is_an_escaped_quote() {
        assert_eq!(
            parse_filter("displayName eq 'O''Brien'").unwrap(),
            cmp(
                "displayName",
                CompareOp::Eq,
                Literal::String("O'Brien".into())
            )
        );
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let parsed = parse_filter("a eq 1 or b eq true and startswith(c, 'x')").unwrap();
        assert_eq!(
            parsed,
            FilterExpr::Or(
                Box::new(cmp("a", CompareOp::Eq, Literal::Integer(1))),
                Box::new(FilterExpr::And(
                    Box::new(cmp("b", CompareOp::Eq, Literal::Bool(true))),
                    Box::new(FilterExpr::StartsWith {
                        property: "c".into(),
                        prefix: "x".into()
                    })
                ))
            )
        );
    }

    #[test]
    fn parentheses_override_precedence() {
        let parsed = parse_filter("(a ne null or b eq 'y') and c eq false").unwrap();
        assert!(matches!(parsed, FilterExpr::And(_, _)));
        assert_eq!(parsed.properties(), vec!["a", "b", "c"]);
    }

    #[test]
    fn keywords_are_case_insensitive() {
        assert!(parse_filter("a EQ 'x' AND StartsWith(b,'y')").is_ok());
    }

    #[test]
    fn errors_name_the_position_and_problem() {
        let err = parse_filter("displayName eq").unwrap_err();
        assert_eq!(err.position, 14);
        assert!(err.message.contains("expected a value"), "{err}");

        let err = parse_filter("displayName has 'a'").unwrap_err();
        assert_eq!(err.position, 12);
        assert!(err.message.contains("'has'"), "{err}");

        let err = parse_filter("displayName eq 'open").unwrap_err();
        assert!(err.message.contains("unterminated"), "{err}");

        let err = parse_filter("a eq 1 b eq 2").unwrap_err();
        assert!(err.message.contains("after a complete expression"), "{err}");

        assert!(parse_filter("").is_err());
        assert!(parse_filter("(a eq 1").is_err());
        assert!(parse_filter("startswith(a, 1)").is_err());
        assert!(parse_filter("a eq 99999999999999999999").is_err());
        assert!(parse_filter("manager/id eq 'x'").is_ok());
        assert!(parse_filter("manager//id eq 'x'").is_err());
        assert!(parse_filter("a.b eq 'x'").is_err());
        assert!(parse_filter("and eq 'x'").is_err());
    }

    #[test]
    fn ordering_operators_and_date_times() {
        let parsed = parse_filter(
            "activityDateTime ge 2026-01-02T03:04:05Z and activityDateTime lt 2026-01-03T00:00:00.5+01:00",
        )
        .unwrap();
        let FilterExpr::And(low, high) = parsed else {
            panic!("expected and");
        };
        assert_eq!(
            *low,
            FilterExpr::Compare {
                property: "activityDateTime".into(),
                op: CompareOp::Ge,
                value: Literal::DateTime(time::macros::datetime!(2026-01-02 03:04:05 UTC)),
            }
        );
        assert!(matches!(
            *high,
            FilterExpr::Compare {
                op: CompareOp::Lt,
                ..
            }
        ));
        assert!(parse_filter("a le -5").is_ok());
        let err = parse_filter("activityDateTime ge 2026-13-45").unwrap_err();
        assert!(err.message.contains("date-time"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{}a eq 1{}", "(".repeat(2000), ")".repeat(2000));
        let err = parse_filter(&deep).unwrap_err();
        assert!(err.message.contains("nested deeper"), "{err}");
    }

    #[test]
    fn overlong_input_is_refused() {
        let long = format!("a eq '{}'", "x".repeat(MAX_FILTER_LEN));
        assert!(parse_filter(&long).is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_input(input in "\\PC{0,200}") {
            let _ = parse_filter(&input);
        }

        #[test]
        fn never_panics_on_filter_like_input(
            input in "[ a-z()',0-9]{0,80}|(startswith|eq|ne|and|or|\\(|\\)|'x'|1| |,|true|null)*"
        ) {
            let _ = parse_filter(&input);
        }

        #[test]
        fn string_literals_round_trip(value in "\\PC{0,40}") {
            let text = format!("displayName eq {}", Literal::String(value.clone()));
            let parsed = parse_filter(&text).unwrap();
            proptest::prop_assert_eq!(parsed, cmp("displayName", CompareOp::Eq, Literal::String(value)));
        }
    }
}
