//! One module per subcommand.

pub mod audit;
pub mod backup;
pub mod bootstrap;
pub mod serve;

use portcullis_server::config::{Config, ConfigError, FileConfig};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Start(#[from] portcullis_server::StartError),
    #[error(transparent)]
    Storage(#[from] portcullis_server::storage::StorageError),
    #[error("{0}")]
    Service(#[from] portcullis_service::ServiceError),
    #[error(transparent)]
    Backup(#[from] portcullis_store_sqlite::BackupError),
    #[error("{0}")]
    Other(String),
}

/// Loads the configuration: file, then `PORTCULLIS_…` variables, then flags.
pub fn load_config(
    file: Option<&std::path::Path>,
    flags: FileConfig,
) -> Result<Config, ConfigError> {
    Config::load(file, std::env::vars(), flags)
}
