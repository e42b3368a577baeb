//! Accepting an answer: verify, settle once, update the fatigue state, and carry out what
//! the settlement demands (fraud report: risk detection, user risk high, alert, audit).

use portcullis_core::audit::{TargetResource, category};
use portcullis_core::{AuditId, AuditRecord, RiskEvent, RiskEventId, UserId};
use portcullis_push::wire::RespondResponse;
use portcullis_push::{
    AnswerRefused, ApprovalState, EdgeAction, FatigueEvent, FraudReport, PendingApproval,
    SignedAnswer, settle, verify_answer,
};
use portcullis_store::Batch;
use portcullis_store::push_state::PushFatigueRecord;
use time::OffsetDateTime;
use uuid::Uuid;

use super::approvals::{approval_of, record_of};
use super::error::{PushError, PushResult};
use super::{PushService, user_initiator};

/// Fatigue updates race only with the same user's other answers; a few retries settle it.
const FATIGUE_RETRIES: usize = 5;

impl PushService {
    pub async fn respond(
        &self,
        answer: &SignedAnswer,
        now: OffsetDateTime,
    ) -> PushResult<RespondResponse> {
        let record = self
            .store
            .get_push_approval(&answer.approval_id.to_string())
            .await?
            .ok_or_else(|| PushError::UnknownApproval(answer.approval_id.to_string()))?;
        let approval = approval_of(&record)?;
        let device = self
            .device(&answer.device_id)
            .await?
            .ok_or(PushError::UnknownDevice)?;
        let verdict = verify_answer(&approval, &device, answer, now)?;
        // Only a device the user enabled for phone sign-in may approve a passwordless
        // request (any of the user's devices may deny or report it); refused before
        // settling, so an enabled device can still answer.
        if approval.purpose.is_passwordless()
            && answer.decision == portcullis_push::Decision::Approve
            && !self.device_allows_phone_sign_in(&device.id).await?
        {
            return Err(PushError::PhoneSignInNotEnabled);
        }
        let (_, fatigue) = self.fatigue(&approval.user_id).await?;
        let settlement = settle(&approval, &verdict, &fatigue, &self.policy, now);
        let settled = PendingApproval {
            state: settlement.state.clone(),
            ..approval.clone()
        };
        let mut next = record_of(&settled, now, record.version)?;
        if !self.store.replace_push_approval(&next).await? {
            // Another answer (or the expiry) won between our read and write.
            return Err(AnswerRefused::AlreadySettled("settled concurrently").into());
        }
        next.version += 1;
        self.hub.publish(&next);
        metrics::counter!("portcullis_push_answers_total", "result" => settlement.state.name())
            .increment(1);
        let fatigue_event = self
            .record_fatigue(&approval.user_id, &verdict, now)
            .await?;
        for action in &settlement.actions {
            self.carry_out(&approval, action, fatigue_event, now)
                .await?;
        }
        Ok(RespondResponse {
            result: settlement.state.name().to_owned(),
            detail: detail_of(&settlement.state).to_owned(),
        })
    }

    /// Applies the verdict to the stored fatigue state with compare-and-set, re-reading
    /// on a lost race so no denial is lost.
    async fn record_fatigue(
        &self,
        user: &UserId,
        verdict: &portcullis_push::Verdict,
        now: OffsetDateTime,
    ) -> PushResult<FatigueEvent> {
        for _ in 0..FATIGUE_RETRIES {
            let (version, mut state) = self.fatigue(user).await?;
            let event = state.record(&self.policy, verdict, now);
            if event == FatigueEvent::Unchanged {
                return Ok(event);
            }
            let doc =
                serde_json::to_value(&state).map_err(|e| PushError::Corrupt(e.to_string()))?;
            let stored = PushFatigueRecord {
                user_id: user.clone(),
                version,
                doc,
            };
            if self.store.put_push_fatigue(&stored).await? {
                return Ok(event);
            }
        }
        Err(PushError::Corrupt(format!(
            "fatigue state of {user} kept changing; gave up after {FATIGUE_RETRIES} tries"
        )))
    }

