//! This node's view of the store's security epochs (continuous access evaluation).
//!
//! # Why polling a version, not LISTEN/NOTIFY or a plain TTL
//!
//! Every security-relevant write bumps the affected user's epoch in the store, in the same
//! transaction, through triggers (`portcullis_store::security_epochs`). A node keeps
//! judgements of sessions in memory and asks the store "which users moved since position
//! N?" at most once per [`EpochTracker::poll_interval`] (default one second); a cached
//! judgement is used only while the user's and the directory-wide epoch have not moved
//! past the ones it was loaded at. So a disable, password reset, high user risk or revoke
//! reaches every node within the interval, on SQLite and PostgreSQL alike.
//!
//! - LISTEN/NOTIFY would be faster, but a notification lost while a listener reconnects
//!   goes unnoticed, and SQLite has nothing like it; the poll is one indexed query per
//!   node per second, whatever the request rate, and it cannot miss a change: positions
//!   are assigned in commit order.
//! - A TTL alone bounds staleness only by the TTL, which would have to be a second long
//!   and would reload every session every second.
//! - Polling happens on the request path (no background task): the first request after
//!   the interval polls while the others wait for it, so an idle node does nothing and a
//!   busy one polls once per interval. If the store cannot be read, requests fail closed.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use portcullis_core::UserId;
use portcullis_store::Store;

use crate::error::{ServiceError, ServiceResult};

/// Users read per poll; beyond it the cache is dropped as a whole (a bulk change).
const POLL_LIMIT: u32 = 1_000;

/// The epochs a cached judgement was made at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EpochStamp {
    /// The user's epoch, read from the store before the judged data.
    pub user: i64,
    /// The directory-wide epoch, read with it.
    pub global: i64,
    /// This node's poll position when the load began.
    pub position: i64,
}

/// What the tracker knows after a poll.
#[derive(Debug, Default)]
struct Known {
    /// Users whose epoch moved while this node was up, with when it learnt of it
    /// (forgotten after the cache TTL: every judgement older than that is gone anyway).
    users: HashMap<UserId, (i64, Instant)>,
}

/// Follows the store's security epochs for one node.
pub struct EpochTracker {
    poll_interval: Duration,
    forget_after: Duration,
    started: Instant,
    /// Milliseconds since `started` of the last successful poll (0: never).
    last_poll_ms: AtomicU64,
    /// Next position to poll from.
    position: AtomicI64,
    global_epoch: AtomicI64,
    policy_version: AtomicI64,
    /// Everything cached before this is void (a truncated poll: too many users moved).
    flushed_at_position: AtomicI64,
    known: RwLock<Known>,
    /// One poll at a time; the others wait for its result.
    polling: tokio::sync::Mutex<()>,
}

impl EpochTracker {
    /// `forget_after` must be at least the longest time a judgement is cached.
    pub fn new(poll_interval: Duration, forget_after: Duration) -> Self {
        EpochTracker {
            poll_interval,
            forget_after,
            started: Instant::now(),
            last_poll_ms: AtomicU64::new(0),
            position: AtomicI64::new(0),
            global_epoch: AtomicI64::new(0),
            policy_version: AtomicI64::new(0),
            flushed_at_position: AtomicI64::new(0),
            known: RwLock::new(Known::default()),
            polling: tokio::sync::Mutex::new(()),
        }
    }

    pub fn poll_interval(&self) -> Duration {
        self.poll_interval
    }

    /// Makes sure the view is at most one poll interval old, polling the store if not.
    pub async fn ensure_fresh(&self, store: &dyn Store) -> ServiceResult<()> {
        if self.is_fresh() {
            return Ok(());
        }
        let _guard = self.polling.lock().await;
        // Another request may have polled while this one waited.
        if self.is_fresh() {
            return Ok(());
        }
        self.poll(store).await
    }

    fn is_fresh(&self) -> bool {
        let last = self.last_poll_ms.load(Ordering::Acquire);
        last != 0 && self.elapsed_ms().saturating_sub(last) < self.poll_interval.as_millis() as u64
    }

    fn elapsed_ms(&self) -> u64 {
        // +1 so that a poll in the first millisecond is not taken for "never".
        self.started.elapsed().as_millis() as u64 + 1
    }

    async fn poll(&self, store: &dyn Store) -> ServiceResult<()> {
        let after = self.position.load(Ordering::Acquire);
        let changes = store
            .security_changes_since(after, POLL_LIMIT)
            .await
            .map_err(ServiceError::from)?;
        let now = Instant::now();
        {
            let mut known = self.known.write().map_err(|_| poisoned())?;
            known
                .users
                .retain(|_, (_, learnt)| now.duration_since(*learnt) < self.forget_after);
            if changes.truncated {
                // Too many to list: void everything loaded before this position.
                self.flushed_at_position
                    .store(changes.head, Ordering::Release);
                known.users.clear();
            } else {
                for change in changes.users {
                    known.users.insert(change.user_id, (change.epoch, now));
                }
            }
        }
        self.global_epoch
            .store(changes.global_epoch, Ordering::Release);
        self.policy_version
            .store(changes.policy_version, Ordering::Release);
        self.position
            .store(changes.head.max(after), Ordering::Release);
        self.last_poll_ms
            .store(self.elapsed_ms(), Ordering::Release);
        Ok(())
    }

    /// Whether a judgement made at `stamp` for `user` still stands.
    pub fn still_current(&self, user: &UserId, stamp: EpochStamp) -> bool {
        if stamp.global < self.global_epoch.load(Ordering::Acquire) {
            return false;
        }
        if stamp.position < self.flushed_at_position.load(Ordering::Acquire) {
            // Loaded before a bulk change this node could not list one by one.
            return false;
        }
        match self.known.read() {
            Ok(known) => known
                .users
                .get(user)
                .is_none_or(|(epoch, _)| *epoch <= stamp.user),
            Err(_) => false,
        }
    }

    /// Makes the next request poll: a change this node just wrote is seen at once here.
    pub fn mark_stale(&self) {
        self.last_poll_ms.store(0, Ordering::Release);
    }

    /// Where this node's view stands; read it before loading anything to be judged.
    pub fn position(&self) -> i64 {
        self.position.load(Ordering::Acquire)
    }

    /// The directory-wide epoch as of the last poll.
    pub fn global_epoch(&self) -> i64 {
        self.global_epoch.load(Ordering::Acquire)
    }

    /// The policy version as of the last poll.
    pub fn policy_version(&self) -> i64 {
        self.policy_version.load(Ordering::Acquire)
    }
}

fn poisoned() -> ServiceError {
    ServiceError::Internal("security epoch lock poisoned".into())
}
