//! The audit log: records in the Graph `directoryAudit` shape, linked into a
//! tamper-evident hash chain.

mod chain;
mod record;

pub use chain::{
    ChainBreak, ChainHash, ChainHead, ChainVerifier, ChainedAuditRecord, verify_chain,
};
pub use record::{
    AppIdentity, AuditRecord, AuditResult, InitiatedBy, KeyValue, ModifiedProperty, TargetResource,
    UserIdentity, category,
};
