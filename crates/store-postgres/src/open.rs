//! Connecting to PostgreSQL and migrating.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::PostgresStore;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("invalid PostgreSQL URL: {0}")]
    Url(sqlx::Error),
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(sqlx::Error),
    #[error("cannot migrate the PostgreSQL database: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

/// The embedded migrations. sqlx takes an advisory lock while migrating, so several
/// nodes starting at once migrate one after the other.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Pool sizing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

impl PostgresStore {
    /// Connects to a `postgres://` URL with default pool settings and migrates.
    pub async fn connect(url: &str) -> Result<Self, OpenError> {
        let options = PgConnectOptions::from_str(url).map_err(OpenError::Url)?;
        Self::connect_with(options, PoolSettings::default()).await
    }

    /// Connects with explicit options (TLS mode, `search_path`, …) and migrates.
    pub async fn connect_with(
        options: PgConnectOptions,
        settings: PoolSettings,
    ) -> Result<Self, OpenError> {
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(OpenError::Connect)?;
        MIGRATOR.run(&pool).await.map_err(OpenError::Migrate)?;
        tracing::debug!("PostgreSQL store open");
        Ok(PostgresStore::from_pool(pool))
    }

    /// A listener that wakes when any node commits a policy change; each notification's
    /// payload is the new `policy_version`. Optional: a cache that only compares
    /// `policy_version()` before use is already correct; listening lets it reload sooner.
    /// Notifications can be lost while the listener reconnects, so treat them as hints.
    pub async fn policy_listener(&self) -> Result<PolicyListener, sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(crate::dialect::POLICY_CHANNEL).await?;
        Ok(PolicyListener { listener })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Policy-change notifications from every node (see [`PostgresStore::policy_listener`]).
pub struct PolicyListener {
    listener: sqlx::postgres::PgListener,
}

impl PolicyListener {
    /// Waits for the next committed policy change and returns its `policy_version`.
    pub async fn next_version(&mut self) -> Result<i64, sqlx::Error> {
        loop {
            let notification = self.listener.recv().await?;
            if let Ok(version) = notification.payload().parse() {
                return Ok(version);
            }
        }
    }
}
