//! Duplicate detection within one file: the later row of a pair is the bad one.

use std::collections::HashMap;

use portcullis_core::GroupId;
use sha2::{Digest, Sha256};

use crate::row::{GroupRow, InputFile, RowError, UserRow};

/// 128 bits of SHA-256 (unaligned bytes, so a map entry is 24 bytes): a million
/// userPrincipalNames take tens of megabytes instead of every string, and an accidental
/// collision (about 2^-88 at that size) is negligible.
type Fingerprint = [u8; 16];

fn fingerprint(kind: &str, value: &str) -> Fingerprint {
    let digest = Sha256::new()
        .chain_update(kind.as_bytes())
        .chain_update([0])
        .chain_update(value.as_bytes())
        .finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    first
}

/// Users seen so far, by userPrincipalName (case-insensitive) and by id.
#[derive(Debug, Default)]
pub(crate) struct UserDuplicates {
    seen: HashMap<Fingerprint, u64>,
}

impl UserDuplicates {
    /// Records the row, or reports which earlier line it repeats.
    pub(crate) fn check(&mut self, row: &UserRow) -> Result<(), Vec<RowError>> {
        let upn = fingerprint(
            "upn",
            &portcullis_core::user::normalize_upn(&row.user_principal_name),
        );
        let id = row.id.as_ref().map(|id| fingerprint("id", id.as_str()));
        let mut errors = Vec::new();
        if let Some(first) = self.seen.get(&upn) {
            errors.push(RowError::new(
                InputFile::Users,
                row.line,
                Some("userPrincipalName"),
                format!(
                    "{} repeats the userPrincipalName of line {first}",
                    row.user_principal_name
                ),
            ));
        }
        if let Some(first) = id.and_then(|id| self.seen.get(&id)) {
            errors.push(RowError::new(
                InputFile::Users,
                row.line,
                Some("id"),
                format!("repeats the id of line {first}"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        self.seen.insert(upn, row.line);
        if let Some(id) = id {
            self.seen.insert(id, row.line);
        }
        Ok(())
    }
}

/// Groups seen so far, by id, and by display name among rows without an id (two such
/// rows would name the same new group).
#[derive(Debug, Default)]
pub(crate) struct GroupDuplicates {
    ids: HashMap<GroupId, u64>,
    names: HashMap<String, u64>,
}

impl GroupDuplicates {
    pub(crate) fn check(&mut self, row: &GroupRow) -> Result<(), RowError> {
        match &row.id {
            Some(id) => {
                if let Some(first) = self.ids.get(id) {
                    return Err(RowError::new(
                        InputFile::Groups,
                        row.line,
                        Some("id"),
                        format!("repeats the id of line {first}"),
                    ));
                }
                self.ids.insert(id.clone(), row.line);
            }
            None => {
                let name = row.display_name.to_lowercase();
                if let Some(first) = self.names.get(&name) {
                    return Err(RowError::new(
                        InputFile::Groups,
                        row.line,
                        Some("displayName"),
                        format!(
                            "repeats the displayName of line {first}; give both rows an id to import two groups of one name"
                        ),
                    ));
                }
                self.names.insert(name, row.line);
            }
        }
        Ok(())
    }
}
