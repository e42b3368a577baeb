//! Keeps the event stream open: reconnects with exponential backoff and jitter, and turns
//! stream events into updates for the screen or the `watch` command.

use std::sync::Arc;
use std::time::Duration;

use portcullis_push::PushNotice;
use portcullis_push::wire::{PUSH_EVENT, SETTLED_EVENT, SettledNotice};
use rand::Rng as _;
use tokio::sync::mpsc;

use crate::backoff::Backoff;
use crate::client::Client;
use crate::device::UnlockedDevice;

/// What the stream reports.
#[derive(Debug, Clone)]
pub enum Update {
    Connected,
    /// The connection dropped; retrying after `retry_in`.
    Disconnected {
        error: String,
        retry_in: Duration,
    },
    Push(Box<PushNotice>),
    Settled(SettledNotice),
}

/// Runs until the receiver is dropped. The server sends every outstanding push when a
/// stream opens, so nothing is missed across a reconnection.
pub async fn watch(client: Client, device: Arc<UnlockedDevice>, updates: mpsc::Sender<Update>) {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
    loop {
        let sender = updates.clone();
        let connected = updates.clone();
        let mut reset = false;
        let result = client
            .stream_events(
                &device,
                || {
                    reset = true;
                    let _ = connected.try_send(Update::Connected);
                },
                move |event| {
                    let update = match event.event.as_str() {
                        PUSH_EVENT => serde_json::from_str::<PushNotice>(&event.data)
                            .ok()
                            .map(|n| Update::Push(Box::new(n))),
                        SETTLED_EVENT => {
                            serde_json::from_str(&event.data).ok().map(Update::Settled)
                        }
                        _ => None,
                    };
                    if let Some(update) = update {
                        let _ = sender.try_send(update);
                    }
                },
            )
            .await;
        if updates.is_closed() {
            return;
        }
        if reset {
            backoff.reset();
        }
        let retry_in = backoff.next_delay(rand::rng().random::<f64>());
        let error = match result {
            Ok(()) => "the server closed the stream".to_owned(),
            Err(error) => error.to_string(),
        };
        if updates
            .send(Update::Disconnected { error, retry_in })
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(retry_in).await;
    }
}
