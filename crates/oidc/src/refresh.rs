//! Refresh tokens with rotation and reuse detection (RFC 9700 §4.14.2).
//!
//! Every use of a refresh token rotates it: the presented token is marked rotated and
//! a new one in the same family is issued. Presenting a token that was already rotated
//! means two parties hold it, one of them an attacker; since we cannot tell which, the
//! whole family is revoked and both must sign in again.
//!
//! The glue persists the transition with a compare-and-set on [`RefreshState::Active`];
//! losing that race means another request rotated the token first, which is itself a
//! reuse: the glue revokes the family. There is deliberately no grace period for
//! retries: a client that lost the response signs in again.
//!
//! Conditional Access at refresh (disabled user, changed password, risk, policy) is
//! judged by the sign-in service before the new token is handed out; if it fails, the
//! glue revokes the family and answers `invalid_grant` with the reason.

use serde::{Deserialize, Serialize};

use crate::client::{ClientConfig, GrantType};
use crate::error::{ErrorCode, OAuthError};
use crate::scope::{OFFLINE_ACCESS, Scope};

/// Whether a code or device grant gets a refresh token: the client must be allowed
/// the refresh grant and must have asked for `offline_access` (OpenID Connect Core
/// §11), so an app that only signs users in holds no long-lived credential.
pub fn should_issue_refresh_token(client: &ClientConfig, scope: &Scope) -> bool {
    client.allows_grant(GrantType::RefreshToken) && scope.contains(OFFLINE_ACCESS)
}

/// Lifetimes of refresh tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshPolicy {
    /// How long one token is valid if unused (sliding).
    pub token_lifetime_secs: i64,
    /// How long a family may live from its first token, however often it is used.
    pub family_lifetime_secs: i64,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        // Entra's defaults: 90 days of inactivity; the family cap keeps a stolen
        // token from living forever by being used.
        RefreshPolicy {
            token_lifetime_secs: 90 * 24 * 3600,
            family_lifetime_secs: 365 * 24 * 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum RefreshState {
    Active,
    Rotated { at: i64 },
    Revoked { at: i64 },
}

/// One refresh token of a family. The token value itself is never here; the glue
/// stores its hash next to this record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshTokenRecord {
    pub id: String,
    pub family_id: String,
    pub client_id: String,
    pub subject: Option<String>,
    pub session_id: Option<String>,
    /// The scope granted at sign-in; every token of the family carries the same one
    /// (RFC 6749 §6).
    pub scope: Scope,
    /// The authorization code the family came from, so a code reuse can revoke it.
    pub origin_code_id: Option<String>,
    pub family_started_at: i64,
    pub issued_at: i64,
    pub expires_at: i64,
    pub state: RefreshState,
}

/// Who starts a family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFamily {
    pub client_id: String,
    pub subject: Option<String>,
    pub session_id: Option<String>,
    pub scope: Scope,
    pub origin_code_id: Option<String>,
}

/// The token request's side of a refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshRedemption<'a> {
    pub client_id: &'a str,
    /// A narrower scope for the new access token.
    pub scope: Option<&'a Scope>,
    pub now: i64,
}

/// A successful rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The presented token, now rotated (store with compare-and-set on Active).
    pub rotated: RefreshTokenRecord,
    /// The new token to store and hand out.
    pub issued: RefreshTokenRecord,
    /// The scope of the new access token (narrowed if asked).
    pub access_scope: Scope,
}

