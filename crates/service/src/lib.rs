//! Application services: admin operations with least privilege and audit, token
//! issuance, first-administrator bootstrap. Knows nothing of HTTP: callers pass in
//! plain values and get domain results or [`ServiceError`]s back.

pub mod secrets;
pub mod tokens;
