//! The import run: fingerprint the files, load or start the checkpoint, apply the groups
//! file, then stream the users file through a reader thread into chunked commits.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use portcullis_core::CorrelationId;
use portcullis_store::Store;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::apply::{GroupDirectory, Run, apply_groups, apply_user_chunk};
use crate::audit::AuditContext;
use crate::checkpoint::{Checkpoint, Phase};
use crate::error::ImportError;
use crate::input::{Format, ReadItem, RecordReader, open_records, sha256_file};
use crate::options::{ImportOptions, ImportSource, ResumeMode};
use crate::progress::{Progress, ProgressSnapshot};
use crate::report::{Counts, ImportReport, Outcome};
use crate::row::{GroupRow, InputFile, RowError, UserRow};
use crate::target::ImportTarget;
use crate::validate::{GroupDuplicates, UserDuplicates, group_row, user_row};

/// Imports users (and, with `source.groups`, groups) into a store.
///
/// `Err` means nothing was written (unreadable file, bad header, an unfinished
/// checkpoint without `--resume`, …). Once writing started, a failure ends the run with
/// [`Outcome::Interrupted`] in the report: what was committed stays, and a run with
/// [`ResumeMode::Resume`] continues after it.
pub async fn import_users(
    store: Arc<dyn Store>,
    source: ImportSource,
    options: ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    import_into(&store, source, options, progress).await
}

/// [`import_users`] into any [`ImportTarget`].
pub async fn import_into(
    target: &dyn ImportTarget,
    source: ImportSource,
    options: ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let users_format = Format::resolve(&source.users, source.users_format)?;
    let groups_format = match &source.groups {
        Some(path) => Some(Format::resolve(path, source.groups_format)?),
        None => None,
    };
    let users_sha256 = hash_in_background(&source.users).await?;
    let groups_sha256 = match &source.groups {
        Some(path) => Some(hash_in_background(path).await?),
        None => None,
    };
    let total_bytes = std::fs::metadata(&source.users)
        .map_err(|source_err| ImportError::Read {
            path: source.users.clone(),
            source: source_err,
        })?
        .len();

    // Open (and so check the header of) both files before anything is written.
    let bytes_read = Arc::new(AtomicU64::new(0));
    let users_reader = open_records(
        &source.users,
        users_format,
        InputFile::Users,
        bytes_read.clone(),
    )?;
    let groups_reader = match (&source.groups, groups_format) {
        (Some(path), Some(format)) => Some(open_records(
            path,
            format,
            InputFile::Groups,
            Arc::new(AtomicU64::new(0)),
        )?),
        _ => None,
    };

    let stored = Checkpoint::load(target, &users_sha256).await?;
    let (checkpoint, resumed) =
        choose_checkpoint(stored, options.resume, &users_sha256, &groups_sha256)?;
    let resumed_after_row = resumed.then_some(checkpoint.last_row);
    let mut run = Run {
        target,
        options: &options,
        progress,
        audit: AuditContext {
            initiated_by: options.initiated_by.clone(),
            correlation_id: checkpoint.correlation_id.clone(),
        },
        checkpoint,
        groups: GroupDirectory::default(),
        failed_rows: 0,
    };
    if !resumed {
        let record = run.audit.bulk(
            "Bulk create users - started (bulk)",
            &[
                ("usersFileSha256", users_sha256.clone()),
                ("usersFile", file_name(&source.users)),
            ],
        );
        run.save_checkpoint(Some(record)).await?;
    }

    let mut read_errors: Vec<RowError> = Vec::new();
    let mut stats = RunStats {
        started,
        total_bytes,
        bytes_read,
        rows_read: 0,
        skipped_over: 0,
    };
    let outcome = match run_phases(
        &mut run,
        groups_reader,
        users_reader,
        &mut read_errors,
        &mut stats,
    )
    .await
    {
        Ok(()) if options.stop.is_stopped() => Outcome::Interrupted {
            reason: "stopped on request".into(),
        },
        Ok(()) => match finish(&mut run, &stats).await {
            Ok(()) => Outcome::Completed,
            Err(err) => Outcome::Interrupted {
                reason: err.to_string(),
            },
        },
        Err(err) => Outcome::Interrupted {
            reason: err.to_string(),
        },
    };

    let mut errors = read_errors;
    errors.extend(run.checkpoint.commit_errors.iter().cloned());
    errors.sort_by_key(|e| (e.file, e.line));
    let mut failed_rows: Vec<(InputFile, u64)> = errors.iter().map(|e| (e.file, e.line)).collect();
    failed_rows.dedup();
    let elapsed = started.elapsed().as_secs_f64();
    let report = ImportReport {
        outcome,
        correlation_id: run.checkpoint.correlation_id.clone(),
        users_sha256,
        groups_sha256,
        resumed_after_row,
        rows_read: stats.rows_read,
        counts: run.checkpoint.counts.clone(),
        failed_rows: failed_rows.len() as u64,
        errors,
        elapsed_seconds: elapsed,
        rows_per_second: rate(stats.rows_read, elapsed),
    };
    progress.finish(&report);
    Ok(report)
}

