//! The scriptable commands.

use std::sync::Arc;
use std::time::Duration;

use portcullis_core::CredentialId;
use portcullis_push::{ApprovalId, Decision, MatchNumber, NoticePurpose, PushNotice};
use thiserror::Error;
use tokio::sync::mpsc;

use crate::accounts::{Accounts, AccountsError};
use crate::client::{ActivationLink, Client, ClientError};
use crate::datadir::{DataDir, DataDirError};
use crate::device::UnlockedDevice;
use crate::keyfile::{DeviceIdentity, KeyFile, KeyFileError, generate_signing_key};
use crate::watch::{Update, watch};

pub const PASSPHRASE_ENV: &str = "PORTCULLIS_AUTHENTICATOR_PASSPHRASE";

#[derive(Debug, Error)]
pub enum CommandError {
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    #[error("{0}")]
    Usage(String),
    #[error("no push is waiting for an answer")]
    NothingPending,
    #[error("cannot read the passphrase: {0}")]
    Passphrase(std::io::Error),
    #[error(
        "a passwordless sign-in needs the app's local unlock: this key has no passphrase, so confirm with --confirm-local"
    )]
    LocalUnlockNeeded,
}

/// Whether an answer may attest the app's local unlock. A key sealed under a
/// passphrase was unlocked with it for this very command (`unlock` asks every time), so
/// the unlock happened; a key without one needs the explicit local confirmation.
pub fn local_unlock(device: &UnlockedDevice, confirmed: bool) -> bool {
    device.file.needs_passphrase() || confirmed
}

/// The passphrase from the environment, else a prompt without echo.
pub fn passphrase(prompt: &str) -> Result<String, CommandError> {
    match std::env::var(PASSPHRASE_ENV) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => rpassword::prompt_password(prompt).map_err(CommandError::Passphrase),
    }
}

pub async fn activate(
    dir: &DataDir,
    link: &str,
    name: &str,
    protect: bool,
    phone_sign_in: bool,
) -> Result<KeyFile, CommandError> {
    let link = ActivationLink::parse(link)?;
    let passphrase = if protect {
        let first = passphrase("New passphrase for this device key: ")?;
        if first.is_empty() {
            return Err(CommandError::Usage("the passphrase is empty".to_owned()));
        }
        Some(first)
    } else {
        None
    };
    dir.ensure()?;
    let key = generate_signing_key();
    let client = Client::new(&link.server)?;
    let registered = client
        .activate(&link.code, &key, name, phone_sign_in)
        .await?;
    let file = KeyFile::seal(
        DeviceIdentity {
            server: link.server,
            device_id: registered.device_id,
            user_id: registered.user_id,
            user_principal_name: registered.user_principal_name,
            display_name: name.to_owned(),
        },
        &key,
        passphrase.as_deref(),
    )?;
    dir.save_device(&file)?;
    Ok(file)
}

pub fn unlock(dir: &DataDir, selector: Option<&str>) -> Result<UnlockedDevice, CommandError> {
    let file = dir.device(selector)?;
    let key = if file.needs_passphrase() {
        let pass = passphrase(&format!("Passphrase for {}: ", file.user_principal_name))?;
        file.unlock(Some(&pass))?
    } else {
        file.unlock(None)?
    };
    Ok(UnlockedDevice::new(file, key))
}

pub fn list(dir: &DataDir) -> Result<String, CommandError> {
    let mut out = String::new();
    for device in dir.devices()? {
        out.push_str(&format!(
            "device {} {} on {} ({}{})\n",
            device.device_id,
            device.user_principal_name,
            device.server,
            device.display_name,
            if device.needs_passphrase() {
                ", passphrase"
            } else {
                ""
            },
        ));
    }
    let accounts = Accounts::load(&dir.accounts_path())?;
    for code in accounts.codes(time::OffsetDateTime::now_utc())? {
        out.push_str(&format!("totp {}:{}\n", code.issuer, code.account));
    }
    Ok(out)
}

pub async fn pending(dir: &DataDir, selector: Option<&str>) -> Result<String, CommandError> {
    let device = unlock(dir, selector)?;
    let client = Client::new(&device.file.server)?;
    let notices = client.pending(&device).await?;
    Ok(notices
        .iter()
        .filter_map(|n| serde_json::to_string(n).ok())
        .map(|line| line + "\n")
        .collect())
}