/// What the glue must do when a refresh is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshEffect {
    RevokeFamily(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct RefreshRejection {
    pub error: OAuthError,
    pub effect: Option<RefreshEffect>,
}

impl RefreshTokenRecord {
    /// The first token of a new family; `id` (from the caller's random source) also
    /// names the family.
    pub fn start_family(id: String, family: NewFamily, policy: &RefreshPolicy, now: i64) -> Self {
        RefreshTokenRecord {
            family_id: id.clone(),
            id,
            client_id: family.client_id,
            subject: family.subject,
            session_id: family.session_id,
            scope: family.scope,
            origin_code_id: family.origin_code_id,
            family_started_at: now,
            issued_at: now,
            expires_at: next_expiry(now, now, policy),
            state: RefreshState::Active,
        }
    }

    pub fn is_live(&self, now: i64) -> bool {
        self.state == RefreshState::Active && now < self.expires_at
    }

    /// RFC 6749 §6 with rotation. Checks, in order: reuse (revokes the family),
    /// revocation, client, expiry, scope.
    pub fn rotate(
        &self,
        request: &RefreshRedemption<'_>,
        new_id: String,
        policy: &RefreshPolicy,
    ) -> Result<Rotation, RefreshRejection> {
        let reject = |error| RefreshRejection {
            error,
            effect: None,
        };
        match self.state {
            RefreshState::Rotated { .. } => {
                return Err(RefreshRejection {
                    error: OAuthError::invalid_grant(
                        "the refresh token was already used; every token of its family is revoked",
                    ),
                    effect: Some(RefreshEffect::RevokeFamily(self.family_id.clone())),
                });
            }
            RefreshState::Revoked { .. } => {
                return Err(reject(OAuthError::invalid_grant(
                    "the refresh token was revoked",
                )));
            }
            RefreshState::Active => {}
        }
        if request.client_id != self.client_id {
            return Err(reject(OAuthError::invalid_grant(
                "the refresh token was issued to another client",
            )));
        }
        if request.now >= self.expires_at {
            return Err(reject(OAuthError::invalid_grant(
                "the refresh token has expired",
            )));
        }
        let access_scope = match request.scope {
            Some(asked) if !asked.is_subset_of(&self.scope) => {
                return Err(reject(OAuthError::new(
                    ErrorCode::InvalidScope,
                    "a refresh may only narrow the scope originally granted",
                )));
            }
            Some(asked) => asked.clone(),
            None => self.scope.clone(),
        };
        let mut rotated = self.clone();
        rotated.state = RefreshState::Rotated { at: request.now };
        let issued = RefreshTokenRecord {
            id: new_id,
            issued_at: request.now,
            expires_at: next_expiry(self.family_started_at, request.now, policy),
            state: RefreshState::Active,
            ..self.clone()
        };
        Ok(Rotation {
            rotated,
            issued,
            access_scope,
        })
    }
}

fn next_expiry(family_started_at: i64, now: i64, policy: &RefreshPolicy) -> i64 {
    now.saturating_add(policy.token_lifetime_secs)
        .min(family_started_at.saturating_add(policy.family_lifetime_secs))
}

/// A whole family in memory: the reference model of the rules above, and usable by
/// a glue whose store loads families at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshFamily {
    pub tokens: Vec<RefreshTokenRecord>,
}

impl RefreshFamily {
    pub fn start(first: RefreshTokenRecord) -> Self {
        RefreshFamily {
            tokens: vec![first],
        }
    }

    /// Presents token `presented_id`, applying the resulting transition or effect.
    pub fn refresh(
        &mut self,
        presented_id: &str,
        request: &RefreshRedemption<'_>,
        new_id: String,
        policy: &RefreshPolicy,
    ) -> Result<RefreshTokenRecord, OAuthError> {
        let index = self
            .tokens
            .iter()
            .position(|t| t.id == presented_id)
            .ok_or_else(|| OAuthError::invalid_grant("unknown refresh token"))?;
        match self.tokens[index].rotate(request, new_id, policy) {
            Ok(rotation) => {
                self.tokens[index] = rotation.rotated;
                self.tokens.push(rotation.issued.clone());
                Ok(rotation.issued)
            }
            Err(rejection) => {
                if let Some(RefreshEffect::RevokeFamily(_)) = rejection.effect {
                    self.revoke_all(request.now);
                }
                Err(rejection.error)
            }
        }
    }

    /// Revokes every token not already revoked (reuse, logout, admin action, RFC 7009).
    pub fn revoke_all(&mut self, now: i64) {
        for token in &mut self.tokens {
            if !matches!(token.state, RefreshState::Revoked { .. }) {
                token.state = RefreshState::Revoked { at: now };
            }
        }
    }

    pub fn live_tokens(&self, now: i64) -> impl Iterator<Item = &RefreshTokenRecord> {
        self.tokens.iter().filter(move |t| t.is_live(now))
    }
}
