//! Helpers shared by the scenarios: files, a store wrapper that fails on cue, audit
//! chain reading.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use portcullis_bulk_import::{ImportTarget, Progress, ProgressSnapshot, StopSignal};
use portcullis_core::{
    AuditRecord, ChainedAuditRecord, Group, GroupId, MemberRef, User, verify_chain,
};
use portcullis_store::{Batch, CommitReceipt, Store, StoreError, StoreResult};
use serde_json::Value;

pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// A users CSV of `n` generated rows (`user{i}@example.com`).
pub fn users_csv(n: usize) -> String {
    let mut csv = String::from("userPrincipalName,displayName,department\n");
    for i in 1..=n {
        csv.push_str(&format!("user{i}@example.com,User {i},Dept {}\n", i % 7));
    }
    csv
}

/// Every audit record, oldest first, after checking the chain end to end.
pub async fn verified_audit(store: &Arc<dyn Store>) -> Vec<AuditRecord> {
    let start = store.audit_chain_start().await.unwrap();
    let mut records: Vec<ChainedAuditRecord> = Vec::new();
    let mut after = start.seq;
    loop {
        let page = store.read_audit_chain(after, 1000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        records.extend(page);
    }
    let head = verify_chain(start, &records).expect("the audit chain verifies");
    assert_eq!(head, store.audit_chain_head().await.unwrap());
    records.into_iter().map(|r| r.record).collect()
}

pub fn activities(records: &[AuditRecord], activity: &str) -> usize {
    records
        .iter()
        .filter(|r| r.activity_display_name == activity)
        .count()
}

/// Passes everything to the store, but fails every commit after the first `allowed`
/// as if the database went away (a crash from the importer's point of view).
pub struct FailingAfter {
    pub store: Arc<dyn Store>,
    pub allowed: AtomicUsize,
}

impl FailingAfter {
    pub fn new(store: Arc<dyn Store>, allowed: usize) -> Self {
        FailingAfter {
            store,
            allowed: AtomicUsize::new(allowed),
        }
    }
}

#[async_trait]
impl ImportTarget for FailingAfter {
    async fn commit(&self, batch: Batch) -> StoreResult<CommitReceipt> {
        let left = self.allowed.load(Ordering::SeqCst);
        if left == 0 {
            return Err(StoreError::Backend(
                "simulated crash: the database is gone".into(),
            ));
        }
        self.allowed.store(left - 1, Ordering::SeqCst);
        self.store.commit(batch).await
    }
    async fn find_user_by_upn(&self, upn: &str) -> StoreResult<Option<User>> {
        ImportTarget::find_user_by_upn(&self.store, upn).await
    }
    async fn find_group(&self, id: &GroupId) -> StoreResult<Option<Group>> {
        self.store.find_group(id).await
    }
    async fn find_groups_by_name(&self, name: &str, limit: u32) -> StoreResult<Vec<Group>> {
        self.store.find_groups_by_name(name, limit).await
    }
    async fn list_member_of(&self, member: &MemberRef) -> StoreResult<Vec<GroupId>> {
        ImportTarget::list_member_of(&self.store, member).await
    }
    async fn get_setting(&self, key: &str) -> StoreResult<Option<Value>> {
        ImportTarget::get_setting(&self.store, key).await
    }
}

/// Presses "stop" once `after` progress updates have been seen (an operator's Ctrl-C).
pub struct StopAfter {
    pub stop: StopSignal,
    pub after: usize,
    pub seen: AtomicUsize,
}

impl Progress for StopAfter {
    fn update(&self, _snapshot: &ProgressSnapshot) {
        if self.seen.fetch_add(1, Ordering::SeqCst) + 1 >= self.after {
            self.stop.stop();
        }
    }
}
