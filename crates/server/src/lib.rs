//! The running server: typed configuration, telemetry, storage selection, TLS,
//! listeners and graceful shutdown.

pub mod application;
pub mod config;
pub mod listener;
pub mod shutdown;
pub mod storage;
pub mod telemetry;
pub mod tls;

pub use application::{Application, StartError};
pub use config::{Config, ConfigError, FileConfig};
