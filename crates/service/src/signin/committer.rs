//! Group commit of sign-in steps: a single committer task takes every step write that
//! is waiting and commits them in one database transaction (one fsync), then answers
//! each waiter with its own result.
//!
//! Failure is kept per step: when a write in a group fails, the store redoes the group
//! with a savepoint per write, so a write that loses an optimistic-concurrency race (a
//! double submit, a replayed TOTP code) fails alone. If the group's commit itself fails, the writes are retried one by
//! one, so a single write that cannot be stored (or a transient error) fails only its
//! own step and never silently drops a neighbour's log entry.

use std::sync::Arc;

use portcullis_store::{SignInStepWrite, Store, StoreError, StoreResult};
use tokio::sync::{mpsc, oneshot};

use super::break_glass_alert::BreakGlassAlerts;

/// One waiting write and where to answer.
struct Job {
    write: SignInStepWrite,
    /// False for a write that may wait for the next durable commit to reach the disk
    /// (a just-begun transaction); see `Committer::commit_relaxed`.
    durable: bool,
    reply: oneshot::Sender<StoreResult<()>>,
}

/// Handle to the committer task.
#[derive(Clone)]
pub(crate) struct Committer {
    jobs: mpsc::Sender<Job>,
    /// Every sign-in log entry passes here, whichever protocol made it.
    alerts: BreakGlassAlerts,
}

impl Committer {
    /// Starts the committer task on the current runtime. `max_group` bounds a group
    /// (1: one commit per step, the baseline the group commit is measured against).
    pub(crate) fn start(
        store: Arc<dyn Store>,
        max_group: usize,
        alerts: BreakGlassAlerts,
    ) -> Committer {
        let max_group = max_group.max(1);
        let (jobs, receiver) = mpsc::channel(max_group * 4);
        tokio::spawn(run(store, receiver, max_group));
        Committer { jobs, alerts }
    }

    /// Commits `write` (with whatever else is waiting) and returns once it is durable.
    pub(crate) async fn commit(&self, write: SignInStepWrite) -> StoreResult<()> {
        let break_glass = self.alerts.among(&write);
        self.commit_only(write).await?;
        self.alerts.raise(break_glass).await;
        Ok(())
    }

    /// Commits a just-begun sign-in transaction without waiting for the disk: it is
    /// visible to every later step at once, and on disk with the next durable commit. A
    /// begun transaction lost in a power cut costs the user a retyped name and decides
    /// nothing (no log entry, session or counter is in it), so it need not pay a fsync
    /// of its own. Committed by this same task, so it never contends with a durable group
    /// for the database's write lock; in a group with durable writes it is durable too.
    pub(crate) async fn commit_relaxed(&self, write: SignInStepWrite) -> StoreResult<()> {
        debug_assert!(
            write.sign_ins.is_empty() && write.session.is_none() && write.user_state.is_none(),
            "only a begun transaction may skip the durable commit"
        );
        self.send(write, false).await
    }

    async fn commit_only(&self, write: SignInStepWrite) -> StoreResult<()> {
        self.send(write, true).await
    }

    async fn send(&self, write: SignInStepWrite, durable: bool) -> StoreResult<()> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                write,
                durable,
                reply,
            })
            .await
            .map_err(|_| StoreError::Backend("the sign-in committer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Backend("the sign-in committer dropped a step".into()))?
    }
}

async fn run(store: Arc<dyn Store>, mut receiver: mpsc::Receiver<Job>, max_group: usize) {
    let mut group = Vec::with_capacity(max_group);
    // Waits for the first job, then takes whatever else is already queued: under load
    // groups grow by themselves, and a lone step is never delayed by a timer.
    while receiver.recv_many(&mut group, max_group).await > 0 {
        let durable = group.iter().any(|job| job.durable);
        let (writes, replies): (Vec<_>, Vec<_>) =
            group.drain(..).map(|job| (job.write, job.reply)).unzip();
        metrics::histogram!("portcullis_signin_group_commit_size").record(writes.len() as f64);
        let committed = if durable {
            store.commit_sign_in_steps(&writes).await
        } else {
            store.commit_sign_in_steps_relaxed(&writes).await
        };
        let results = match committed {
            Ok(results) => results,
            Err(error) if writes.len() > 1 => {
                tracing::warn!(%error, size = writes.len(),
                    "sign-in group commit failed; committing its steps one by one");
                one_by_one(store.as_ref(), &writes).await
            }
            Err(error) => vec![Err(error)],
        };
        for (reply, result) in replies.into_iter().zip(results) {
            // A waiter that gave up (request cancelled) no longer needs its answer.
            let _ = reply.send(result);
        }
    }
}

async fn one_by_one(store: &dyn Store, writes: &[SignInStepWrite]) -> Vec<StoreResult<()>> {
    let mut results = Vec::with_capacity(writes.len());
    for write in writes {
        let result = match store
            .commit_sign_in_steps(std::slice::from_ref(write))
            .await
        {
            Ok(mut single) => single
                .pop()
                .unwrap_or_else(|| Err(StoreError::Backend("no result for a step".into()))),
            Err(error) => Err(error),
        };
        results.push(result);
    }
    results
}
