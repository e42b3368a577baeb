//! Token revocation (RFC 7009). The endpoint answers 200 whether or not the token
//! existed (§2.2), so it reveals nothing about tokens. A token that belongs to another
//! client is left alone and also answered with 200: RFC 7009 §2.1 would refuse it with
//! an error, but that error would tell a holder of a stolen token that it is valid.
//!
//! Request parsing is shared with introspection: [`crate::introspection::parse_token_and_hint`].

use crate::introspection::TokenTypeHint;

/// What the glue found for the presented token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundToken {
    pub kind: TokenTypeHint,
    pub client_id: String,
    /// The refresh family (for refresh tokens) or the access token's `jti`.
    pub id: String,
}

/// What to revoke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationEffect {
    /// Revoke the whole refresh family (RFC 7009 §2.1: revoking a refresh token
    /// should also end the grant it belongs to).
    RevokeRefreshFamily(String),
    /// Deny-list this access token's `jti` until it expires.
    RevokeAccessToken(String),
    /// Unknown token or another client's: nothing to do; still answer 200.
    Nothing,
}

/// Decides what revocation does for `caller_client_id`.
pub fn revocation_effect(found: Option<&FoundToken>, caller_client_id: &str) -> RevocationEffect {
    match found {
        Some(token) if token.client_id == caller_client_id => match token.kind {
            TokenTypeHint::RefreshToken => RevocationEffect::RevokeRefreshFamily(token.id.clone()),
            TokenTypeHint::AccessToken => RevocationEffect::RevokeAccessToken(token.id.clone()),
        },
        _ => RevocationEffect::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owning_client_revokes_and_unknown_is_a_no_op() {
        let refresh = FoundToken {
            kind: TokenTypeHint::RefreshToken,
            client_id: "web-app".into(),
            id: "family-1".into(),
        };
        assert_eq!(
            revocation_effect(Some(&refresh), "web-app"),
            RevocationEffect::RevokeRefreshFamily("family-1".into())
        );
        assert_eq!(
            revocation_effect(Some(&refresh), "other"),
            RevocationEffect::Nothing
        );
        assert_eq!(
            revocation_effect(None, "web-app"),
            RevocationEffect::Nothing
        );
        let access = FoundToken {
            kind: TokenTypeHint::AccessToken,
            ..refresh
        };
        assert_eq!(
            revocation_effect(Some(&access), "web-app"),
            RevocationEffect::RevokeAccessToken("family-1".into())
        );
    }
}
