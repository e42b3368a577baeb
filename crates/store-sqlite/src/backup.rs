//! Online backup (`VACUUM INTO`) and offline restore.

use std::path::{Path, PathBuf};

use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use crate::SqliteStore;
use crate::open::{DATABASE_FILE, MIGRATOR};

/// Why a backup or restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; refusing to overwrite it")]
    TargetExists(PathBuf),
    #[error("backup file {path} is not a usable Portcullis database: {reason}")]
    InvalidBackup { path: PathBuf, reason: String },
    #[error("database error while {action}: {source}")]
    Database {
        action: &'static str,
        source: sqlx::Error,
    },
    #[error("file error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// Where the database that was replaced now lives (`None` if there was none).
    pub previous_database: Option<PathBuf>,
    pub audit_records: i64,
}

impl SqliteStore {
    /// Writes a consistent copy of the live database to `target` while it keeps serving
    /// (`VACUUM INTO` reads one snapshot). Refuses to overwrite an existing file.
    pub async fn backup_to(&self, target: &Path) -> Result<(), BackupError> {
        if tokio::fs::try_exists(target).await.unwrap_or(true) {
            return Err(BackupError::TargetExists(target.to_owned()));
        }
        let target_text = target
            .to_str()
            .ok_or_else(|| BackupError::Io {
                path: target.to_owned(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "path is not UTF-8"),
            })?
            .to_owned();
        // The file name is a bound parameter, never spliced into SQL.
        sqlx::query("VACUUM INTO $1")
            .bind(target_text)
            .execute(&self.pool)
            .await
            .map_err(|source| BackupError::Database {
                action: "writing the backup",
                source,
            })?;
        Ok(())
    }
}

/// Checks that `backup` is an intact Portcullis database this version can open.
pub async fn validate_backup(backup: &Path) -> Result<i64, BackupError> {
    let invalid = |reason: String| BackupError::InvalidBackup {
        path: backup.to_owned(),
        reason,
    };
    if !tokio::fs::try_exists(backup).await.unwrap_or(false) {
        return Err(invalid("file does not exist".into()));
    }
    let options = SqliteConnectOptions::new().filename(backup).read_only(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|err| invalid(format!("cannot open: {err}")))?;
    let result = async {
        let check: String = sqlx::query("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(|err| invalid(format!("integrity check failed to run: {err}")))?;
        if check != "ok" {
            return Err(invalid(format!("integrity check reports: {check}")));
        }
        let applied = sqlx::query("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&pool)
            .await
            .map_err(|err| invalid(format!("no migration history: {err}")))?;
        for row in applied {
            let version: i64 = row
                .try_get("version")
                .map_err(|err| invalid(err.to_string()))?;
            if !MIGRATOR.iter().any(|m| m.version == version) {
                return Err(invalid(format!(
                    "made by a newer Portcullis (migration {version} is unknown)"
                )));
            }
        }
        let row = sqlx::query("SELECT audit_seq FROM store_state WHERE id = 1")
            .fetch_one(&pool)
            .await
            .map_err(|err| invalid(format!("no store state: {err}")))?;
        row.try_get::<i64, _>("audit_seq")
            .map_err(|err| invalid(err.to_string()))
    }
    .await;
    pool.close().await;
    result
}

/// Replaces the database in `data_dir` with `backup`, after validating it. Run with the
/// server stopped: the swap renames files under a running server's feet otherwise. The
/// replaced database is kept next to it as `portcullis.db.before-restore-<unix time>`.
pub async fn restore_into(backup: &Path, data_dir: &Path) -> Result<RestoreReport, BackupError> {
    let audit_records = validate_backup(backup).await?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| BackupError::Io { path, source }
    };
    tokio::fs::create_dir_all(data_dir)
        .await
        .map_err(io(data_dir))?;
    let live = data_dir.join(DATABASE_FILE);
    let staging = data_dir.join(format!("{DATABASE_FILE}.restoring"));
    tokio::fs::copy(backup, &staging)
        .await
        .map_err(io(&staging))?;
    let previous_database = if tokio::fs::try_exists(&live).await.unwrap_or(false) {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let kept = data_dir.join(format!("{DATABASE_FILE}.before-restore-{stamp}"));
        tokio::fs::rename(&live, &kept).await.map_err(io(&live))?;
        // The old WAL and shared-memory files belong to the old database.
        for suffix in ["-wal", "-shm"] {
            let side = data_dir.join(format!("{DATABASE_FILE}{suffix}"));
            if tokio::fs::try_exists(&side).await.unwrap_or(false) {
                let kept_side =
                    data_dir.join(format!("{DATABASE_FILE}.before-restore-{stamp}{suffix}"));
                tokio::fs::rename(&side, &kept_side)
                    .await
                    .map_err(io(&side))?;
            }
        }
        Some(kept)
    } else {
        None
    };
    tokio::fs::rename(&staging, &live)
        .await
        .map_err(io(&live))?;
    Ok(RestoreReport {
        previous_database,
        audit_records,
    })
}
