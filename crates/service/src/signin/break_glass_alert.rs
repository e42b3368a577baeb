//! The break-glass alert: every sign-in attempt, successful or not, by an account marked
//! break-glass raises an alert (entra.md §10: alert on *any* sign-in by these accounts).
//!
//! The marks travel with the policy configuration (marking bumps the policy version, and
//! [`LoadedPolicy`] carries them), so telling a break-glass sign-in from any other is an
//! in-memory lookup in the configuration the step was already judged with: no query for
//! anyone's sign-in. Only a break-glass sign-in costs more, after its log entry is
//! committed: the alert in the log and metrics (as the fraud report raises its alert,
//! `portcullis_alerts_total{alert=…}`) and an audit entry, which the portal's overview
//! lists as the alert an admin sees.

use std::sync::Arc;

use portcullis_core::audit::{InitiatedBy, TargetResource, UserIdentity, category};
use portcullis_core::{AuditId, AuditRecord, SignIn, UserId};
use portcullis_store::{Batch, SignInStepWrite, Store};
use time::OffsetDateTime;
use uuid::Uuid;

use super::policy_cache::PolicyCache;

/// The audit activity of the alert (the portal's overview looks it up by this name).
pub const BREAK_GLASS_SIGN_IN_ACTIVITY: &str = "Break-glass account sign-in";
/// The alert's name in the log and in `portcullis_alerts_total`.
const ALERT: &str = "breakGlassSignIn";

/// Finds break-glass sign-ins among committed log entries and raises their alerts.
#[derive(Clone)]
pub(crate) struct BreakGlassAlerts {
    store: Arc<dyn Store>,
    policy: Arc<PolicyCache>,
}

impl BreakGlassAlerts {
    pub(crate) fn new(store: Arc<dyn Store>, policy: Arc<PolicyCache>) -> Self {
        BreakGlassAlerts { store, policy }
    }

    /// The entries of `write` made by break-glass accounts (usually none: one lookup in
    /// the configuration already in memory per entry).
    pub(crate) fn among(&self, write: &SignInStepWrite) -> Vec<SignIn> {
        let Some(loaded) = self.policy.cached() else {
            return Vec::new();
        };
        if loaded.break_glass.is_empty() {
            return Vec::new();
        }
        write
            .sign_ins
            .iter()
            .filter(|logged| {
                logged
                    .record
                    .user_id
                    .as_ref()
                    .is_some_and(|user| loaded.break_glass.contains(user))
            })
            .map(|logged| logged.record.clone())
            .collect()
    }

    /// Raises the alert for each entry, once their log entries are committed. A failure
    /// to write the audit entry is logged but never fails the sign-in: an emergency
    /// account must still get in.
    pub(crate) async fn raise(&self, sign_ins: Vec<SignIn>) {
        if sign_ins.is_empty() {
            return;
        }
        let mut batch = Batch::new();
        for record in &sign_ins {
            tracing::error!(
                alert = ALERT,
                user = record.user_principal_name.as_deref().unwrap_or("-"),
                sign_in = %record.id,
                error_code = record.status.error_code,
                ip = record.ip_address.as_deref().unwrap_or("-"),
                "ALERT: a break-glass account signed in (or tried to)"
            );
            metrics::counter!("portcullis_alerts_total", "alert" => ALERT).increment(1);
            batch = batch.audit(alert_audit(record));
        }
        if let Err(error) = self.store.commit(batch).await {
            tracing::error!(alert = ALERT, %error, "the break-glass alert's audit entry was not written");
        }
    }
}

/// The audit entry of one break-glass sign-in (the portal's overview reads its
/// `signInId`, `signInResult` and `ipAddress` details).
pub fn alert_audit(record: &SignIn) -> AuditRecord {
    let user = record
        .user_id
        .as_ref()
        .map(UserId::to_string)
        .unwrap_or_default();
    let result = if record.status.is_success() {
        "success".to_owned()
    } else {
        format!("failure ({})", record.status.error_code)
    };
    let mut audit = AuditRecord::new(
        AuditId::from_uuid(Uuid::new_v4()),
        OffsetDateTime::now_utc(),
        category::USER_MANAGEMENT,
        BREAK_GLASS_SIGN_IN_ACTIVITY,
        "Other",
        InitiatedBy {
            user: Some(UserIdentity {
                id: user.clone(),
                display_name: record.user_display_name.clone(),
                user_principal_name: record.user_principal_name.clone(),
                ip_address: record.ip_address.clone(),
            }),
            app: None,
        },
    )
    .with_target(TargetResource {
        id: user,
        display_name: record.user_display_name.clone(),
        resource_type: "User".to_owned(),
        user_principal_name: record.user_principal_name.clone(),
        modified_properties: Vec::new(),
    })
    .with_detail("signInId", record.id.as_str())
    .with_detail("signInResult", &result)
    .with_detail("alert", ALERT);
    if let Some(app) = record.app_display_name.as_ref().or(record.app_id.as_ref()) {
        audit = audit.with_detail("application", app);
    }
    if let Some(ip) = &record.ip_address {
        audit = audit.with_detail("ipAddress", ip);
    }
    audit
}
