//! Authorization codes (RFC 6749 §4.1.2, §4.1.3, §10.5): short-lived, bound to the
//! client, the redirect URI and the PKCE challenge, and usable once.
//!
//! Redemption is a pure state transition. The glue stores the record keyed by a hash of
//! the code value, calls [`AuthorizationCode::redeem`], and must persist the result with
//! a compare-and-set on [`CodeState::Unused`]: if another request redeemed the code in
//! between, the glue treats its own request as a reuse and carries out
//! [`CodeEffect::RevokeIssuedFrom`] itself.

use serde::{Deserialize, Serialize};

use crate::error::OAuthError;
use crate::pkce::{CodeChallenge, check_code_verifier};
use crate::scope::Scope;

/// How long a code is valid. RFC 6749 §4.1.2 recommends at most ten minutes; the
/// browser redirect takes well under a second, so a minute leaves room for slow RPs
/// while keeping a stolen code's window small.
pub const CODE_LIFETIME_SECS: i64 = 60;

/// Whether a code has been used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum CodeState {
    Unused,
    Redeemed { at: i64 },
}

/// What a successful sign-in granted, to be carried by the code into the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<CodeChallenge>,
    pub nonce: Option<String>,
    pub scope: Scope,
    /// The user's id (the ID token's `sub`).
    pub subject: String,
    /// When the user last actively authenticated (Unix seconds).
    pub auth_time: i64,
    /// The SSO session (the ID token's `sid`).
    pub session_id: String,
    pub amr: Vec<String>,
    pub acr: Option<String>,
}

/// A stored authorization code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationCode {
    /// A stable id for the code (not the code value), which every token issued from
    /// it records, so that reuse can revoke them.
    pub id: String,
    pub grant: CodeGrant,
    pub issued_at: i64,
    pub expires_at: i64,
    pub state: CodeState,
}

/// The token request's side of a redemption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRedemption<'a> {
    /// The authenticated client (or the public client's `client_id`).
    pub client_id: &'a str,
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
    pub now: i64,
}

/// What the glue must do after a redemption attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeEffect {
    /// Store the updated record (compare-and-set on `Unused`).
    MarkRedeemed(String),
    /// The code was used twice: revoke every token issued from this code id
    /// (RFC 6749 §4.1.2 and §10.5).
    RevokeIssuedFrom(String),
}

/// A code that was accepted: its updated record and what to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemedCode {
    pub code: AuthorizationCode,
    pub effect: CodeEffect,
}

/// A refused redemption, with the effect to carry out even though the request fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct CodeRejection {
    pub error: OAuthError,
    pub effect: Option<CodeEffect>,
}

impl AuthorizationCode {
    /// A new code record for `grant`; `id` comes from the caller's random source.
    pub fn issue(id: String, grant: CodeGrant, now: i64) -> Self {
        AuthorizationCode {
            id,
            grant,
            issued_at: now,
            expires_at: now.saturating_add(CODE_LIFETIME_SECS),
            state: CodeState::Unused,
        }
    }

    /// RFC 6749 §4.1.3 with RFC 7636 §4.6. Checks, in order: reuse (which also
    /// revokes), client, expiry, redirect URI, PKCE. Only a reuse changes anything
    /// when the request fails, so a wrong guess cannot burn a legitimate client's code.
    pub fn redeem(&self, request: &CodeRedemption<'_>) -> Result<RedeemedCode, CodeRejection> {
        let reject = |description: &str| CodeRejection {
            error: OAuthError::invalid_grant(description),
            effect: None,
        };
        if let CodeState::Redeemed { .. } = self.state {
            return Err(CodeRejection {
                error: OAuthError::invalid_grant(
                    "the authorization code was already used; tokens issued from it are revoked",
                ),
                effect: Some(CodeEffect::RevokeIssuedFrom(self.id.clone())),
            });
        }
        if request.client_id != self.grant.client_id {
            return Err(reject(
                "the authorization code was issued to another client",
            ));
        }
        if request.now >= self.expires_at {
            return Err(reject("the authorization code has expired"));
        }
        // OpenID Connect always sends redirect_uri in the authorization request, so
        // RFC 6749 §4.1.3 makes it required here, and identical.
        if request.redirect_uri != Some(self.grant.redirect_uri.as_str()) {
            return Err(reject(
                "redirect_uri must be identical to the one in the authorization request",
            ));
        }
        check_code_verifier(self.grant.code_challenge.as_ref(), request.code_verifier)
            .map_err(|e| reject(&e.to_string()))?;
        let mut code = self.clone();
        code.state = CodeState::Redeemed { at: request.now };
        Ok(RedeemedCode {
            effect: CodeEffect::MarkRedeemed(code.id.clone()),
            code,
        })
    }
}
