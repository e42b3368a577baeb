//! The device event stream: every outstanding push when the stream opens (so nothing is
//! lost across a reconnection), then each new push and each settlement as it happens.

use std::collections::HashSet;

use portcullis_push::wire::SettledNotice;
use portcullis_push::{ApprovalId, Device, PushNotice};
use time::OffsetDateTime;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use super::PushService;
use super::approvals::approval_of;
use super::error::PushResult;

/// One event for a device.
#[derive(Debug, Clone)]
pub enum DeviceEvent {
    Push(PushNotice),
    Settled(SettledNotice),
}

/// Events queued per stream before a slow reader is dropped (it reconnects and re-syncs).
const STREAM_BUFFER: usize = 32;

impl PushService {
    /// Opens the stream for `device`. The task ends when the receiver is dropped or the
    /// device is removed.
    pub async fn device_events(&self, device: Device) -> PushResult<mpsc::Receiver<DeviceEvent>> {
        // Subscribe before the first read so no change falls between the two.
        let mut changes = self.hub.subscribe(&self.store);
        let (sender, receiver) = mpsc::channel(STREAM_BUFFER);
        let mut sent: HashSet<ApprovalId> = HashSet::new();
        for notice in self.pending_for(&device, OffsetDateTime::now_utc()).await? {
            sent.insert(notice.approval_id);
            let _ = sender.try_send(DeviceEvent::Push(notice));
        }
        let service = self.clone();
        tokio::spawn(async move {
            loop {
                let change = tokio::select! {
                    change = changes.recv() => change,
                    () = sender.closed() => return,
                };
                let resync = match change {
                    Ok(change) if change.user_id == device.user_id => {
                        match service.event_for(&device, &change.approval_id).await {
                            Ok(Some(event)) => {
                                if let DeviceEvent::Push(notice) = &event
                                    && !sent.insert(notice.approval_id)
                                {
                                    continue;
                                }
                                if sender.try_send(event).is_err() {
                                    return;
                                }
                                false
                            }
                            Ok(None) => false,
                            Err(error) => {
                                tracing::warn!(%error, "push stream could not read an approval");
                                false
                            }
                        }
                    }
                    Ok(_) => false,
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return,
                };
                if resync {
                    // Missed rings: re-send what is outstanding (the app ignores repeats).
                    let Ok(pending) = service
                        .pending_for(&device, OffsetDateTime::now_utc())
                        .await
                    else {
                        continue;
                    };
                    for notice in pending {
                        sent.insert(notice.approval_id);
                        if sender.try_send(DeviceEvent::Push(notice)).is_err() {
                            return;
                        }
                    }
                }
                // A removed device's stream ends; the app then fails to reconnect.
                if matches!(service.device(&device.id).await, Ok(None)) {
                    return;
                }
            }
        });
        Ok(receiver)
    }

    /// The event `device` should see for a change of `approval_id`; none for a
    /// passwordless request the device is not enabled to answer.
    async fn event_for(
        &self,
        device: &Device,
        approval_id: &str,
    ) -> PushResult<Option<DeviceEvent>> {
        let Some(record) = self.store.get_push_approval(approval_id).await? else {
            return Ok(None);
        };
        let approval = approval_of(&record)?;
        if approval.purpose.is_passwordless()
            && !self.device_allows_phone_sign_in(&device.id).await?
        {
            return Ok(None);
        }
        Ok(Some(
            if approval.is_outstanding(OffsetDateTime::now_utc()) {
                DeviceEvent::Push(approval.notice())
            } else {
                DeviceEvent::Settled(SettledNotice {
                    approval_id: approval.id,
                    state: approval.state.name().to_owned(),
                })
            },
        ))
    }
}
