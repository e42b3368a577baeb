//! Writing validated rows through `Store::commit`: groups first, then users in chunks,
//! each chunk one transaction that also advances the checkpoint.

mod groups;
mod resolve;
mod users;

use portcullis_core::AuditRecord;
use portcullis_store::{Batch, Change, StoreError};

pub(crate) use groups::apply_groups;
pub(crate) use resolve::GroupDirectory;
pub(crate) use users::apply_user_chunk;

use crate::audit::AuditContext;
use crate::checkpoint::Checkpoint;
use crate::error::ImportError;
use crate::options::ImportOptions;
use crate::progress::Progress;
use crate::row::RowError;
use crate::target::ImportTarget;

/// The state of one run while it applies rows.
pub(crate) struct Run<'a> {
    pub target: &'a dyn ImportTarget,
    pub options: &'a ImportOptions,
    pub progress: &'a dyn Progress,
    pub audit: AuditContext,
    /// What is committed (and stored) so far.
    pub checkpoint: Checkpoint,
    pub groups: GroupDirectory,
    /// Rows refused in this run (for the progress figures).
    pub failed_rows: u64,
}

/// The changes and audit records of one row: committed together or not at all.
#[derive(Debug, Default)]
pub(crate) struct Unit {
    pub changes: Vec<Change>,
    pub audit: Vec<AuditRecord>,
}

impl Unit {
    fn push(&mut self, change: Change, audit: AuditRecord) {
        self.changes.push(change);
        self.audit.push(audit);
    }
}

/// A store answer that concerns the rows (a duplicate, a cycle, a vanished object)
/// rather than the store itself.
pub(crate) fn is_row_level(err: &StoreError) -> bool {
    matches!(
        err,
        StoreError::Conflict(_) | StoreError::NotFound(_) | StoreError::Invalid(_)
    )
}

impl Run<'_> {
    /// Commits units (and, when given, the next checkpoint) as one transaction.
    async fn commit_units<'u>(
        &self,
        units: impl Iterator<Item = &'u Unit>,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError> {
        let mut batch = Batch::new();
        for unit in units {
            batch.changes.extend(unit.changes.iter().cloned());
            batch.audit.extend(unit.audit.iter().cloned());
        }
        if let Some(checkpoint) = checkpoint {
            batch.changes.push(
                checkpoint
                    .change()
                    .map_err(|err| StoreError::Invalid(err.to_string()))?,
            );
        }
        if batch.changes.is_empty() {
            return Ok(());
        }
        self.target.commit(batch).await.map(drop)
    }

    /// Stores the checkpoint alone.
    pub(crate) async fn save_checkpoint(
        &self,
        extra_audit: Option<AuditRecord>,
    ) -> Result<(), ImportError> {
        let mut batch = Batch::new().change(self.checkpoint.change()?);
        if let Some(record) = extra_audit {
            batch = batch.audit(record);
        }
        self.target.commit(batch).await?;
        Ok(())
    }

    /// Records rows refused at commit time (kept in the checkpoint, so a resumed run
    /// still reports them). The same error found again by a later run is kept once.
    fn refuse(&mut self, checkpoint: &mut Checkpoint, errors: Vec<RowError>) {
        if errors.is_empty() {
            return;
        }
        let mut new_row = false;
        for error in errors {
            if !checkpoint.commit_errors.contains(&error) {
                self.progress.row_error(&error);
                checkpoint.commit_errors.push(error);
                new_row = true;
            }
        }
        if new_row {
            self.failed_rows += 1;
        }
    }
}

/// How a set of units went into the store.
pub(crate) enum Committed {
    /// In one transaction, with the checkpoint if one was given.
    Together,
    /// One by one after the store refused them together: each unit's refusal, if any.
    /// The checkpoint was not stored.
    Each(Vec<Option<StoreError>>),
}

impl Run<'_> {
    /// Commits the units in one transaction; when the store refuses that for a reason
    /// of the rows (a duplicate, a cycle), commits them one by one so the good ones land
    /// and each refusal is attributed to its row. A failure of the store itself is fatal.
    pub(crate) async fn commit_together_or_each(
        &self,
        units: &[Unit],
        checkpoint: Option<&Checkpoint>,
    ) -> Result<Committed, ImportError> {
        match self.commit_units(units.iter(), checkpoint).await {
            Ok(()) => Ok(Committed::Together),
            Err(err) if is_row_level(&err) => {
                let mut outcomes = Vec::with_capacity(units.len());
                for unit in units {
                    match self.commit_units(std::iter::once(unit), None).await {
                        Ok(()) => outcomes.push(None),
                        Err(err) if is_row_level(&err) => outcomes.push(Some(err)),
                        Err(err) => return Err(err.into()),
                    }
                }
                Ok(Committed::Each(outcomes))
            }
            Err(err) => Err(err.into()),
        }
    }
}
