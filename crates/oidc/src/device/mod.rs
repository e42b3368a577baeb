//! The device authorization grant (RFC 8628): TVs, CLIs and other input-constrained
//! devices show a short user code; the user approves on another device.

mod authorization;
mod user_code;

pub use authorization::{
    DEFAULT_POLL_INTERVAL_SECS, DEVICE_CODE_LIFETIME_SECS, DeviceApproval, DeviceAuthorization,
    DeviceAuthorizationResponse, DeviceStatus, DeviceTransitionError, PollOutcome,
    SLOW_DOWN_INCREMENT_SECS, parse_device_authorization_request,
};
pub use user_code::{USER_CODE_ALPHABET, USER_CODE_LEN, UserCode};
