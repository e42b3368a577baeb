//! Send throttling for one destination (an email address or phone number), kept across
//! challenges so that starting a new sign-in does not reset it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::policy::OtpCodePolicy;
use crate::clock;

/// Sending now is refused; try again at `retry_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_at: OffsetDateTime,
}

/// When codes were recently sent to one destination. Persist it per destination.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendThrottle {
    /// Send times within the current window, oldest first.
    #[serde(with = "unix_list")]
    recent_sends: Vec<OffsetDateTime>,
}

impl SendThrottle {
    /// Whether a send is allowed at `now`; pure, records nothing.
    pub fn check(&self, policy: &OtpCodePolicy, now: OffsetDateTime) -> Result<(), Throttled> {
        let in_window: Vec<OffsetDateTime> = self
            .recent_sends
            .iter()
            .copied()
            .filter(|sent| *sent > clock::sub(now, policy.send_window))
            .collect();
        let mut retry_at = now;
        if let Some(last) = in_window.last() {
            retry_at = retry_at.max(clock::add(*last, policy.min_resend_interval));
        }
        // At least one send per window, or a misconfigured 0 would block every code.
        let limit = usize::try_from(policy.max_sends_per_window)
            .unwrap_or(usize::MAX)
            .max(1);
        if let Some(blocking) = in_window
            .len()
            .checked_sub(limit)
            .and_then(|index| in_window.get(index))
        {
            // The window frees a slot when the oldest send that keeps it full ages out.
            retry_at = retry_at.max(clock::add(*blocking, policy.send_window));
        }
        if retry_at > now {
            Err(Throttled { retry_at })
        } else {
            Ok(())
        }
    }

    /// Records a send at `now` (after a successful [`Self::check`]), forgetting sends that
    /// left the window so the struct stays small.
    pub(crate) fn record(&mut self, policy: &OtpCodePolicy, now: OffsetDateTime) {
        self.recent_sends
            .retain(|sent| *sent > clock::sub(now, policy.send_window));
        self.recent_sends.push(now);
    }

    pub fn sends_in_window(&self, policy: &OtpCodePolicy, now: OffsetDateTime) -> usize {
        self.recent_sends
            .iter()
            .filter(|sent| **sent > clock::sub(now, policy.send_window))
            .count()
    }
}

mod unix_list {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(
        times: &[OffsetDateTime],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(times.iter().map(|time| time.unix_timestamp()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<OffsetDateTime>, D::Error> {
        Vec::<i64>::deserialize(deserializer)?
            .into_iter()
            .map(|seconds| {
                OffsetDateTime::from_unix_timestamp(seconds).map_err(serde::de::Error::custom)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_700_000_000 + seconds).unwrap()
    }

    #[test]
    fn min_interval_between_sends() {
        let policy = OtpCodePolicy::default();
        let mut throttle = SendThrottle::default();
        assert_eq!(throttle.check(&policy, at(0)), Ok(()));
        throttle.record(&policy, at(0));
        assert_eq!(
            throttle.check(&policy, at(10)),
            Err(Throttled { retry_at: at(30) })
        );
        assert_eq!(throttle.check(&policy, at(30)), Ok(()));
    }

    #[test]
    fn max_sends_per_window() {
        let policy = OtpCodePolicy::default();
        let mut throttle = SendThrottle::default();
        for send in 0..5 {
            let now = at(send * 60);
            assert_eq!(throttle.check(&policy, now), Ok(()), "send {send}");
            throttle.record(&policy, now);
        }
        // Sixth send within the hour: wait until the first send (t=0) leaves the window.
        assert_eq!(
            throttle.check(&policy, at(400)),
            Err(Throttled { retry_at: at(3600) })
        );
        assert_eq!(throttle.check(&policy, at(3601)), Ok(()));
        throttle.record(&policy, at(3601));
        assert_eq!(throttle.sends_in_window(&policy, at(3601)), 5);
        assert!(throttle.recent_sends.len() <= 5);
    }

    #[test]
    fn serde_round_trip() {
        let policy = OtpCodePolicy::default();
        let mut throttle = SendThrottle::default();
        throttle.record(&policy, at(0));
        let json = serde_json::to_string(&throttle).unwrap();
        assert_eq!(json, r#"{"recent_sends":[1700000000]}"#);
        assert_eq!(
            serde_json::from_str::<SendThrottle>(&json).unwrap(),
            throttle
        );
    }
}
