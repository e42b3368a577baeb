//! The CPU-heavy part of a step (argon2: ~19 MiB and tens of milliseconds per password)
//! runs on blocking threads, at most one per core at a time.
//!
//! Without the gate a burst of password attempts starts as many hashes as tokio has
//! blocking threads (up to 512 × 19 MiB of memory), and they thrash each other's caches:
//! the same work finishes later for everyone. With it, the surplus waits as a cheap
//! async task and each hash runs at full speed.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::types::SignInError;

#[derive(Clone)]
pub(crate) struct CpuGate(Arc<Semaphore>);

impl CpuGate {
    /// One permit per core the process may use.
    pub(crate) fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        CpuGate(Arc::new(Semaphore::new(cores)))
    }

    /// Runs `work` on a blocking thread once a core is free.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, SignInError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .0
            .clone()
            .acquire_owned()
            .await
            .map_err(|err| SignInError::Internal(format!("CPU gate closed: {err}")))?;
        tokio::task::spawn_blocking(move || {
            let _held_until_done = permit;
            work()
        })
        .await
        .map_err(|err| SignInError::Internal(format!("sign-in work thread: {err}")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_at_once_than_permits() {
        let gate = CpuGate(Arc::new(Semaphore::new(2)));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (gate, running, most) = (gate.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    gate.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                    .unwrap()
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
