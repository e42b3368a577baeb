//! Send counters for one-time codes (SMS, voice, email): one row per throttle key (a
//! destination, a user), claimed atomically so that two sends racing on several nodes
//! cannot both pass a limit that allows only one of them.
//!
//! The rules are a fixed window per key: at most `max_sends` sends from the window's
//! first send until `window` has passed, and at least `min_interval` between two sends.
//! A claim names every key it counts against and is all or nothing.

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::error::StoreResult;

/// One limit a send counts against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendLimit {
    /// What is counted, e.g. `destination:+15551234567` or `user:<id>`.
    pub key: String,
    /// Sends allowed per window (at least one is always allowed).
    pub max_sends: u32,
    /// Between two sends counted under this key.
    pub min_interval: Duration,
    pub window: Duration,
}

/// The answer to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendClaim {
    /// Counted under every key: send now.
    Granted,
    /// Nothing was counted; the earliest time the refusing key allows a send.
    Refused { retry_at: OffsetDateTime },
}

#[async_trait]
pub trait CodeSendStore: Send + Sync {
    /// Counts one send at `now` under every limit, or under none if any of them refuses.
    /// Atomic across connections and nodes. Counters whose last send is older than the
    /// longest window are forgotten on the way.
    async fn claim_code_send(
        &self,
        limits: &[SendLimit],
        now: OffsetDateTime,
    ) -> StoreResult<SendClaim>;
}
