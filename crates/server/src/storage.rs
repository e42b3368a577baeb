//! Storage selection: embedded SQLite in the data directory, or PostgreSQL.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_store::Store;

use crate::config::Storage;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sqlite(#[from] portcullis_store_sqlite::OpenError),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
}

/// Creates the data directory readable by its owner only (it holds the database and
/// keys). An existing directory keeps its permissions.
pub fn ensure_data_dir(path: &Path) -> Result<(), StorageError> {
    let err = |source| StorageError::DataDir {
        path: path.to_owned(),
        source,
    };
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(err)
}

/// Opens (and migrates) the configured store.
pub async fn open(storage: &Storage, data_dir: &Path) -> Result<Arc<dyn Store>, StorageError> {
    match storage {
        Storage::Sqlite { path } => {
            ensure_data_dir(data_dir)?;
            let store = if path.parent() == Some(data_dir)
                && path
                    .file_name()
                    .is_some_and(|n| n == portcullis_store_sqlite::DATABASE_FILE)
            {
                portcullis_store_sqlite::SqliteStore::open_dir(data_dir).await?
            } else {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    ensure_data_dir(parent)?;
                }
                portcullis_store_sqlite::SqliteStore::open_url(&format!(
                    "sqlite://{}",
                    path.display()
                ))
                .await?
            };
            Ok(Arc::new(store))
        }
        Storage::Postgres { url } => open_postgres(url).await,
    }
}

/// Connects to PostgreSQL and migrates (sqlx serialises concurrent migrations with an
/// advisory lock, so several nodes may start at once).
async fn open_postgres(url: &str) -> Result<Arc<dyn Store>, StorageError> {
    let store = portcullis_store_postgres::PostgresStore::connect(url)
        .await
        .map_err(|e| StorageError::Postgres(e.to_string()))?;
    Ok(Arc::new(store))
}
