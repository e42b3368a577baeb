//! Opening the database: WAL, foreign keys, a busy timeout, full sync, migrations.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::Pool;
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};

use crate::SqliteStore;

/// The database file name inside a data directory.
pub const DATABASE_FILE: &str = "portcullis.db";

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid SQLite database URL {url:?}: {source}")]
    Url { url: String, source: sqlx::Error },
    #[error("cannot open SQLite database {target}: {source}")]
    Connect { target: String, source: sqlx::Error },
    #[error("cannot migrate SQLite database {target}: {source}")]
    Migrate {
        target: String,
        source: sqlx::migrate::MigrateError,
    },
}

/// How many connections read a database file: two per core (at least 4, at most 8).
/// SQLite reads are CPU work on the connection's own worker thread, so many more
/// connections than cores add no throughput; and in WAL mode every commit empties the
/// page cache of each connection that reads after it, so each extra reader costs
/// re-reads. Measured on 2 cores against one per core: sign-ins keep their rate (one
/// reader per core left cores idle, −19% at minimal argon2), refresh grants pay ≈ 5% of
/// their CPU for it (docs/benchmarks.md, tenth session).
fn read_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    u32::try_from((cores * 2).clamp(4, 8)).unwrap_or(4)
}

/// The embedded migrations.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl SqliteStore {
    /// Opens (creating if needed) `portcullis.db` in `data_dir` and migrates it.
    pub async fn open_dir(data_dir: &Path) -> Result<Self, OpenError> {
        tokio::fs::create_dir_all(data_dir)
            .await
            .map_err(|source| OpenError::DataDir {
                path: data_dir.to_owned(),
                source,
            })?;
        let path = data_dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let target = path.display().to_string();
        let store = Self::open_with(options.clone(), &target, read_connections()).await?;
        // Every write on one connection of its own: SQLite admits one writer at a time,
        // so writers wait in the pool's queue (not in SQLite's sleeping busy handler), and
        // the readers are only the few connections of `read_connections`, each of which
        // drops its page cache after any other connection's commit.
        let writer = Self::connect(Self::settings(options.clone()), 1, &target).await?;
        // One more connection for relaxed-durability commits (a begun sign-in's
        // transaction): the same settings, but SQLite syncs its commits with the next
        // FULL commit instead of one fsync each. Only for a file: an in-memory database
        // opened twice would be two databases.
        let relaxed = Self::connect(
            Self::settings(options).synchronous(SqliteSynchronous::Normal),
            1,
            &target,
        )
        .await?;
        Ok(SqliteStore {
            relaxed,
            writer,
            ..store
        })
    }

    /// Opens a `sqlite://path` (or `sqlite:path`) URL and migrates it.
    pub async fn open_url(url: &str) -> Result<Self, OpenError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|source| OpenError::Url {
                url: url.to_owned(),
                source,
            })?
            .create_if_missing(true);
        // Reads and writes share this pool: an in-memory database is per connection
        // set, so it cannot have a writer apart.
        Self::open_with(options, url, 8).await
    }

    /// The pools' options. sqlx pings a connection before lending it out by default; a
    /// SQLite connection is this process's handle on a local file, with nothing on the
    /// other end to hang up, so the ping only costs a round trip to the connection's
    /// worker thread on every read (a third of a point read's hand-offs). The ping sqlx
    /// makes when a connection comes back to the pool still drops one that broke.
    fn pool_options(max_connections: u32) -> SqlitePoolOptions {
        SqlitePoolOptions::new()
            .max_connections(max_connections)
            .test_before_acquire(false)
    }

    /// A pool of `connections` connections with `options`.
    async fn connect(
        options: SqliteConnectOptions,
        connections: u32,
        target: &str,
    ) -> Result<Pool<Sqlite>, OpenError> {
        Self::pool_options(connections)
            .connect_with(options)
            .await
            .map_err(|source| OpenError::Connect {
                target: target.to_owned(),
                source,
            })
    }

    /// Every connection's settings (the relaxed one then lowers `synchronous`).
    fn settings(options: SqliteConnectOptions) -> SqliteConnectOptions {
        options
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            // Writers queue behind each other; a commit waits rather than fails.
            .busy_timeout(Duration::from_secs(30))
            // FULL: a commit is on disk before it returns ("durable before answered"),
            // also across power loss, at the cost of one fsync per commit in WAL mode.
            .synchronous(SqliteSynchronous::Full)
            // 16 MiB of page cache per connection (SQLite's default is 2 MiB): large
            // directories do random-key B-tree inserts and lookups. Pages are allocated as
            // used, so an idle server stays small.
            .pragma("cache_size", "-16384")
            // Statement journals in memory: a multi-row statement inside a transaction
            // (a group commit's log entries, claims and successors) journals the pages
            // it changes so it can be undone alone; past 64 KiB SQLite spills that
            // journal to a temporary file, written and thrown away on every group. Sorts
            // stay bounded by the page cache either way; the log's pages are LIMITed.
            .pragma("temp_store", "memory")
    }

    async fn open_with(
        options: SqliteConnectOptions,
        target: &str,
        connections: u32,
    ) -> Result<Self, OpenError> {
        let pool = Self::connect(Self::settings(options), connections, target).await?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| OpenError::Migrate {
                target: target.to_owned(),
                source,
            })?;
        tracing::debug!(target, "SQLite store open");
        Ok(SqliteStore::from_pool(pool))
    }

    /// Closes every connection (checkpointing the WAL).
    pub async fn close(&self) {
        self.relaxed.close().await;
        self.writer.close().await;
        self.pool.close().await;
    }
}
