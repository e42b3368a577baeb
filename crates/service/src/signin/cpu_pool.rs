//! The CPU-heavy part of a step (argon2: ~19 MiB and tens of milliseconds per password)
//! runs on a fixed set of threads, one per core, fed from one queue.
//!
//! Without a bound, a burst of password attempts would start as many hashes as tokio
//! has blocking threads (up to 512 × 19 MiB of memory), thrashing each other's caches:
//! the same work finishes later for everyone. With one thread per core the surplus
//! waits in the queue as a small closure and each hash runs at full speed.
//!
//! Dedicated threads rather than a semaphore in front of `spawn_blocking`: a thread
//! that finishes a hash takes the next job from the queue itself, so a core never idles
//! between two hashes while the async side wakes, re-acquires a permit and hands the
//! job to a blocking thread (≈ 0.1–0.8 ms per hash, measured, 1–4% of a core under
//! load).

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use tokio::sync::oneshot;

use super::types::SignInError;

type Job = Box<dyn FnOnce() + Send>;

/// How long a thread keeps its argon2 scratch memory with nothing to do.
const IDLE_BEFORE_RELEASE: Duration = Duration::from_secs(30);

/// A handle on the pool; clones share it. The threads end when the last handle is
/// dropped (the queue closes once every job in it has run).
#[derive(Clone)]
pub(crate) struct CpuPool {
    jobs: flume::Sender<Job>,
}

impl CpuPool {
    /// One thread per core the process may use.
    pub(crate) fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        Self::with_threads(cores)
    }

    fn with_threads(threads: usize) -> Self {
        let (jobs, queue) = flume::unbounded::<Job>();
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("portcullis-cpu-{n}"))
                .spawn(move || work_through(&queue));
            if let Err(error) = spawned {
                // Fewer threads than cores is slower, not wrong; none at all is caught
                // below when the first job finds the queue without a reader.
                tracing::error!(%error, "could not start a sign-in CPU thread");
            }
        }
        CpuPool { jobs }
    }

    /// Runs `work` on one of the pool's threads once one is free.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, SignInError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            // A panic in the work is this request's failure, not the thread's end.
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(work));
            // The caller may have gone (request cancelled): nobody left to tell.
            let _ = answer.send(outcome);
        });
        self.jobs
            .send(job)
            .map_err(|_| SignInError::Internal("no sign-in CPU thread is running".into()))?;
        match answered.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_panic)) => Err(SignInError::Internal(
                "sign-in work panicked on its CPU thread".into(),
            )),
            Err(_) => Err(SignInError::Internal(
                "sign-in CPU thread ended before answering".into(),
            )),
        }
    }
}

/// Runs jobs as they come. After a quiet spell the thread gives back its argon2 scratch
/// memory (19 MiB at the defaults) and then sleeps until the next job.
fn work_through(queue: &flume::Receiver<Job>) {
    loop {
        let job = match queue.recv_timeout(IDLE_BEFORE_RELEASE) {
            Ok(job) => job,
            Err(flume::RecvTimeoutError::Timeout) => {
                portcullis_authn::password::release_scratch_memory();
                match queue.recv() {
                    Ok(job) => job,
                    Err(_) => return,
                }
            }
            Err(flume::RecvTimeoutError::Disconnected) => return,
        };
        job();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_at_once_than_threads_and_every_job_answered() {
        let pool = CpuPool::with_threads(2);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|n| {
                let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    pool.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                        n * 10
                    })
                    .await
                    .unwrap()
                })
            })
            .collect();
        for (n, task) in tasks.into_iter().enumerate() {
            assert_eq!(task.await.unwrap(), n * 10);
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_thread_lives_on() {
        let pool = CpuPool::with_threads(1);
        let failed = pool.run(|| -> u8 { panic!("bad input") }).await;
        assert!(
            matches!(failed, Err(SignInError::Internal(_))),
            "{failed:?}"
        );
        assert_eq!(pool.run(|| 7).await.unwrap(), 7);
    }
}
