//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "portcullis-authenticator",
    version,
    about = "Approve Portcullis sign-ins by number matching, and keep TOTP codes"
)]
pub struct Cli {
    /// Data directory (default: $XDG_CONFIG_HOME/portcullis-authenticator).
    #[arg(long, env = "PORTCULLIS_AUTHENTICATOR_DIR", global = true)]
    pub dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Activate this device with the link from My security info.
    Activate {
        /// https://HOST/authenticator/activate?code=…
        link: String,
        /// The name shown in My security info.
        #[arg(long, default_value = "Portcullis Authenticator")]
        name: String,
        /// Protect the key with a passphrase (PORTCULLIS_AUTHENTICATOR_PASSPHRASE, or a prompt).
        #[arg(long)]
        passphrase: bool,
        /// Enable passwordless sign-in ("phone sign-in") with this device: each approval
        /// then needs the passphrase (or, without one, `--confirm-local`).
        #[arg(long)]
        phone_sign_in: bool,
    },
    /// List activated devices and TOTP accounts.
    List,
    /// Show the pushes waiting for an answer (JSON lines).
    Pending(DeviceArg),
    /// Answer a waiting push (the most recent one unless --approval is given).
    Respond(RespondArgs),
    /// Print pushes as they arrive, one JSON line each, reconnecting as needed.
    Watch(DeviceArg),
    /// Turn passwordless sign-in ("phone sign-in") on or off for an activated device.
    PhoneSignIn {
        #[arg(value_enum)]
        setting: OnOff,
        #[command(flatten)]
        device: DeviceArg,
    },
    /// Forget a device locally (remove it on the server from My security info).
    Forget {
        /// Device id (or a prefix of it).
        device: String,
    },
    /// TOTP accounts.
    #[command(subcommand)]
    Totp(TotpCommand),
    /// The interactive screen (the default).
    Ui(DeviceArg),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct DeviceArg {
    /// Device id or prefix; needed only when several are activated.
    #[arg(long)]
    pub device: Option<String>,
}

#[derive(Debug, Args)]
#[group(id = "decision", required = true, multiple = false)]
pub struct DecisionArgs {
    /// Approve (needs --number).
    #[arg(long, group = "decision")]
    pub approve: bool,
    /// Deny: "No, it's not me".
    #[arg(long, group = "decision")]
    pub deny: bool,
    /// Deny and report suspicious activity.
    #[arg(long, group = "decision")]
    pub report: bool,
}

#[derive(Debug, Args)]
pub struct RespondArgs {
    #[command(flatten)]
    pub decision: DecisionArgs,
    /// The number shown on the sign-in screen.
    #[arg(long)]
    pub number: Option<String>,
    /// Which approval to answer (default: the most recent).
    #[arg(long)]
    pub approval: Option<String>,
    /// For a key without a passphrase: confirm, as the person at this device, a
    /// passwordless sign-in approval (a key with a passphrase asks for it instead).
    #[arg(long)]
    pub confirm_local: bool,
    /// Wait up to this many seconds for a push to arrive.
    #[arg(long, default_value_t = 0)]
    pub wait: u64,
    #[command(flatten)]
    pub device: DeviceArg,
}

#[derive(Debug, Subcommand)]
pub enum TotpCommand {
    /// Add an account from its otpauth:// URI.
    Add { uri: String },
    /// Show the current codes.
    Codes,
    /// Remove the accounts whose issuer:account contains TEXT.
    Remove { text: String },
}