fn choose_checkpoint(
    stored: Option<Checkpoint>,
    mode: ResumeMode,
    users_sha256: &str,
    groups_sha256: &Option<String>,
) -> Result<(Checkpoint, bool), ImportError> {
    let fresh = || Checkpoint {
        users_sha256: users_sha256.to_owned(),
        groups_sha256: groups_sha256.clone(),
        correlation_id: CorrelationId::from_uuid(Uuid::new_v4()),
        started: OffsetDateTime::now_utc(),
        // Without a groups file there is no groups phase to record.
        phase: if groups_sha256.is_some() {
            Phase::Groups
        } else {
            Phase::Users
        },
        last_row: 0,
        last_line: 0,
        counts: Counts::default(),
        commit_errors: Vec::new(),
    };
    match (mode, stored) {
        (ResumeMode::Restart, _) | (_, None) => Ok((fresh(), false)),
        (ResumeMode::Fresh, Some(stored)) if stored.phase != Phase::Done => {
            Err(ImportError::Unfinished {
                last_row: stored.last_row,
                last_line: stored.last_line,
            })
        }
        (ResumeMode::Fresh, Some(_)) => Ok((fresh(), false)),
        (ResumeMode::Resume, Some(stored)) => {
            if stored.groups_sha256 != *groups_sha256 {
                return Err(ImportError::GroupsFileChanged);
            }
            Ok((stored, true))
        }
    }
}

async fn hash_in_background(path: &Path) -> Result<String, ImportError> {
    let owned = path.to_owned();
    tokio::task::spawn_blocking(move || sha256_file(&owned))
        .await
        .map_err(|err| ImportError::Internal(format!("the hashing task failed: {err}")))?
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn rate(rows: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        rows as f64 / seconds
    } else {
        0.0
    }
}

struct RunStats {
    started: Instant,
    total_bytes: u64,
    bytes_read: Arc<AtomicU64>,
    /// Users-file records read in this run.
    rows_read: u64,
    /// Good records passed over because an earlier run committed them.
    skipped_over: u64,
}

impl RunStats {
    fn snapshot(&self, run: &Run<'_>, read_failed: u64) -> ProgressSnapshot {
        let c = &run.checkpoint.counts;
        ProgressSnapshot {
            rows_read: self.rows_read,
            imported: c.users_created + c.users_updated,
            skipped: c.users_skipped + c.users_unchanged + self.skipped_over,
            failed: read_failed + run.failed_rows,
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            total_bytes: self.total_bytes,
            rows_per_second: rate(self.rows_read, self.started.elapsed().as_secs_f64()),
        }
    }
}

async fn run_phases(
    run: &mut Run<'_>,
    groups_reader: Option<Box<dyn RecordReader>>,
    users_reader: Box<dyn RecordReader>,
    read_errors: &mut Vec<RowError>,
    stats: &mut RunStats,
) -> Result<(), ImportError> {
    if let Some(reader) = groups_reader {
        run.progress.phase(Phase::Groups);
        let (rows, errors) = tokio::task::spawn_blocking(move || read_groups(reader))
            .await
            .map_err(|err| ImportError::Internal(format!("the groups reader failed: {err}")))??;
        report_read_errors(run, read_errors, errors);
        let checkpointed = run.checkpoint.phase == Phase::Groups;
        apply_groups(run, &rows, checkpointed).await?;
    }
    if run.checkpoint.phase == Phase::Groups {
        run.checkpoint.phase = Phase::Users;
        run.save_checkpoint(None).await?;
    }
    run.progress.phase(Phase::Users);
    let mut read_failed = read_errors.len() as u64;
    let resume_after = run.checkpoint.last_row;
    let (sender, mut receiver) = mpsc::channel(2);
    let chunk_size = run.options.chunk_size.max(1);
    let reader = tokio::task::spawn_blocking(move || read_users(users_reader, chunk_size, &sender));
    let mut result = Ok(());
    while let Some(message) = receiver.recv().await {
        let chunk = match message {
            Ok(chunk) => chunk,
            Err(err) => {
                result = Err(err);
                break;
            }
        };
        let mut rows: Vec<UserRow> = Vec::with_capacity(chunk_size);
        let mut last = (0, 0);
        for parsed in chunk {
            stats.rows_read += 1;
            last = (parsed.ordinal, parsed.line);
            match parsed.result {
                Ok(_) if parsed.ordinal <= resume_after => stats.skipped_over += 1,
                Ok(row) => rows.push(row),
                Err(errors) => {
                    read_failed += 1;
                    report_read_errors(run, read_errors, errors);
                }
            }
        }
        if !rows.is_empty()
            && let Err(err) = apply_user_chunk(run, rows, last.0, last.1).await
        {
            result = Err(err);
            break;
        }
        run.progress.update(&stats.snapshot(run, read_failed));
        if run.options.stop.is_stopped() {
            break;
        }
    }
    // Dropping the receiver ends the reader thread at its next send.
    drop(receiver);
    let total_rows = reader
        .await
        .map_err(|err| ImportError::Internal(format!("the users reader failed: {err}")))?;
    result?;
    if !run.options.stop.is_stopped() {
        run.checkpoint.last_row = run.checkpoint.last_row.max(total_rows);
    }
    Ok(())
}

