//! The running server: typed configuration, telemetry, storage selection, TLS,
//! listeners and graceful shutdown.

// Tests may unwrap: a panic there is a failed test, not a crashed server.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod application;
pub mod config;
pub mod listener;
pub mod shutdown;
pub mod signin_config;
pub mod signing_keys;
pub mod storage;
pub mod telemetry;
pub mod tls;

pub use application::{Application, StartError};
pub use config::{Config, ConfigError, FileConfig};
