//! Forward-auth judgements cached inside a session's cache entry.
//!
//! A judgement is keyed by the application, the policy version and the request facts
//! Conditional Access reads besides the session (client IP, user agent); the
//! session's entry itself is keyed by the session and dropped when the user's or the
//! directory-wide security epoch moves, so the full key is (session, app, policy version,
//! user epoch, request facts).

use std::net::IpAddr;
use std::sync::Arc;

use time::OffsetDateTime;

use super::apps::ProtectedApp;
use super::identity_token::SignedIdentity;

/// What a judgement depends on besides the session and the policy version.
#[derive(Debug, Clone)]
pub struct DecisionKey {
    /// Shared with the routing table (no per-session copy of the application).
    pub application: Arc<ProtectedApp>,
    pub client_ip: Option<IpAddr>,
    /// A hash of the user agent (device platform conditions read it).
    pub user_agent: u64,
}

impl PartialEq for DecisionKey {
    fn eq(&self, other: &Self) -> bool {
        (Arc::ptr_eq(&self.application, &other.application)
            || self.application.id == other.application.id)
            && self.client_ip == other.client_ip
            && self.user_agent == other.user_agent
    }
}

/// One cached judgement.
#[derive(Debug, Clone)]
pub struct DecisionSlot {
    pub key: DecisionKey,
    /// The policy version it was made at; a newer version seen by the epoch poll voids it.
    pub policy_version: i64,
    /// After this the judgement is made again (sign-in frequency falling due).
    pub valid_until: OffsetDateTime,
    pub verdict: CachedVerdict,
    /// The signed identity JWT for an allowed judgement (compact: see
    /// [`SignedIdentity`]); `None` when no signing key was usable.
    pub identity: Option<SignedIdentity>,
}

/// The part of a forward-auth answer that does not depend on the request URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CachedVerdict {
    /// Let the request through with these identity headers (the user's, shared by
    /// all of the user's sessions).
    Allow {
        headers: Arc<Vec<(&'static str, String)>>,
    },
    /// Sign in again, or prove a stronger method (step-up).
    SignIn,
    /// Refused whatever the user does in a browser now (block, device compliance).
    Deny,
}
