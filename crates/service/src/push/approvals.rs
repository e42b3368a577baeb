//! Starting a push, reading approvals, waiting for an answer, cancelling.

use std::time::Duration as StdDuration;

use portcullis_core::UserId;
use portcullis_push::{
    ApprovalContext, ApprovalId, ApprovalPurpose, ApprovalState, DEFAULT_APPROVAL_LIFETIME, Device,
    DeviceRequest, FatigueState, MatchNumber, PendingApproval, PushNotice, effective_state,
    verify_device_request,
};
use portcullis_store::push_state::PushApprovalRecord;
use time::OffsetDateTime;
use tokio::sync::broadcast::error::RecvError;

use super::PushService;
use super::error::{PushError, PushResult};

/// A push that was sent: the sign-in screen shows `number` and waits on `approval_id`.
#[derive(Debug, Clone)]
pub struct StartedPush {
    pub approval_id: ApprovalId,
    pub number: MatchNumber,
    pub expires_at: OffsetDateTime,
    /// How many devices it went to.
    pub devices: usize,
}

/// A push ready to be stored and announced ([`PushService::prepare_push`]).
pub(crate) struct PreparedPush {
    pub(crate) record: PushApprovalRecord,
    pub(crate) started: StartedPush,
}

pub(crate) fn record_of(
    approval: &PendingApproval,
    now: OffsetDateTime,
    version: i64,
) -> PushResult<PushApprovalRecord> {
    Ok(PushApprovalRecord {
        id: approval.id.to_string(),
        user_id: approval.user_id.clone(),
        state: approval.state.name().to_owned(),
        expires_date_time: approval.expires_at,
        changed_date_time: now,
        version,
        doc: serde_json::to_value(approval).map_err(|e| PushError::Corrupt(e.to_string()))?,
    })
}

pub(crate) fn approval_of(record: &PushApprovalRecord) -> PushResult<PendingApproval> {
    serde_json::from_value(record.doc.clone())
        .map_err(|e| PushError::Corrupt(format!("approval {}: {e}", record.id)))
}

impl PushService {
    /// Sends a push to every active device of the user, unless the fatigue defences
    /// refuse it (the refusal says why; the caller logs it in the sign-in log).
    pub async fn start_push(
        &self,
        user: &UserId,
        purpose: ApprovalPurpose,
        context: ApprovalContext,
        now: OffsetDateTime,
    ) -> PushResult<StartedPush> {
        let prepared = self.prepare_push(user, purpose, context, now).await?;
        self.store.insert_push_approval(&prepared.record).await?;
        Ok(self.announce(prepared))
    }

    /// Everything [`Self::start_push`] does before storing the approval: the devices,
    /// the fatigue defences, the approval itself. The caller stores `record` (alone, or
    /// with the sign-in step that shows its number) and then calls [`Self::announce`].
    pub(crate) async fn prepare_push(
        &self,
        user: &UserId,
        purpose: ApprovalPurpose,
        context: ApprovalContext,
        now: OffsetDateTime,
    ) -> PushResult<PreparedPush> {
        let devices = self.devices(user).await?;
        if devices.is_empty() {
            return Err(PushError::NoDevice);
        }
        let fatigue = self.fatigue(user).await?.1;
        let outstanding = self
            .store
            .list_push_approvals(user, "pending", now)
            .await?
            .len();
        if let Err(refusal) = fatigue.may_push(&self.policy, outstanding, now) {
            tracing::info!(user = %user, reason = %refusal, "push refused by fatigue defences");
            metrics::counter!("portcullis_push_refused_total").increment(1);
            return Err(refusal.into());
        }
        let approval = PendingApproval::create(
            user.clone(),
            purpose,
            context,
            now,
            DEFAULT_APPROVAL_LIFETIME,
            &mut rand::rng(),
        );
        Ok(PreparedPush {
            record: record_of(&approval, now, 1)?,
            started: StartedPush {
                approval_id: approval.id,
                number: approval.number,
                expires_at: approval.expires_at,
                devices: devices.len(),
            },
        })
    }

    /// Tells the user's devices about a prepared push once its record is stored.
    pub(crate) fn announce(&self, prepared: PreparedPush) -> StartedPush {
        self.hub.publish(&prepared.record);
        metrics::counter!("portcullis_push_sent_total").increment(1);
        prepared.started
    }

    /// The reads [`Self::prepare_push`] makes, for a user nobody has: a request that is
    /// not sent (no such name, no enabled device) then takes as long to answer as one
    /// that is, so the time the number takes to appear tells nothing about the name.
    pub(crate) async fn rehearse_prepare(&self) -> PushResult<()> {
        // Each read answers "nothing" for an unknown user (lists, optional rows).
        let nobody = UserId::from_uuid(uuid::Uuid::new_v4());
        self.devices(&nobody).await?;
        self.fatigue(&nobody).await?;
        self.store
            .list_push_approvals(&nobody, "pending", OffsetDateTime::now_utc())
            .await?;
        Ok(())
    }

