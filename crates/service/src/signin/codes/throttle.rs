//! The one send throttle every code goes through (sign-in, registration, password
//! reset): before a code leaves, one send is claimed atomically in the store under the
//! destination and under the user, so racing requests (two tabs, two nodes) cannot send
//! more than the code rules allow.

use portcullis_authn::otp_code::{OtpCodePolicy, Throttled};
use portcullis_core::UserId;
use portcullis_store::{SendClaim, SendLimit, Store, StoreResult};
use time::{Duration, OffsetDateTime};

/// Sends one user may have per window over all their destinations: twice one
/// destination's, so one account cannot be used to flood many numbers or addresses.
pub fn user_sends_per_window(policy: &OtpCodePolicy) -> u32 {
    policy.max_sends_per_window.max(1).saturating_mul(2)
}

/// Claims one send of a code to `destination` for `user` at `now`; counted nowhere
/// when refused.
pub async fn claim_code_send(
    store: &dyn Store,
    policy: &OtpCodePolicy,
    user: &UserId,
    destination: &str,
    now: OffsetDateTime,
) -> StoreResult<Result<(), Throttled>> {
    let limits = [
        SendLimit {
            // Addresses differ only in case; numbers are E.164 already.
            key: format!("destination:{}", destination.trim().to_lowercase()),
            max_sends: policy.max_sends_per_window,
            min_interval: policy.min_resend_interval,
            window: policy.send_window,
        },
        SendLimit {
            key: format!("user:{user}"),
            max_sends: user_sends_per_window(policy),
            // Different destinations of one user may follow each other at once (a text
            // that did not arrive, then an email).
            min_interval: Duration::ZERO,
            window: policy.send_window,
        },
    ];
    Ok(match store.claim_code_send(&limits, now).await? {
        SendClaim::Granted => Ok(()),
        SendClaim::Refused { retry_at } => Err(Throttled { retry_at }),
    })
}
