//! The resume checkpoint.
//!
//! Where it lives: in the store's settings (key `bulkImport.users.<SHA-256 of the users
//! file>`), written by the *same* commit as each chunk of rows. So the checkpoint can
//! never lag behind or run ahead of what is stored: after a crash at any instant, the
//! stored checkpoint names exactly the last chunk that is in the database. Beside the
//! input file it could not be atomic with the data, would need a writable input
//! directory, and would not follow the database to another node.

use portcullis_core::CorrelationId;
use portcullis_store::Change;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::ImportError;
use crate::report::Counts;
use crate::row::RowError;
use crate::target::ImportTarget;

/// How far an import got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Creating groups and their nesting.
    Groups,
    /// Creating users (with their memberships), chunk by chunk.
    Users,
    /// Finished.
    Done,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    pub users_sha256: String,
    pub groups_sha256: Option<String>,
    /// Every record of the run, across resumes, carries this id.
    pub correlation_id: CorrelationId,
    #[serde(with = "time::serde::rfc3339")]
    pub started: OffsetDateTime,
    pub phase: Phase,
    /// Records 1..=last_row of the users file (counting bad ones) are done.
    pub last_row: u64,
    pub last_line: u64,
    /// Totals of everything committed so far.
    pub counts: Counts,
    /// Rows refused by the store at commit time (rows refused while reading are found
    /// again when the file is read again, so they are not kept here).
    pub commit_errors: Vec<RowError>,
}

impl Checkpoint {
    pub fn key(users_sha256: &str) -> String {
        format!("bulkImport.users.{users_sha256}")
    }

    pub(crate) fn change(&self) -> Result<Change, ImportError> {
        let value = serde_json::to_value(self).map_err(|err| ImportError::Checkpoint {
            key: Checkpoint::key(&self.users_sha256),
            message: err.to_string(),
        })?;
        Ok(Change::PutSetting {
            key: Checkpoint::key(&self.users_sha256),
            value,
        })
    }

    /// The stored checkpoint for this users file, if any.
    pub async fn load(
        target: &dyn ImportTarget,
        users_sha256: &str,
    ) -> Result<Option<Checkpoint>, ImportError> {
        let key = Checkpoint::key(users_sha256);
        let Some(value) = target.get_setting(&key).await? else {
            return Ok(None);
        };
        serde_json::from_value(value)
            .map(Some)
            .map_err(|err| ImportError::Checkpoint {
                key,
                message: err.to_string(),
            })
    }
}
