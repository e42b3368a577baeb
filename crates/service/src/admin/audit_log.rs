//! Reading the audit log (`directoryAudits`) and verifying its hash chain.

use portcullis_core::audit::ChainHead;
use portcullis_core::{AuditRecord, ChainBreak, Permission, Target};
use portcullis_store::{AuditQuery, Page, Store};

use crate::caller::Caller;
use crate::error::ServiceResult;
use crate::services::Services;

/// Records read per round trip while verifying.
const VERIFY_BATCH: u32 = 1000;

/// The result of walking the whole chain.
#[derive(Debug, Clone)]
pub struct ChainReport {
    pub records: u64,
    pub start: ChainHead,
    pub head: ChainHead,
    pub first_break: Option<ChainBreak>,
}

impl Services {
    pub async fn list_audit(
        &self,
        caller: &Caller,
        query: &AuditQuery,
    ) -> ServiceResult<Page<AuditRecord>> {
        caller.authorize(Permission::AuditLogRead, Target::Nothing)?;
        Ok(self.store.query_audit(query).await?)
    }
}

/// Walks the stored chain from its start and reports the first break, if any. An
/// offline operation (`portcullis audit verify`): it only reads.
pub async fn verify_audit_chain(store: &dyn Store) -> ServiceResult<ChainReport> {
    let start = store.audit_chain_start().await?;
    let mut verifier = portcullis_core::audit::ChainVerifier::starting_at(start.clone());
    let mut after = start.seq;
    let mut records = 0u64;
    loop {
        let batch = store.read_audit_chain(after, VERIFY_BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for record in &batch {
            records += 1;
            if let Err(chain_break) = verifier.push(record) {
                return Ok(ChainReport {
                    records,
                    start,
                    head: verifier.head().clone(),
                    first_break: Some(chain_break),
                });
            }
        }
    }
    let stored_head = store.audit_chain_head().await?;
    let head = verifier.head().clone();
    // Records deleted from the end leave a shorter but internally valid chain;
    // the stored head (kept beside the records) reveals it.
    let first_break = (stored_head != head).then(|| ChainBreak {
        seq: head.seq + 1,
        reason: format!(
            "the chain ends at record {} but the store's head is record {}",
            head.seq, stored_head.seq
        ),
    });
    Ok(ChainReport {
        records,
        start,
        head,
        first_break,
    })
}
