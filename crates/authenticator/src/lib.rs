//! The Portcullis Authenticator app: device keys, the `/authenticator/*` client, the
//! event stream with reconnection, TOTP accounts, and the interactive screen. The binary
//! (`main.rs`) only parses arguments and calls into here.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod accounts;
pub mod backoff;
pub mod cli;
pub mod client;
pub mod commands;
pub mod datadir;
pub mod device;
pub mod files;
pub mod keyfile;
pub mod sse;
pub mod ui;
pub mod watch;
