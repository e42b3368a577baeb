//! `acr_values` (OpenID Connect Core §3.1.2.1): the authentication context class
//! references a client asks for. Portcullis understands two kinds: Entra-style
//! authentication contexts `c1` … `c99`, which select the Conditional Access policies
//! targeting that context (step-up), and anything else, which names an authentication
//! strength by id (built-in or custom) for the policy layer to resolve.

use serde::{Deserialize, Serialize};

/// The highest authentication context id Entra allows (c1 … c99).
pub const MAX_AUTHENTICATION_CONTEXT: u8 = 99;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AcrValue {
    /// `cN`: the authentication context with id `cN`.
    AuthenticationContext(u8),
    /// Any other value, e.g. an authentication strength id.
    Strength(String),
}

impl AcrValue {
    /// Classifies one value. `c` followed by 1…99 without a leading zero is a
    /// context; `c0`, `c100` or `c07` are not, and are kept verbatim as strength ids
    /// (which will then match nothing rather than the wrong context).
    pub fn parse(value: &str) -> Self {
        let context = value
            .strip_prefix('c')
            .filter(|digits| !digits.starts_with('0') && (1..=2).contains(&digits.len()))
            .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse::<u8>().ok())
            .filter(|n| (1..=MAX_AUTHENTICATION_CONTEXT).contains(n));
        match context {
            Some(n) => AcrValue::AuthenticationContext(n),
            None => AcrValue::Strength(value.to_owned()),
        }
    }

    /// The wire form, as it goes into the ID token's `acr` claim.
    pub fn as_claim(&self) -> String {
        match self {
            AcrValue::AuthenticationContext(n) => format!("c{n}"),
            AcrValue::Strength(id) => id.clone(),
        }
    }
}

/// Parses a space-separated `acr_values` parameter, keeping the client's order of
/// preference and dropping repeats.
pub fn parse_acr_values(value: &str) -> Vec<AcrValue> {
    let mut out: Vec<AcrValue> = Vec::new();
    for acr in value
        .split(' ')
        .filter(|v| !v.is_empty())
        .map(AcrValue::parse)
    {
        if !out.contains(&acr) {
            out.push(acr);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_and_strengths_are_told_apart() {
        assert_eq!(
            parse_acr_values("c1 c25 c99 c0 c100 c07 00000000-0000-0000-0000-000000000004 c1"),
            vec![
                AcrValue::AuthenticationContext(1),
                AcrValue::AuthenticationContext(25),
                AcrValue::AuthenticationContext(99),
                AcrValue::Strength("c0".into()),
                AcrValue::Strength("c100".into()),
                AcrValue::Strength("c07".into()),
                AcrValue::Strength("00000000-0000-0000-0000-000000000004".into()),
            ]
        );
        assert_eq!(AcrValue::AuthenticationContext(7).as_claim(), "c7");
    }
}