fn report_read_errors(run: &Run<'_>, read_errors: &mut Vec<RowError>, errors: Vec<RowError>) {
    for error in &errors {
        run.progress.row_error(error);
    }
    read_errors.extend(errors);
}

async fn finish(run: &mut Run<'_>, stats: &RunStats) -> Result<(), ImportError> {
    if run.checkpoint.phase == Phase::Done {
        return Ok(());
    }
    run.checkpoint.phase = Phase::Done;
    let c = &run.checkpoint.counts;
    let record = run.audit.bulk(
        "Bulk create users - finished (bulk)",
        &[
            ("usersFileSha256", run.checkpoint.users_sha256.clone()),
            ("usersCreated", c.users_created.to_string()),
            ("usersUpdated", c.users_updated.to_string()),
            (
                "usersSkipped",
                (c.users_skipped + c.users_unchanged).to_string(),
            ),
            ("groupsCreated", c.groups_created.to_string()),
            ("membershipsAdded", c.memberships_added.to_string()),
            ("rowsRead", stats.rows_read.to_string()),
        ],
    );
    run.save_checkpoint(Some(record)).await
}

/// One users-file record after validation.
struct Parsed {
    /// 1-based position among all records (bad ones included): the resume position.
    ordinal: u64,
    line: u64,
    result: Result<UserRow, Vec<RowError>>,
}

/// The reader thread: validates records and sends them in chunks of up to `chunk_size`
/// valid rows. Returns how many records it read.
fn read_users(
    mut reader: Box<dyn RecordReader>,
    chunk_size: usize,
    sender: &mpsc::Sender<Result<Vec<Parsed>, ImportError>>,
) -> u64 {
    let mut duplicates = UserDuplicates::default();
    let mut ordinal = 0u64;
    let mut chunk = Vec::with_capacity(chunk_size);
    let mut valid = 0usize;
    loop {
        let item = match reader.next_item() {
            Ok(Some(item)) => item,
            Ok(None) => break,
            Err(err) => {
                let _ = sender.blocking_send(Err(err));
                return ordinal;
            }
        };
        ordinal += 1;
        let parsed = match item {
            ReadItem::Record(record) => {
                let line = record.line;
                let result = user_row(record).and_then(|row| duplicates.check(&row).map(|()| row));
                valid += usize::from(result.is_ok());
                Parsed {
                    ordinal,
                    line,
                    result,
                }
            }
            ReadItem::Bad(error) => Parsed {
                ordinal,
                line: error.line,
                result: Err(vec![error]),
            },
        };
        chunk.push(parsed);
        // Bad rows cost no database work, so chunks are sized by valid rows; the record
        // cap bounds memory for a file of nothing but bad rows.
        if valid >= chunk_size || chunk.len() >= chunk_size * 4 {
            if sender
                .blocking_send(Ok(std::mem::take(&mut chunk)))
                .is_err()
            {
                return ordinal;
            }
            valid = 0;
        }
    }
    if !chunk.is_empty() {
        let _ = sender.blocking_send(Ok(chunk));
    }
    ordinal
}

/// Reads the whole groups file (groups are few next to users).
fn read_groups(
    mut reader: Box<dyn RecordReader>,
) -> Result<(Vec<GroupRow>, Vec<RowError>), ImportError> {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut duplicates = GroupDuplicates::default();
    while let Some(item) = reader.next_item()? {
        match item {
            ReadItem::Record(record) => match group_row(record) {
                Ok(row) => match duplicates.check(&row) {
                    Ok(()) => rows.push(row),
                    Err(error) => errors.push(error),
                },
                Err(row_errors) => errors.extend(row_errors),
            },
            ReadItem::Bad(error) => errors.push(error),
        }
    }
    Ok((rows, errors))
}
