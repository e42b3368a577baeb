//! The running server: typed configuration, telemetry, storage selection, TLS,
//! listeners and graceful shutdown.

pub mod config;
pub mod listener;
pub mod shutdown;
pub mod telemetry;
pub mod tls;
