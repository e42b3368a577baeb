//! Reconnection delays for the event stream: exponential with full jitter, so a server
//! restart does not bring every authenticator back in the same instant.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            attempt: 0,
        }
    }

    /// The ceiling for the next attempt: initial × 2^attempt, capped at `max`.
    pub fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(20)).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// The next delay: `unit` (a uniform draw in [0, 1) from the caller's generator)
    /// times the ceiling, never less than a tenth of the initial delay.
    pub fn next_delay(&mut self, unit: f64) -> Duration {
        let ceiling = self.ceiling();
        self.attempt = self.attempt.saturating_add(1);
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            1.0
        };
        ceiling.mul_f64(unit).max(self.initial / 10)
    }

    /// A connection worked: start again from the initial delay.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_up_to_the_maximum_and_resets() {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let ceilings: Vec<u128> = (0..9)
            .map(|_| {
                let ceiling = backoff.ceiling().as_millis();
                backoff.next_delay(1.0);
                ceiling
            })
            .collect();
        assert_eq!(
            ceilings,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        backoff.reset();
        assert_eq!(backoff.ceiling(), Duration::from_millis(500));
    }

    #[test]
    fn jitter_stays_within_bounds_even_for_bad_draws() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(8));
        for unit in [0.0, 0.5, 1.0, -3.0, f64::NAN, f64::INFINITY] {
            let delay = backoff.next_delay(unit);
            assert!(delay >= Duration::from_millis(100) && delay <= Duration::from_secs(8));
        }
        for _ in 0..100 {
            backoff.next_delay(0.99);
        }
        assert!(backoff.next_delay(1.0) <= Duration::from_secs(8));
    }
}
