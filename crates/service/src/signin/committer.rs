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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

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
    /// Sign-in steps under way (see [`Committer::in_flight`]).
    in_flight: Arc<AtomicUsize>,
    /// Every sign-in log entry passes here, whichever protocol made it.
    alerts: BreakGlassAlerts,
}

impl Committer {
    /// Starts the committer task on the current runtime. `max_group` bounds a group
    /// (1: one commit per step, the baseline the group commit is measured against).
    /// `commit_delay`: how long a group may wait for more steps while others are under
    /// way (zero: never).
    pub(crate) fn start(
        store: Arc<dyn Store>,
        max_group: usize,
        commit_delay: Duration,
        alerts: BreakGlassAlerts,
    ) -> Committer {
        let max_group = max_group.max(1);
        let (jobs, receiver) = mpsc::channel(max_group * 4);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let gather = Gather {
            max_group,
            delay: commit_delay,
            in_flight: in_flight.clone(),
        };
        tokio::spawn(run(store, receiver, gather));
        Committer {
            jobs,
            in_flight,
            alerts,
        }
    }

    /// Marks a sign-in step as under way until the guard is dropped: a group commit
    /// that finds other steps under way may wait a moment for their writes.
    pub(crate) fn in_flight(&self) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.in_flight.clone())
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

/// A sign-in step under way (see [`Committer::in_flight`]).
pub(crate) struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How a group is gathered.
struct Gather {
    max_group: usize,
    delay: Duration,
    in_flight: Arc<AtomicUsize>,
}

impl Gather {
    /// Waits for the first job, then takes whatever else is already queued: under heavy
    /// load groups grow by themselves. When fewer jobs are queued than steps are under
    /// way (their hashes still running), waits up to `delay` for more — PostgreSQL's
    /// `commit_delay` idea: a few milliseconds of latency under load so that two or
    /// three steps share one commit's WAL writes and fsync instead of paying them
    /// alone. A lone step (nobody else under way) is never delayed, nor a group that
    /// `worth_waiting` says has nothing to share (begun transactions alone have no fsync
    /// to share: their wait would only add a timer's wake-up and its latency to every
    /// begin). `0`: closed.
    async fn next<T>(
        &self,
        receiver: &mut mpsc::Receiver<T>,
        group: &mut Vec<T>,
        worth_waiting: impl Fn(&[T]) -> bool,
    ) -> usize {
        if receiver.recv_many(group, self.max_group).await == 0 {
            return 0;
        }
        if self.delay.is_zero() || !worth_waiting(group) {
            return group.len();
        }
        let deadline = tokio::time::Instant::now() + self.delay;
        while group.len() < self.max_group && self.in_flight.load(Ordering::Relaxed) > group.len() {
            let room = self.max_group - group.len();
            match tokio::time::timeout_at(deadline, receiver.recv_many(group, room)).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        group.len()
    }
}

async fn run(store: Arc<dyn Store>, mut receiver: mpsc::Receiver<Job>, gather: Gather) {
    let mut group = Vec::with_capacity(gather.max_group);
    let has_durable = |jobs: &[Job]| jobs.iter().any(|job| job.durable);
    while gather.next(&mut receiver, &mut group, has_durable).await > 0 {
        let durable = has_durable(&group);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn gather(delay_ms: u64, in_flight: &Arc<AtomicUsize>) -> Gather {
        Gather {
            max_group: 64,
            delay: Duration::from_millis(delay_ms),
            in_flight: in_flight.clone(),
        }
    }

    /// A write that reaches the committer `ms` milliseconds from now.
    fn send_later(jobs: &mpsc::Sender<i32>, ms: u64, job: i32) {
        let late = jobs.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            late.send(job).await.unwrap();
        });
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_step_is_committed_at_once() {
        let in_flight = Arc::new(AtomicUsize::new(1));
        let (jobs, mut receiver) = mpsc::channel(8);
        jobs.send(1).await.unwrap();
        let started = tokio::time::Instant::now();
        let mut group = Vec::new();
        assert_eq!(
            gather(5, &in_flight)
                .next(&mut receiver, &mut group, |_| true)
                .await,
            1
        );
        assert_eq!(
            started.elapsed(),
            Duration::ZERO,
            "nobody else under way: no wait"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_step_waits_for_others_under_way_but_no_longer_than_the_delay() {
        let in_flight = Arc::new(AtomicUsize::new(3));
        let (jobs, mut receiver) = mpsc::channel(8);
        jobs.send(1).await.unwrap();
        send_later(&jobs, 2, 2);
        let started = tokio::time::Instant::now();
        let mut group = Vec::new();
        let size = gather(5, &in_flight)
            .next(&mut receiver, &mut group, |_| true)
            .await;
        assert_eq!(
            group,
            [1, 2],
            "the write that came 2 ms later shares the commit"
        );
        assert_eq!(size, 2);
        // The third step under way never wrote: the group left at the deadline.
        assert_eq!(started.elapsed(), Duration::from_millis(5));
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_ends_as_soon_as_every_step_under_way_has_written() {
        let in_flight = Arc::new(AtomicUsize::new(2));
        let (jobs, mut receiver) = mpsc::channel(8);
        jobs.send(1).await.unwrap();
        send_later(&jobs, 1, 2);
        let started = tokio::time::Instant::now();
        let mut group = Vec::new();
        gather(50, &in_flight)
            .next(&mut receiver, &mut group, |_| true)
            .await;
        assert_eq!(group, [1, 2]);
        assert_eq!(started.elapsed(), Duration::from_millis(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_group_with_nothing_to_share_never_waits() {
        let in_flight = Arc::new(AtomicUsize::new(3));
        let (jobs, mut receiver) = mpsc::channel(8);
        jobs.send(1).await.unwrap();
        send_later(&jobs, 1, 2);
        let started = tokio::time::Instant::now();
        let mut group = Vec::new();
        gather(5, &in_flight)
            .next(&mut receiver, &mut group, |jobs| jobs.contains(&2))
            .await;
        assert_eq!((group, started.elapsed()), (vec![1], Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn no_delay_configured_never_waits() {
        let in_flight = Arc::new(AtomicUsize::new(10));
        let (jobs, mut receiver) = mpsc::channel(8);
        jobs.send(1).await.unwrap();
        let started = tokio::time::Instant::now();
        let mut group = Vec::new();
        gather(0, &in_flight)
            .next(&mut receiver, &mut group, |_| true)
            .await;
        assert_eq!((group.len(), started.elapsed()), (1, Duration::ZERO));
    }
}