    /// The user's fatigue state and its stored version (0: none stored yet).
    pub(crate) async fn fatigue(&self, user: &UserId) -> PushResult<(i64, FatigueState)> {
        match self.store.get_push_fatigue(user).await? {
            Some(record) => Ok((
                record.version,
                serde_json::from_value(record.doc)
                    .map_err(|e| PushError::Corrupt(format!("fatigue of {user}: {e}")))?,
            )),
            None => Ok((0, FatigueState::default())),
        }
    }

    /// Checks a signed device request and returns the device.
    pub async fn authenticate_device(
        &self,
        request: &DeviceRequest,
        method: &str,
        path: &str,
        now: OffsetDateTime,
    ) -> PushResult<Device> {
        let device = self.device(&request.device_id).await?;
        verify_device_request(device.as_ref(), request, method, path, now)?;
        device.ok_or(PushError::UnknownDevice)
    }

    /// The pushes waiting for this device's user that this device may answer, oldest
    /// first: a passwordless request goes only to devices enabled for phone sign-in
    /// (any other device could only refuse to approve it).
    pub async fn pending_for(
        &self,
        device: &Device,
        now: OffsetDateTime,
    ) -> PushResult<Vec<PushNotice>> {
        let records = self
            .store
            .list_push_approvals(&device.user_id, "pending", now)
            .await?;
        let mut phone_sign_in: Option<bool> = None;
        let mut notices = Vec::with_capacity(records.len());
        for record in &records {
            let approval = approval_of(record)?;
            if approval.purpose.is_passwordless() {
                let allowed = match phone_sign_in {
                    Some(allowed) => allowed,
                    None => {
                        *phone_sign_in.insert(self.device_allows_phone_sign_in(&device.id).await?)
                    }
                };
                if !allowed {
                    continue;
                }
            }
            notices.push(approval.notice());
        }
        Ok(notices)
    }

    /// The approval's state now (pending past its expiry reads as expired).
    pub async fn approval_state(
        &self,
        id: &ApprovalId,
        now: OffsetDateTime,
    ) -> PushResult<ApprovalState> {
        let record = self
            .store
            .get_push_approval(&id.to_string())
            .await?
            .ok_or_else(|| PushError::UnknownApproval(id.to_string()))?;
        Ok(effective_state(&approval_of(&record)?, now))
    }

    /// Waits until the approval is settled or expires, or `timeout` passes (then it is
    /// still `Pending`). One wake-up per change of this approval: no polling.
    pub async fn wait_for_answer(
        &self,
        id: &ApprovalId,
        timeout: StdDuration,
    ) -> PushResult<ApprovalState> {
        let mut changes = self.hub.subscribe(&self.store);
        let deadline = tokio::time::Instant::now() + timeout;
        let wanted = id.to_string();
        loop {
            let now = OffsetDateTime::now_utc();
            let record = self
                .store
                .get_push_approval(&wanted)
                .await?
                .ok_or_else(|| PushError::UnknownApproval(wanted.clone()))?;
            let approval = approval_of(&record)?;
            match effective_state(&approval, now) {
                ApprovalState::Pending => {}
                ApprovalState::Expired if approval.state == ApprovalState::Pending => {
                    self.close(&record, &approval, ApprovalState::Expired, now)
                        .await?;
                    return Ok(ApprovalState::Expired);
                }
                settled => return Ok(settled),
            }
            let until_expiry = (approval.expires_at - now).unsigned_abs();
            let wake = deadline.min(tokio::time::Instant::now() + until_expiry);
            loop {
                tokio::select! {
                    change = changes.recv() => match change {
                        Ok(change) if change.approval_id == wanted => break,
                        Ok(_) => continue,
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => return Ok(ApprovalState::Pending),
                    },
                    _ = tokio::time::sleep_until(wake) => {
                        if tokio::time::Instant::now() >= deadline {
                            return Ok(ApprovalState::Pending);
                        }
                        break;
                    }
                }
            }
        }
    }

    /// The sign-in moved on ("use another method", abandoned): devices drop the push.
    pub async fn cancel(&self, id: &ApprovalId, now: OffsetDateTime) -> PushResult<bool> {
        let Some(record) = self.store.get_push_approval(&id.to_string()).await? else {
            return Ok(false);
        };
        let approval = approval_of(&record)?;
        if approval.state != ApprovalState::Pending {
            return Ok(false);
        }
        self.close(&record, &approval, ApprovalState::Cancelled, now)
            .await
    }

    /// Moves a pending approval to a final state without an answer (expired,
    /// cancelled); `false` when an answer got there first.
    async fn close(
        &self,
        record: &PushApprovalRecord,
        approval: &PendingApproval,
        state: ApprovalState,
        now: OffsetDateTime,
    ) -> PushResult<bool> {
        let closed = PendingApproval {
            state,
            ..approval.clone()
        };
        let mut next = record_of(&closed, now, record.version)?;
        let won = self.store.replace_push_approval(&next).await?;
        if won {
            next.version += 1;
            self.hub.publish(&next);
        }
        Ok(won)
    }
}