    async fn carry_out(
        &self,
        approval: &PendingApproval,
        action: &EdgeAction,
        fatigue_event: FatigueEvent,
        now: OffsetDateTime,
    ) -> PushResult<()> {
        match action {
            // The waiting sign-in reads the settled state (wait_for_answer) and feeds the
            // pipeline itself; nothing to do here.
            EdgeAction::CompleteSignIn { .. } | EdgeAction::FailSignIn { .. } => Ok(()),
            EdgeAction::HelpdeskVerified {
                requested_by,
                verified,
                detail,
            } => {
                let audit = self
                    .user_audit(
                        &approval.user_id,
                        now,
                        "Helpdesk verified user identity",
                        "Update",
                    )
                    .with_detail("requestedBy", requested_by)
                    .with_detail("verified", if *verified { "true" } else { "false" })
                    .with_detail("detail", detail);
                self.store
                    .commit(Batch {
                        changes: Vec::new(),
                        audit: vec![audit],
                    })
                    .await?;
                Ok(())
            }
            EdgeAction::Fraud(report) => self.report_fraud(report, approval, now).await,
            EdgeAction::RecordFatigue(_) => {
                if let FatigueEvent::Suspended { until, reason } = fatigue_event {
                    tracing::warn!(user = %approval.user_id, %until, %reason, "authenticator pushes suspended");
                    let audit = self
                        .user_audit(
                            &approval.user_id,
                            now,
                            "Authenticator pushes suspended",
                            "Update",
                        )
                        .with_detail("until", &until.to_string())
                        .with_detail("reason", &reason.to_string());
                    self.store
                        .commit(Batch {
                            changes: Vec::new(),
                            audit: vec![audit],
                        })
                        .await?;
                }
                Ok(())
            }
        }
    }

    /// "This wasn't me": a high-risk detection (which makes the user's risk high for
    /// Conditional Access and ends their sessions), an alert and an audit entry.
    async fn report_fraud(
        &self,
        report: &FraudReport,
        approval: &PendingApproval,
        now: OffsetDateTime,
    ) -> PushResult<()> {
        let user = self.store.get_user(&report.user_id).await.ok();
        self.store
            .append_risk_event(&RiskEvent {
                id: RiskEventId::from_uuid(Uuid::new_v4()),
                user_id: Some(report.user_id.clone()),
                user_principal_name: user.as_ref().map(|u| u.user_principal_name.clone()),
                risk_event_type: report.risk_event_type.to_owned(),
                risk_level: "high".to_owned(),
                risk_state: "atRisk".to_owned(),
                risk_detail: Some("userReportedSuspiciousActivity".to_owned()),
                detection_timing_type: "realtime".to_owned(),
                detected_date_time: now,
                ip_address: approval.context.ip_address.clone(),
                sign_in_id: None,
                additional_info: serde_json::json!([
                    {"Key": "source", "Value": "End user reported"},
                    {"Key": "approvalId", "Value": report.approval_id.to_string()},
                    {"Key": "deviceId", "Value": report.device_id.as_str()},
                    {"Key": "correlationId", "Value": report.sign_in_correlation_id},
                ]),
            })
            .await?;
        tracing::error!(
            alert = report.alert,
            user = %report.user_id,
            approval = %report.approval_id,
            ip = approval.context.ip_address.as_deref().unwrap_or("-"),
            "ALERT: user reported a push they did not start as fraud"
        );
        metrics::counter!("portcullis_alerts_total", "alert" => report.alert).increment(1);
        let mut audit = self
            .user_audit(&report.user_id, now, report.audit_activity, "Update")
            .with_detail("approvalId", &report.approval_id.to_string())
            .with_detail("deviceId", report.device_id.as_str())
            .with_detail("application", &approval.context.application);
        if let Some(ip) = &approval.context.ip_address {
            audit = audit.with_detail("ipAddress", ip);
        }
        if let Some(correlation) = &report.sign_in_correlation_id {
            audit = audit.with_detail("signInCorrelationId", correlation);
        }
        self.store
            .commit(Batch {
                changes: Vec::new(),
                audit: vec![audit],
            })
            .await?;
        Ok(())
    }

    fn user_audit(
        &self,
        user: &UserId,
        now: OffsetDateTime,
        activity: &str,
        operation: &str,
    ) -> AuditRecord {
        AuditRecord::new(
            AuditId::from_uuid(Uuid::new_v4()),
            now,
            category::USER_AUTHENTICATION_METHOD,
            activity,
            operation,
            user_initiator(user),
        )
        .with_target(TargetResource {
            id: user.to_string(),
            display_name: None,
            resource_type: "User".to_owned(),
            user_principal_name: None,
            modified_properties: Vec::new(),
        })
    }
}

/// The sign-in log wording of a final state.
pub fn detail_of(state: &ApprovalState) -> &'static str {
    use portcullis_push::settle::*;
    match state {
        ApprovalState::Approved { .. } => DETAIL_APPROVED,
        ApprovalState::Denied { .. } => DETAIL_DENIED,
        ApprovalState::WrongNumber { .. } => DETAIL_WRONG_NUMBER,
        ApprovalState::Reported { .. } => DETAIL_FRAUD,
        ApprovalState::Expired => DETAIL_EXPIRED,
        ApprovalState::Cancelled => "MFA cancelled; the sign-in moved on",
        ApprovalState::Pending => "MFA pending",
    }
}
