//! The hash chain over audit records.
//!
//! Record `n` stores `prev_hash` (record `n-1`'s hash; 64 zeros before the first) and
//! `hash = SHA-256("portcullis-audit-v1" 0x00 || seq as 8 big-endian bytes || prev_hash ||
//! canonical JSON of the record)`. Editing, deleting, inserting or reordering a stored
//! record breaks the chain at that point. Rewriting the whole tail is detectable only
//! against a head hash kept elsewhere (exported to a SIEM, printed by `audit verify`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::record::AuditRecord;

const DOMAIN: &[u8] = b"portcullis-audit-v1\0";

/// A SHA-256 digest in lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChainHash(pub String);

impl ChainHash {
    /// The `prev_hash` of the first record.
    pub fn genesis() -> Self {
        ChainHash("0".repeat(64))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The end of a chain: the last sequence number and its hash. Where a chain starts after
/// pruning, the pruned part's head is the start to verify from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: ChainHash,
}

impl ChainHead {
    pub fn genesis() -> Self {
        ChainHead {
            seq: 0,
            hash: ChainHash::genesis(),
        }
    }

    /// Links `record` after this head.
    pub fn append(&self, record: AuditRecord) -> ChainedAuditRecord {
        let seq = self.seq + 1;
        let hash = compute_hash(seq, &self.hash, &record);
        ChainedAuditRecord {
            seq,
            prev_hash: self.hash.clone(),
            hash,
            record,
        }
    }
}

/// An audit record with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedAuditRecord {
    pub seq: i64,
    pub prev_hash: ChainHash,
    pub hash: ChainHash,
    pub record: AuditRecord,
}

impl ChainedAuditRecord {
    pub fn head(&self) -> ChainHead {
        ChainHead {
            seq: self.seq,
            hash: self.hash.clone(),
        }
    }
}

fn compute_hash(seq: i64, prev_hash: &ChainHash, record: &AuditRecord) -> ChainHash {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    hasher.update(seq.to_be_bytes());
    hasher.update(prev_hash.0.as_bytes());
    hasher.update(record.canonical_json());
    ChainHash(hex::encode(hasher.finalize()))
}

/// Where and why a chain stopped verifying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at sequence {seq}: {reason}")]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

/// Verifies a chain incrementally, so a large log can be checked page by page.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    head: ChainHead,
}

impl ChainVerifier {
    pub fn starting_at(head: ChainHead) -> Self {
        ChainVerifier { head }
    }

    /// Checks the next record and advances.
    pub fn push(&mut self, record: &ChainedAuditRecord) -> Result<(), ChainBreak> {
        let expected_seq = self.head.seq + 1;
        if record.seq != expected_seq {
            return Err(ChainBreak {
                seq: record.seq,
                reason: format!(
                    "expected sequence {expected_seq} (a record is missing or out of order)"
                ),
            });
        }
        if record.prev_hash != self.head.hash {
            return Err(ChainBreak {
                seq: record.seq,
                reason: "prev_hash does not match the previous record's hash".into(),
            });
        }
        if compute_hash(record.seq, &record.prev_hash, &record.record) != record.hash {
            return Err(ChainBreak {
                seq: record.seq,
                reason: "hash does not match the record's content (the record was altered)".into(),
            });
        }
        self.head = record.head();
        Ok(())
    }

    /// The last verified head.
    pub fn head(&self) -> &ChainHead {
        &self.head
    }
}

/// Verifies records in sequence order starting after `start` and returns the final head.
pub fn verify_chain(
    start: ChainHead,
    records: &[ChainedAuditRecord],
) -> Result<ChainHead, ChainBreak> {
    let mut verifier = ChainVerifier::starting_at(start);
    for record in records {
        verifier.push(record)?;
    }
    Ok(verifier.head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{InitiatedBy, TargetResource, category};
    use crate::ids::AuditId;
    use time::macros::datetime;

    fn record(n: u128) -> AuditRecord {
        AuditRecord::new(
            AuditId::from_uuid(uuid::Uuid::from_u128(n)),
            datetime!(2026-11-23 05:00 UTC),
            category::USER_MANAGEMENT,
            "Add user",
            "Add",
            InitiatedBy::default(),
        )
        .with_target(TargetResource {
            id: format!("user-{n}"),
            display_name: Some("Ada".into()),
            resource_type: "User".into(),
            user_principal_name: None,
            modified_properties: vec![],
        })
    }

    fn chain(n: u128) -> Vec<ChainedAuditRecord> {
        let mut head = ChainHead::genesis();
        (1..=n)
            .map(|i| {
                let linked = head.append(record(i));
                head = linked.head();
                linked
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let records = chain(5);
        let head = verify_chain(ChainHead::genesis(), &records).unwrap();
        assert_eq!(head.seq, 5);
        assert_eq!(head.hash, records[4].hash);
        assert_eq!(
            verify_chain(ChainHead::genesis(), &[]).unwrap(),
            ChainHead::genesis()
        );
    }

    #[test]
    fn altered_content_is_detected() {
        let mut records = chain(5);
        records[2].record.activity_display_name = "Delete user".into();
        let err = verify_chain(ChainHead::genesis(), &records).unwrap_err();
        assert_eq!(err.seq, 3);
        assert!(err.reason.contains("altered"));
    }

    #[test]
    fn deletion_and_reordering_are_detected() {
        let mut records = chain(5);
        records.remove(1);
        assert_eq!(
            verify_chain(ChainHead::genesis(), &records)
                .unwrap_err()
                .seq,
            3
        );
        let mut records = chain(5);
        records.swap(1, 2);
        assert!(verify_chain(ChainHead::genesis(), &records).is_err());
    }

    #[test]
    fn relinking_one_record_breaks_the_next() {
        // Recomputing a tampered record's own hash still breaks its successor.
        let mut records = chain(4);
        records[1].record.result_reason = "tampered".into();
        let relinked = ChainHead {
            seq: 1,
            hash: records[0].hash.clone(),
        }
        .append(records[1].record.clone());
        records[1] = relinked;
        let err = verify_chain(ChainHead::genesis(), &records).unwrap_err();
        assert_eq!(err.seq, 3);
        assert!(err.reason.contains("prev_hash"));
    }

    #[test]
    fn verifies_from_a_pruned_start() {
        let records = chain(6);
        let start = records[2].head();
        assert!(verify_chain(start, &records[3..]).is_ok());
        assert!(verify_chain(ChainHead::genesis(), &records[3..]).is_err());
    }

    #[test]
    fn canonical_json_survives_a_round_trip() {
        let linked = ChainHead::genesis().append(record(1).with_detail("k", "v"));
        let text = serde_json::to_string(&linked.record).unwrap();
        let back: AuditRecord = serde_json::from_str(&text).unwrap();
        assert!(
            verify_chain(
                ChainHead::genesis(),
                &[ChainedAuditRecord {
                    record: back,
                    ..linked
                }]
            )
            .is_ok()
        );
    }
}