/// Turns passwordless sign-in on or off for the device on the server; the key is
/// unlocked first (its passphrase asked for), since the request is signed with it.
pub async fn set_phone_sign_in(
    dir: &DataDir,
    selector: Option<&str>,
    enabled: bool,
) -> Result<String, CommandError> {
    let device = unlock(dir, selector)?;
    let client = Client::new(&device.file.server)?;
    let answer = client.set_phone_sign_in(&device, enabled).await?;
    let setting = if answer.phone_sign_in { "on" } else { "off" };
    Ok(if answer.changed {
        format!(
            "phone sign-in is now {setting} for device {}\n",
            device.file.device_id
        )
    } else {
        format!(
            "phone sign-in was already {setting} for device {}\n",
            device.file.device_id
        )
    })
}

pub struct RespondRequest<'a> {
    pub decision: Decision,
    pub number: Option<&'a str>,
    pub approval: Option<&'a str>,
    pub wait: Duration,
    pub device: Option<&'a str>,
    /// `--confirm-local`: the local confirmation of a key without a passphrase.
    pub confirm_local: bool,
}

pub async fn respond(dir: &DataDir, request: RespondRequest<'_>) -> Result<String, CommandError> {
    let number = match (request.decision, request.number) {
        (Decision::Approve, Some(text)) => {
            Some(MatchNumber::parse(text).map_err(|e| CommandError::Usage(e.to_string()))?)
        }
        (Decision::Approve, None) => {
            return Err(CommandError::Usage(
                "--approve needs --number NN (the number on the sign-in screen)".to_owned(),
            ));
        }
        (_, Some(_)) => {
            return Err(CommandError::Usage(
                "--number goes with --approve only".to_owned(),
            ));
        }
        (_, None) => None,
    };
    let wanted = request
        .approval
        .map(|text| {
            ApprovalId::parse(text)
                .map_err(|_| CommandError::Usage(format!("{text} is not an approval id")))
        })
        .transpose()?;
    let device = Arc::new(unlock(dir, request.device)?);
    let client = Client::new(&device.file.server)?;
    let notice = find_notice(&client, &device, wanted, request.wait).await?;
    let unlocked = local_unlock(&device, request.confirm_local);
    if notice.purpose == NoticePurpose::PasswordlessSignIn
        && request.decision == Decision::Approve
        && !unlocked
    {
        return Err(CommandError::LocalUnlockNeeded);
    }
    let answer = device.answer(&notice, request.decision, number, unlocked);
    let result = client.respond(&answer).await?;
    Ok(format!("{} {}\n", result.result, result.detail))
}

/// The wanted (or most recent) pending push, waiting on the event stream for up to `wait`.
async fn find_notice(
    client: &Client,
    device: &Arc<UnlockedDevice>,
    wanted: Option<ApprovalId>,
    wait: Duration,
) -> Result<PushNotice, CommandError> {
    let pick = |notices: Vec<PushNotice>| {
        notices
            .into_iter()
            .filter(|n| wanted.is_none_or(|id| n.approval_id == id))
            .max_by_key(|n| n.context.requested_at)
    };
    if let Some(notice) = pick(client.pending(device).await?) {
        return Ok(notice);
    }
    if wait.is_zero() {
        return Err(CommandError::NothingPending);
    }
    let (sender, mut updates) = mpsc::channel(16);
    let task = tokio::spawn(watch(client.clone(), Arc::clone(device), sender));
    let found = tokio::time::timeout(wait, async {
        while let Some(update) = updates.recv().await {
            if let Update::Push(notice) = update
                && wanted.is_none_or(|id| notice.approval_id == id)
            {
                return Some(*notice);
            }
        }
        None
    })
    .await;
    task.abort();
    found.ok().flatten().ok_or(CommandError::NothingPending)
}

pub async fn watch_lines(dir: &DataDir, selector: Option<&str>) -> Result<(), CommandError> {
    let device = Arc::new(unlock(dir, selector)?);
    let client = Client::new(&device.file.server)?;
    let (sender, mut updates) = mpsc::channel(64);
    tokio::spawn(watch(client, device, sender));
    while let Some(update) = updates.recv().await {
        let line = match update {
            Update::Connected => r#"{"event":"connected"}"#.to_owned(),
            Update::Disconnected { error, retry_in } => serde_json::json!({
                "event": "disconnected", "error": error, "retryInMs": retry_in.as_millis() as u64
            })
            .to_string(),
            Update::Push(notice) => {
                serde_json::json!({"event": "push", "push": notice}).to_string()
            }
            Update::Settled(settled) => {
                serde_json::json!({"event": "settled", "settled": settled}).to_string()
            }
        };
        println!("{line}");
    }
    Ok(())
}

pub fn forget(dir: &DataDir, selector: &str) -> Result<CredentialId, CommandError> {
    let file = dir.device(Some(selector))?;
    dir.forget_device(&file)?;
    Ok(file.device_id)
}
