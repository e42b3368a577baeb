//! Per-IP and per-account flood control for every protocol that signs users in (the
//! JSON API, the pages, later LDAP and RADIUS all pass through here).
//!
//! Per node: several nodes multiply the allowance, which is acceptable for flood control;
//! the durable defence against guessing is smart lockout, whose counters live in the
//! store. The account key is the typed name, known or not, so a limit never reveals
//! whether an account exists.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Above this many tracked keys, idle ones are dropped (bounds memory when an attacker
/// invents names or addresses).
const MAX_KEYS: usize = 100_000;

/// Allowances, per minute with a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    pub per_ip_per_minute: u32,
    pub per_ip_burst: u32,
    pub per_account_per_minute: u32,
    pub per_account_burst: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            per_ip_per_minute: 600,
            per_ip_burst: 120,
            per_account_per_minute: 30,
            per_account_burst: 30,
        }
    }
}

pub(crate) struct SignInRateLimits {
    ip: DefaultKeyedRateLimiter<IpAddr>,
    account: DefaultKeyedRateLimiter<String>,
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(per_minute);
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl SignInRateLimits {
    pub(crate) fn new(settings: RateLimitSettings) -> Self {
        SignInRateLimits {
            ip: RateLimiter::keyed(quota(settings.per_ip_per_minute, settings.per_ip_burst)),
            account: RateLimiter::keyed(quota(
                settings.per_account_per_minute,
                settings.per_account_burst,
            )),
        }
    }

    /// `Err(wait)` when the address or the account is over its allowance.
    pub(crate) fn check(&self, ip: Option<IpAddr>, account: Option<&str>) -> Result<(), Duration> {
        if self.ip.len() > MAX_KEYS {
            self.ip.retain_recent();
        }
        if self.account.len() > MAX_KEYS {
            self.account.retain_recent();
        }
        // Each limiter's own clock: building a new one (quanta's) queries the processor
        // with `cpuid`, which a virtual machine traps (≈ 0.25% of a sign-in's CPU when it
        // was built at every check).
        if let Some(ip) = ip {
            self.ip
                .check_key(&ip)
                .map_err(|not_until| not_until.wait_time_from(self.ip.clock().now()))?;
        }
        if let Some(account) = account.map(|name| name.trim().to_lowercase())
            && !account.is_empty()
        {
            self.account
                .check_key(&account)
                .map_err(|not_until| not_until.wait_time_from(self.account.clock().now()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_limit_applies_to_any_name_and_ignores_case() {
        let limits = SignInRateLimits::new(RateLimitSettings {
            per_ip_per_minute: 1000,
            per_ip_burst: 1000,
            per_account_per_minute: 1,
            per_account_burst: 2,
        });
        let ip = Some("192.0.2.1".parse().unwrap());
        assert!(limits.check(ip, Some("nobody@example.com")).is_ok());
        assert!(limits.check(ip, Some("NOBODY@example.com ")).is_ok());
        assert!(limits.check(ip, Some("nobody@example.com")).is_err());
        assert!(limits.check(ip, Some("other@example.com")).is_ok());
    }

    #[test]
    fn ip_limit() {
        let limits = SignInRateLimits::new(RateLimitSettings {
            per_ip_per_minute: 1,
            per_ip_burst: 1,
            ..RateLimitSettings::default()
        });
        let ip = Some("192.0.2.1".parse().unwrap());
        assert!(limits.check(ip, None).is_ok());
        let wait = limits.check(ip, None).unwrap_err();
        assert!(wait > Duration::ZERO);
        assert!(
            limits
                .check(Some("192.0.2.2".parse().unwrap()), None)
                .is_ok()
        );
    }
}
