//! Scopes (RFC 6749 §3.3): space-delimited, case-sensitive tokens, order irrelevant.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

pub const OPENID: &str = "openid";
pub const PROFILE: &str = "profile";
pub const EMAIL: &str = "email";
pub const GROUPS: &str = "groups";
pub const OFFLINE_ACCESS: &str = "offline_access";

/// A set of scope tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope(BTreeSet<String>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scope token {0:?} contains a character RFC 6749 §3.3 does not allow")]
pub struct InvalidScope(pub String);

impl Scope {
    /// Parses a `scope` value. Runs of spaces are tolerated; characters outside
    /// `%x21 / %x23-5B / %x5D-7E` (no `"`, no `\`, nothing non-ASCII) are not.
    pub fn parse(value: &str) -> Result<Self, InvalidScope> {
        let mut set = BTreeSet::new();
        for token in value.split(' ').filter(|t| !t.is_empty()) {
            let allowed = token
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b));
            if !allowed {
                return Err(InvalidScope(token.to_owned()));
            }
            set.insert(token.to_owned());
        }
        Ok(Scope(set))
    }

    pub fn from_tokens<I: IntoIterator<Item = S>, S: Into<String>>(tokens: I) -> Self {
        Scope(tokens.into_iter().map(Into::into).collect())
    }

    pub fn contains(&self, token: &str) -> bool {
        self.0.contains(token)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every token here is also in `other` (narrowing at refresh, RFC 6749 §6).
    pub fn is_subset_of(&self, other: &Scope) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for token in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(token)?;
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_sorted_unique() {
        let s = Scope::parse("openid  email openid profile").unwrap();
        assert_eq!(s.to_string(), "email openid profile");
        assert!(s.contains(OPENID));
    }

    #[test]
    fn refuses_quotes_backslashes_and_non_ascii() {
        assert!(Scope::parse("open\"id").is_err());
        assert!(Scope::parse("a\\b").is_err());
        assert!(Scope::parse("é").is_err());
    }

    #[test]
    fn subset_is_narrowing() {
        let all = Scope::parse("openid email profile").unwrap();
        assert!(Scope::parse("openid email").unwrap().is_subset_of(&all));
        assert!(!Scope::parse("openid groups").unwrap().is_subset_of(&all));
    }
}
