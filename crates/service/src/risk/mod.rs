//! Identity Protection at the service layer: each user's risk (kept per user by the
//! store, computed from their detections by `portcullis_core::user_risk`) fed into every
//! judgement — interactive sign-in, token refresh, forward-auth — so Conditional Access
//! `userRiskLevels` conditions apply; remediation by a secure password change; and the
//! Graph `identityProtection` admin operations (`admin`).

pub mod admin;
mod load;
mod remediate;

pub use load::{apply_user_risk, current_user_risk, load_user_risk, user_risk_as_of};
pub use remediate::{Remediation, remediate_user_risk};
