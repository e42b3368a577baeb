//! Splits a device filter rule into tokens.
//!
//! Lexical rules (documented for admins in `mod.rs`):
//! * whitespace separates tokens and is otherwise ignored;
//! * `(` `)` `[` `]` `,` are punctuation;
//! * `-name` (or `–name` with an en dash, as Microsoft's docs print it) is an operator;
//! * a bare word (ASCII letters, digits, `_`, `.`) is a property, a boolean or an operator
//!   written without its optional hyphen;
//! * `"…"` is a string in which `` `" `` stands for `"` and ``` `` ``` for `` ` `` (Microsoft
//!   documents the backtick as the escape character of membership rules); `'…'` is a string in
//!   which `''` stands for `'`.

use super::error::DeviceFilterError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TokenKind {
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    /// `-name`: the name without its hyphen, as written.
    Dashed(String),
    /// A bare word as written.
    Word(String),
    /// A quoted string with its escapes resolved.
    Text(String),
    End,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: TokenKind,
    /// 0-based character offset of the token's first character.
    pub position: usize,
}

/// Longest excerpt of a token quoted back in an error message.
const EXCERPT_CHARS: usize = 40;

impl Token {
    /// How the token reads in an error message ("found …").
    pub fn describe(&self) -> String {
        match &self.kind {
            TokenKind::LeftParen => "'('".to_owned(),
            TokenKind::RightParen => "')'".to_owned(),
            TokenKind::LeftBracket => "'['".to_owned(),
            TokenKind::RightBracket => "']'".to_owned(),
            TokenKind::Comma => "','".to_owned(),
            TokenKind::Dashed(name) => format!("-{}", excerpt(name)),
            TokenKind::Word(word) => excerpt(word),
            TokenKind::Text(text) => format!("\"{}\"", excerpt(text)),
            TokenKind::End => "end of rule".to_owned(),
        }
    }

    /// The word, for a bare word or a `-word`, so operators work with or without hyphen.
    pub fn name(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::Dashed(name) | TokenKind::Word(name) => Some(name),
            _ => None,
        }
    }
}

/// A short, single-line rendering of user text for an error message: control characters
/// are escaped so a rule cannot inject line breaks into logs.
fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let mut shown: String = chars
        .by_ref()
        .take(EXCERPT_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if chars.next().is_some() {
        shown.push('…');
    }
    shown
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

fn is_dash(c: char) -> bool {
    // U+2013 EN DASH: Microsoft's docs print `–eq`, and admins paste from them.
    c == '-' || c == '\u{2013}'
}

pub(super) struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    position: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(rule: &'a str) -> Self {
        Self {
            chars: rule.chars().peekable(),
            position: 0,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let next = self.chars.next();
        if next.is_some() {
            self.position += 1;
        }
        next
    }

    fn take_word(&mut self) -> String {
        let mut word = String::new();
        while let Some(&c) = self.chars.peek() {
            if !is_word_char(c) {
                break;
            }
            word.push(c);
            self.bump();
        }
        word
    }

    pub fn next_token(&mut self) -> Result<Token, DeviceFilterError> {
        while self.chars.peek().is_some_and(|c| c.is_whitespace()) {
            self.bump();
        }
        let position = self.position;
        let token = |kind| Ok(Token { kind, position });
        let Some(&c) = self.chars.peek() else {
            return token(TokenKind::End);
        };
        let punctuation = match c {
            '(' => Some(TokenKind::LeftParen),
            ')' => Some(TokenKind::RightParen),
            '[' => Some(TokenKind::LeftBracket),
            ']' => Some(TokenKind::RightBracket),
            ',' => Some(TokenKind::Comma),
            _ => None,
        };
        if let Some(kind) = punctuation {
            self.bump();
            return token(kind);
        }
        if c == '"' || c == '\'' {
            self.bump();
            let text = if c == '"' {
                self.double_quoted(position)?
            } else {
                self.single_quoted(position)?
            };
            return token(TokenKind::Text(text));
        }
        if is_dash(c) {
            self.bump();
            let name = self.take_word();
            if name.is_empty() {
                return Err(DeviceFilterError::new(
                    position,
                    "expected an operator name such as -eq or -and after '-'",
                ));
            }
            return token(TokenKind::Dashed(name));
        }
        if is_word_char(c) {
            return token(TokenKind::Word(self.take_word()));
        }
        Err(DeviceFilterError::new(
            position,
            format!(
                "unexpected character '{}'; string values must be in double quotes",
                c.escape_debug()
            ),
        ))
    }

    /// Reads the rest of a `"…"` string after its opening quote.
    fn double_quoted(&mut self, start: usize) -> Result<String, DeviceFilterError> {
        let mut text = String::new();
        loop {
            match self.bump() {
                None => return Err(unterminated(start, '"')),
                Some('"') => return Ok(text),
                Some('`') => match self.chars.peek() {
                    Some(&escaped @ ('"' | '`')) => {
                        self.bump();
                        text.push(escaped);
                    }
                    // A lone backtick is an ordinary character.
                    _ => text.push('`'),
                },
                Some(c) => text.push(c),
            }
        }
    }

    /// Reads the rest of a `'…'` string after its opening quote.
    fn single_quoted(&mut self, start: usize) -> Result<String, DeviceFilterError> {
        let mut text = String::new();
        loop {
            match self.bump() {
                None => return Err(unterminated(start, '\'')),
                Some('\'') => {
                    if self.chars.peek() == Some(&'\'') {
                        self.bump();
                        text.push('\'');
                    } else {
                        return Ok(text);
                    }
                }
                Some(c) => text.push(c),
            }
        }
    }
}

fn unterminated(start: usize, quote: char) -> DeviceFilterError {
    DeviceFilterError::new(
        start,
        format!("the string that starts here is never closed (missing {quote})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(rule: &str) -> Vec<TokenKind> {
        let mut lexer = Lexer::new(rule);
        let mut kinds = Vec::new();
        loop {
            let token = lexer.next_token().expect("lexes");
            if token.kind == TokenKind::End {
                return kinds;
            }
            kinds.push(token.kind);
        }
    }

    #[test]
    fn splits_a_comparison() {
        assert_eq!(
            kinds("device.model -eq \"a b\""),
            vec![
                TokenKind::Word("device.model".into()),
                TokenKind::Dashed("eq".into()),
                TokenKind::Text("a b".into()),
            ]
        );
    }

    #[test]
    fn resolves_escapes() {
        assert_eq!(
            kinds("\"say `\"hi`\"\""),
            vec![TokenKind::Text("say \"hi\"".into())]
        );
        assert_eq!(kinds("\"a``b`c\""), vec![TokenKind::Text("a`b`c".into())]);
        assert_eq!(kinds("'it''s'"), vec![TokenKind::Text("it's".into())]);
        assert_eq!(
            kinds(r#""C:\dir\""#),
            vec![TokenKind::Text(r"C:\dir\".into())]
        );
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let mut lexer = Lexer::new("\"é\" x");
        lexer.next_token().expect("string");
        assert_eq!(lexer.next_token().expect("word").position, 4);
    }

    #[test]
    fn en_dash_is_a_hyphen() {
        assert_eq!(kinds("\u{2013}eq"), vec![TokenKind::Dashed("eq".into())]);
    }
}
