//! The alerts the overview shows above everything else: break-glass sign-ins in the
//! period, read from their audit entries (written by the sign-in service's
//! `break_glass_alert`), newest first. One index seek (`audit_log_activity`).

use portcullis_service::signin::BREAK_GLASS_SIGN_IN_ACTIVITY;
use portcullis_service::{Caller, ServiceError, Services};
use portcullis_store::{AuditField, AuditQuery, Filter, FilterValue};
use time::OffsetDateTime;

use crate::format::when;

/// At most this many alerts are listed (the audit log has them all).
const SHOWN: u32 = 10;

pub struct BreakGlassAlert {
    pub when: String,
    pub user: String,
    pub user_id: String,
    pub result: String,
    pub ip: String,
    /// The sign-in log entry that raised it.
    pub sign_in: String,
}

/// Break-glass sign-in alerts between `from` and `to`, or `None` when the caller's roles
/// may not read the audit log.
pub async fn break_glass(
    services: &Services,
    caller: &Caller,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Option<Vec<BreakGlassAlert>>, ServiceError> {
    let query = AuditQuery {
        filter: Some(Filter::Eq(
            AuditField::ActivityDisplayName,
            FilterValue::Text(BREAK_GLASS_SIGN_IN_ACTIVITY.to_owned()),
        )),
        from: Some(from),
        to: Some(to),
        limit: SHOWN,
        cursor: None,
    };
    let page = match services.list_audit(caller, &query).await {
        Ok(page) => page,
        Err(ServiceError::Forbidden(_)) => return Ok(None),
        Err(other) => return Err(other),
    };
    let detail = |record: &portcullis_core::AuditRecord, key: &str| {
        record
            .additional_details
            .iter()
            .find(|d| d.key == key)
            .map(|d| d.value.clone())
            .unwrap_or_default()
    };
    Ok(Some(
        page.items
            .iter()
            .map(|record| {
                let target = record.target_resources.first();
                BreakGlassAlert {
                    when: when(record.activity_date_time),
                    user: target
                        .and_then(|t| t.user_principal_name.clone())
                        .unwrap_or_default(),
                    user_id: target.map(|t| t.id.clone()).unwrap_or_default(),
                    result: detail(record, "signInResult"),
                    ip: detail(record, "ipAddress"),
                    sign_in: detail(record, "signInId"),
                }
            })
            .collect(),
    ))
}
