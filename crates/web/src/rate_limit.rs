//! Keyed flood control shared by the HTTP routers: per client id at the token endpoint,
//! per client address for form posts. Per node: several nodes multiply the allowance,
//! which is acceptable for flood control; lockout counters that must hold across nodes
//! live in the store.

use std::borrow::Borrow;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Above this many tracked keys, idle entries are dropped (bounds memory when callers
/// invent client ids or spray from many addresses).
const MAX_TRACKED_KEYS: usize = 10_000;

/// `per_second` sustained and `burst` at once, per key.
pub struct KeyedRateLimiter<K: Hash + Eq + Clone>(DefaultKeyedRateLimiter<K>);

/// The token endpoint's limit, per client id.
pub type ClientRateLimiter = KeyedRateLimiter<String>;
/// The limit on state-changing page requests (form posts), per client address.
pub type AddressRateLimiter = KeyedRateLimiter<IpAddr>;

impl<K: Hash + Eq + Clone> KeyedRateLimiter<K> {
    /// A zero rate or burst is raised to one (configuration refuses zero before this).
    pub fn new(per_second: u32, burst: u32) -> Self {
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(per_second);
        Self(RateLimiter::keyed(
            Quota::per_second(per_second).allow_burst(burst),
        ))
    }

    /// Whether `key` may make another request now (and counts this one).
    pub fn check<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: ToOwned<Owned = K> + ?Sized,
    {
        if self.0.len() > MAX_TRACKED_KEYS {
            self.0.retain_recent();
        }
        self.0.check_key(&key.to_owned()).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_burst() {
        let limiter = AddressRateLimiter::new(1, 2);
        let (a, b) = (IpAddr::from([192, 0, 2, 1]), IpAddr::from([192, 0, 2, 2]));
        assert!(limiter.check(&a));
        assert!(limiter.check(&a));
        assert!(!limiter.check(&a), "the third at once is over the burst");
        assert!(
            limiter.check(&b),
            "another address is not charged for the first"
        );
    }

    #[test]
    fn client_ids_are_checked_by_reference() {
        let limiter = ClientRateLimiter::new(1, 1);
        assert!(limiter.check("app"));
        assert!(!limiter.check("app"));
        assert!(limiter.check("other"));
    }
}
