//! This node's cache of validated sessions, keyed by the SHA-256 of the cookie. An entry
//! is used only while the security epochs it was loaded at still stand (see
//! [`super::epochs`]) and for at most the cache TTL; forward-auth keeps its per-app
//! judgements inside the entry, so they go when the session's entry goes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::active::ActiveSession;
use super::epochs::EpochStamp;
use crate::forward_auth::DecisionSlot;

/// Shards spread lock contention across cores.
const SHARDS: usize = 16;

/// One validated session.
pub struct CachedSession {
    pub active: Arc<ActiveSession>,
    pub stamp: EpochStamp,
    pub loaded_at: Instant,
    /// Forward-auth judgements of this session (a handful of apps at most).
    pub decisions: Mutex<Vec<DecisionSlot>>,
}

impl CachedSession {
    pub fn new(active: Arc<ActiveSession>, stamp: EpochStamp) -> Self {
        CachedSession {
            active,
            stamp,
            loaded_at: Instant::now(),
            decisions: Mutex::new(Vec::new()),
        }
    }
}

type Shard = RwLock<HashMap<[u8; 32], Arc<CachedSession>>>;

/// A bounded, sharded map. When a shard is full, entries past the TTL go first, then
/// the whole shard (a crude bound, but memory stays bounded whatever clients send, and
/// an evicted session only costs one reload).
pub struct SessionCache {
    shards: Vec<Shard>,
    per_shard: usize,
    ttl: Duration,
}

impl SessionCache {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        SessionCache {
            shards: (0..SHARDS).map(|_| RwLock::new(HashMap::new())).collect(),
            per_shard: (capacity / SHARDS).max(1),
            ttl,
        }
    }

    fn shard(&self, digest: &[u8; 32]) -> &Shard {
        &self.shards[usize::from(digest[0]) % SHARDS]
    }

    /// The entry, if present and younger than the TTL.
    pub fn get(&self, digest: &[u8; 32]) -> Option<Arc<CachedSession>> {
        let shard = self.shard(digest).read().ok()?;
        shard
            .get(digest)
            .filter(|entry| entry.loaded_at.elapsed() < self.ttl)
            .cloned()
    }

    pub fn insert(&self, digest: [u8; 32], entry: Arc<CachedSession>) {
        let Ok(mut shard) = self.shard(&digest).write() else {
            return;
        };
        if shard.len() >= self.per_shard && !shard.contains_key(&digest) {
            let ttl = self.ttl;
            shard.retain(|_, entry| entry.loaded_at.elapsed() < ttl);
            if shard.len() >= self.per_shard {
                shard.clear();
            }
        }
        shard.insert(digest, entry);
    }

    pub fn remove(&self, digest: &[u8; 32]) {
        if let Ok(mut shard) = self.shard(digest).write() {
            shard.remove(digest);
        }
    }

    /// Entries held (for metrics and tests).
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .filter_map(|shard| shard.read().ok().map(|s| s.len()))
            .sum()
    }
}
