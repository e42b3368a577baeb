//! Temporary Access Pass (entra.md §5.6): a time-limited pass an admin or the helpdesk
//! issues so a user can sign in and register methods without a password or phone.

mod pass;
mod policy;

pub use pass::{
    IssuedPass, TapIssueError, TapIssueRequest, TapRedeemError, TapUnusable, TemporaryAccessPass,
};
pub use policy::{LENGTH_BOUNDS, LIFETIME_BOUNDS_MINUTES, TapPolicy, TapPolicyError};
