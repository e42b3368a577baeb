//! Request parameters from a query string or a form body, as `(name, value)` pairs.
//!
//! RFC 6749 §3.1 and §3.2: parameters sent without a value are treated as omitted, and
//! request parameters must not be included more than once. A duplicated parameter is
//! remembered rather than rejected here, because *where* the error goes depends on
//! which parameter it was (a duplicated `redirect_uri` cannot be redirected to).

use std::collections::{BTreeMap, BTreeSet};

/// Longest parameter value accepted. Bounds what a request can make us store (state,
/// nonce, login_hint end up in the authorization code record).
pub const MAX_VALUE_LEN: usize = 4096;
/// Longest JWT-valued parameter (`id_token_hint`, `client_assertion`, `token`): an ID
/// token carrying 200 group ids is already about 8 KiB.
pub const MAX_JWT_VALUE_LEN: usize = 16384;

fn max_len_for(name: &str) -> usize {
    match name {
        "id_token_hint" | "client_assertion" | "token" | "access_token" => MAX_JWT_VALUE_LEN,
        _ => MAX_VALUE_LEN,
    }
}

/// The parameters of one request, with duplicates noted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, String>,
    duplicated: BTreeSet<String>,
    too_long: BTreeSet<String>,
}

/// What was wrong with one parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("parameter {0} is included more than once")]
    Duplicated(String),
    #[error("parameter {0} is too long")]
    TooLong(String),
}

impl Params {
    /// Collects pairs. Empty values are dropped (RFC 6749 §3.1), every other name
    /// seen twice is marked as duplicated.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut params = Params::default();
        for (name, value) in pairs {
            let (name, value) = (name.as_ref(), value.as_ref());
            if value.is_empty() {
                continue;
            }
            if value.len() > max_len_for(name) {
                params.too_long.insert(name.to_owned());
            }
            if params.values.contains_key(name) {
                params.duplicated.insert(name.to_owned());
            } else {
                params.values.insert(name.to_owned(), value.to_owned());
            }
        }
        params
    }

    /// Parses an `application/x-www-form-urlencoded` string (a query or form body).
    pub fn from_urlencoded(input: &str) -> Self {
        Self::from_pairs(form_urlencoded::parse(input.as_bytes()))
    }

    /// The value of `name`, or an error if it was sent twice or is too long.
    pub fn get(&self, name: &str) -> Result<Option<&str>, ParamError> {
        if self.duplicated.contains(name) {
            return Err(ParamError::Duplicated(name.to_owned()));
        }
        if self.too_long.contains(name) {
            return Err(ParamError::TooLong(name.to_owned()));
        }
        Ok(self.values.get(name).map(String::as_str))
    }

    /// Whether `name` was sent at all (even duplicated).
    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The first problem among all parameters, for endpoints where every parameter
    /// error is answered the same way.
    pub fn first_problem(&self) -> Option<ParamError> {
        if let Some(name) = self.duplicated.iter().next() {
            return Some(ParamError::Duplicated(name.clone()));
        }
        self.too_long
            .iter()
            .next()
            .map(|name| ParamError::TooLong(name.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_count_as_omitted() {
        let p = Params::from_pairs([("state", ""), ("nonce", "n")]);
        assert_eq!(p.get("state"), Ok(None));
        assert_eq!(p.get("nonce"), Ok(Some("n")));
    }

    #[test]
    fn duplicates_are_reported_by_name() {
        let p = Params::from_pairs([("scope", "openid"), ("scope", "openid")]);
        assert_eq!(p.get("scope"), Err(ParamError::Duplicated("scope".into())));
        assert_eq!(
            p.first_problem(),
            Some(ParamError::Duplicated("scope".into()))
        );
    }

    #[test]
    fn urlencoded_input_is_decoded() {
        let p = Params::from_urlencoded("redirect_uri=https%3A%2F%2Fa.example%2Fcb&x=a+b");
        assert_eq!(p.get("redirect_uri"), Ok(Some("https://a.example/cb")));
        assert_eq!(p.get("x"), Ok(Some("a b")));
    }

    #[test]
    fn overlong_values_are_refused() {
        let long = "a".repeat(MAX_VALUE_LEN + 1);
        let p = Params::from_pairs([("state", long.as_str())]);
        assert_eq!(p.get("state"), Err(ParamError::TooLong("state".into())));
        let hint = "a".repeat(MAX_VALUE_LEN * 2);
        let p = Params::from_pairs([("id_token_hint", hint.as_str())]);
        assert_eq!(p.get("id_token_hint"), Ok(Some(hint.as_str())));
        let huge = "a".repeat(MAX_JWT_VALUE_LEN + 1);
        let p = Params::from_pairs([("id_token_hint", huge.as_str())]);
        assert!(p.get("id_token_hint").is_err());
    }
}
