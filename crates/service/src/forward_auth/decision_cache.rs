//! Forward-auth judgements cached inside a session's cache entry.
//!
//! A judgement is keyed by the application, the policy version and the request facts
//! Conditional Access reads besides the session (client IP, device platform); the
//! session's entry itself is keyed by the session and dropped when the user's or the
//! directory-wide security epoch moves, so the full key is (session, app, policy version,
//! user epoch, request facts).

use std::net::IpAddr;
use std::sync::Arc;

use portcullis_core::ApplicationId;
use time::OffsetDateTime;

/// What a judgement depends on besides the session.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DecisionKey {
    pub application: ApplicationId,
    pub policy_version: i64,
    pub client_ip: Option<IpAddr>,
    /// The device platform read from the user agent (Graph name), if any.
    pub platform: Option<&'static str>,
}

/// One cached judgement.
#[derive(Debug, Clone)]
pub struct DecisionSlot {
    pub key: DecisionKey,
    /// After this the judgement is made again (sign-in frequency falling due).
    pub valid_until: OffsetDateTime,
    pub verdict: Arc<CachedVerdict>,
}

/// The part of a forward-auth answer that does not depend on the request URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CachedVerdict {
    /// Let the request through with these identity headers.
    Allow {
        headers: Vec<(&'static str, String)>,
    },
    /// Sign in again, or prove a stronger method (step-up).
    SignIn,
    /// Refused whatever the user does in a browser now (block, device compliance).
    Deny,
}
