//! Directory domain types shared by every Portcullis crate: ids, users, groups, directory
//! roles and the permissions they grant (with the one `authorize` decision), applications
//! and their hashed secrets, audit records and their hash chain, sign-in log records,
//! sessions, tokens, credentials, devices, risk events and signing keys.
//!
//! Pure: no I/O, no async, time and randomness passed in.

// Tests may unwrap: a panic there is a failed test, not a crashed server.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod application;
pub mod audit;
pub mod authorize;
pub mod credential;
pub mod device;
pub mod group;
pub mod ids;
pub mod permission;
pub mod risk;
pub mod role;
pub mod role_catalog;
pub mod secret;
pub mod session;
pub mod signin;
pub mod signing_key;
pub mod timestamp;
pub mod user;
pub mod user_risk;

pub use application::{Application, ApplicationKind, ApplicationSecret};
pub use audit::{AuditRecord, ChainBreak, ChainHead, ChainedAuditRecord, verify_chain};
pub use authorize::{Actor, Denied, Target, authorize};
pub use credential::{Credential, CredentialKind};
pub use device::Device;
pub use group::{Group, MemberRef, TransitiveMembers};
pub use ids::*;
pub use permission::{AppPermission, Permission, Scope};
pub use risk::RiskEvent;
pub use role::{DirectoryRole, Principal, RoleAssignment};
pub use role_catalog::{BuiltInRole, ENTRA_BUILT_IN_ROLES, built_in_role};
pub use secret::{GeneratedSecret, SecretHash, generate_secret};
pub use session::{RefreshToken, Session};
pub use signin::{ConditionalAccessStatus, SignIn, SignInStatus};
pub use signing_key::{SigningKey, SigningKeyState};
pub use user::{User, UserType};
pub use user_risk::{UserRisk, UserRiskLevel, UserRiskState};
