//! The interactive screen: pending requests with their context, typing the number to
//! approve, and the TOTP codes. Keyboard input is read on a blocking thread and joins the
//! stream updates and a one-second tick in one `select!`.

mod render;
pub mod state;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use tokio::sync::mpsc;

use crate::accounts::Accounts;
use crate::client::Client;
use crate::commands::{CommandError, unlock};
use crate::datadir::DataDir;
use crate::watch::watch;
use state::{Action, LocalUnlock, Screen};

pub async fn run(dir: &DataDir, selector: Option<&str>) -> Result<(), CommandError> {
    let device = Arc::new(unlock(dir, selector)?);
    let client = Client::new(&device.file.server)?;
    let accounts = Accounts::load(&dir.accounts_path())?;
    let (update_tx, mut updates) = mpsc::channel(64);
    let watcher = tokio::spawn(watch(client.clone(), Arc::clone(&device), update_tx));
    let (key_tx, mut keys) = mpsc::channel(16);
    std::thread::spawn(move || read_keys(key_tx));

    let mut screen = Screen {
        account: format!(
            "{} on {}",
            device.file.user_principal_name, device.file.server
        ),
        connection: "connecting…".to_owned(),
        key_has_passphrase: device.file.needs_passphrase(),
        ..Screen::default()
    };
    let mut terminal = ratatui::init();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let result = loop {
        let now = time::OffsetDateTime::now_utc();
        screen.prune(now);
        screen.codes = accounts.codes(now).unwrap_or_default();
        if let Err(error) = terminal.draw(|frame| render::draw(frame, &screen, now)) {
            break Err(CommandError::Usage(format!("cannot draw: {error}")));
        }
        tokio::select! {
            Some(update) = updates.recv() => screen.on_update(update),
            Some(key) = keys.recv() => match screen.on_key(key) {
                Action::Quit => break Ok(()),
                Action::Nothing => {}
                Action::Answer { notice, decision, number, unlock } => {
                    let unlocked = match unlock {
                        LocalUnlock::NotAsked => Ok(false),
                        LocalUnlock::Confirmed => Ok(true),
                        // Re-opening the key file with the typed passphrase is the
                        // unlock: a wrong one is refused here and nothing is sent.
                        LocalUnlock::Passphrase(typed) => device
                            .file
                            .unlock(Some(&typed))
                            .map(|_| true)
                            .map_err(|error| error.to_string()),
                    };
                    screen.status = match unlocked {
                        Ok(unlocked) => {
                            let answer = device.answer(&notice, decision, number, unlocked);
                            match client.respond(&answer).await {
                                Ok(result) => format!("{}: {}", result.result, result.detail),
                                Err(error) => error.to_string(),
                            }
                        }
                        Err(error) => format!("not approved: {error}"),
                    };
                }
            },
            _ = tick.tick() => {}
        }
    };
    ratatui::restore();
    watcher.abort();
    result
}

/// Forwards key presses until the receiver goes away.
fn read_keys(keys: mpsc::Sender<crossterm::event::KeyCode>) {
    loop {
        match event::poll(Duration::from_millis(200)) {
            Ok(true) => {
                if let Ok(Event::Key(key)) = event::read()
                    && key.kind == KeyEventKind::Press
                    && keys.blocking_send(key.code).is_err()
                {
                    return;
                }
            }
            Ok(false) if keys.is_closed() => return,
            Ok(false) => {}
            Err(_) => return,
        }
    }
}
