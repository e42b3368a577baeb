//! Wakes event streams and waiting sign-ins when an approval is created or settled.
//!
//! The store is the truth; this is only a doorbell. Changes made on this node ring it at
//! once; changes made on other nodes (several nodes on one PostgreSQL) are picked up by
//! one node-wide feed task that reads the store's change feed every
//! [`FEED_INTERVAL`] — one query per node, however many devices are connected. The feed
//! starts with the first subscriber and stops when the last `PushService` is dropped.
//! Listeners re-read the store on every ring, so a duplicate or a missed ring (a lagging
//! receiver re-syncs) never changes an outcome.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use portcullis_core::UserId;
use portcullis_store::Store;
use portcullis_store::push_state::PushApprovalRecord;
use time::OffsetDateTime;
use tokio::sync::broadcast;

/// How often the feed reads changes made by other nodes.
pub const FEED_INTERVAL: Duration = Duration::from_millis(250);
/// The feed re-reads this far back, so a change committed late (a slow transaction, a
/// node whose clock is a little behind) is still seen; seen versions are skipped.
const FEED_OVERLAP: time::Duration = time::Duration::seconds(3);
const CHANNEL_CAPACITY: usize = 4096;

/// One approval changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalChange {
    pub approval_id: String,
    pub user_id: UserId,
    pub state: String,
    pub version: i64,
}

impl From<&PushApprovalRecord> for ApprovalChange {
    fn from(record: &PushApprovalRecord) -> Self {
        Self {
            approval_id: record.id.clone(),
            user_id: record.user_id.clone(),
            state: record.state.clone(),
            version: record.version,
        }
    }
}

pub struct Hub {
    sender: broadcast::Sender<ApprovalChange>,
    feed_started: AtomicBool,
    /// (approval id, version) → change time, for de-duplication within the overlap.
    seen: Mutex<HashMap<(String, i64), OffsetDateTime>>,
}

impl Hub {
    pub fn new() -> Arc<Self> {
        let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
        Arc::new(Self {
            sender,
            feed_started: AtomicBool::new(false),
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// Rings for a change this node made (and remembers it, so the feed does not ring
    /// again for it).
    pub fn publish(&self, record: &PushApprovalRecord) {
        if self.mark_seen(record) {
            let _ = self.sender.send(ApprovalChange::from(record));
        }
    }

    /// A receiver of every change; starts the feed on first use.
    pub fn subscribe(
        self: &Arc<Self>,
        store: &Arc<dyn Store>,
    ) -> broadcast::Receiver<ApprovalChange> {
        if !self.feed_started.swap(true, Ordering::SeqCst) {
            tokio::spawn(feed(Arc::downgrade(self), Arc::clone(store)));
        }
        self.sender.subscribe()
    }

    /// How many listeners are attached (streams and waiting sign-ins).
    pub fn listeners(&self) -> usize {
        self.sender.receiver_count()
    }

    fn mark_seen(&self, record: &PushApprovalRecord) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return true;
        };
        seen.insert(
            (record.id.clone(), record.version),
            record.changed_date_time,
        )
        .is_none()
    }

    fn forget_before(&self, before: OffsetDateTime) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.retain(|_, at| *at >= before);
        }
    }
}

async fn feed(hub: Weak<Hub>, store: Arc<dyn Store>) {
    let mut cursor = OffsetDateTime::now_utc() - FEED_OVERLAP;
    let mut interval = tokio::time::interval(FEED_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let Some(hub) = hub.upgrade() else {
            return;
        };
        match store
            .push_approvals_changed_since(cursor - FEED_OVERLAP, 1000)
            .await
        {
            Ok(changes) => {
                for record in &changes {
                    cursor = cursor.max(record.changed_date_time);
                    hub.publish(record);
                }
                hub.forget_before(cursor - FEED_OVERLAP * 2);
            }
            Err(error) => tracing::warn!(%error, "push change feed read failed; retrying"),
        }
    }
}
