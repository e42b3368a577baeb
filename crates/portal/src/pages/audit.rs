//! Audit logs (`directoryAudits`): filter by period, category, activity, actor and
//! target; paged newest first.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use portcullis_core::AuditRecord;
use portcullis_pages::kit::render;
use portcullis_store::{AuditField, AuditQuery, Cursor, Filter, FilterValue};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{Choice, PageResult, fail, period_days, periods, window};
use crate::admin::{Admin, Chrome};
use crate::format::when;
use crate::state::PortalState;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditFilter {
    pub days: Option<u32>,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub activity: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub page: String,
}

impl AuditFilter {
    fn query(&self, now: OffsetDateTime) -> AuditQuery {
        let (from, to) = window(period_days(self.days), now);
        let mut filter: Option<Filter<AuditField>> = None;
        for (field, value) in [
            (AuditField::Category, &self.category),
            (AuditField::ActivityDisplayName, &self.activity),
            (AuditField::InitiatedByUserId, &self.actor),
            (AuditField::TargetResourceId, &self.target),
        ] {
            if value.trim().is_empty() {
                continue;
            }
            let next = Filter::Eq(field, FilterValue::Text(value.trim().to_owned()));
            filter = Some(match filter {
                None => next,
                Some(f) => Filter::And(Box::new(f), Box::new(next)),
            });
        }
        AuditQuery {
            filter,
            from: Some(from),
            to: Some(to),
            limit: 50,
            cursor: (!self.page.is_empty()).then(|| Cursor::from_token(self.page.clone())),
        }
    }

    fn link(&self, page: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("days", &period_days(self.days).to_string());
        for (k, v) in [
            ("category", &self.category),
            ("activity", &self.activity),
            ("actor", &self.actor),
            ("target", &self.target),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.append_pair("page", page);
        q.finish()
    }
}

pub struct AuditRow {
    pub when: String,
    pub category: String,
    pub activity: String,
    pub result: String,
    pub actor: String,
    pub targets: String,
    pub changes: String,
}

fn row(r: &AuditRecord) -> AuditRow {
    let actor = match (&r.initiated_by.user, &r.initiated_by.app) {
        (Some(u), _) => u
            .user_principal_name
            .clone()
            .unwrap_or_else(|| u.id.clone()),
        (None, Some(a)) => a.display_name.clone().unwrap_or_else(|| a.app_id.clone()),
        (None, None) => String::new(),
    };
    AuditRow {
        when: when(r.activity_date_time),
        category: r.category.clone(),
        activity: r.activity_display_name.clone(),
        result: format!("{:?}", r.result),
        actor,
        targets: r
            .target_resources
            .iter()
            .map(|t| t.display_name.clone().unwrap_or_else(|| t.id.clone()))
            .collect::<Vec<_>>()
            .join(", "),
        changes: r
            .target_resources
            .iter()
            .flat_map(|t| t.modified_properties.iter().map(|p| p.display_name.clone()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    chrome: Chrome,
    filter: AuditFilter,
    periods: Vec<Choice>,
    rows: Vec<AuditRow>,
    next: Option<String>,
}

pub async fn list(
    State(state): State<PortalState>,
    admin: Admin,
    Query(filter): Query<AuditFilter>,
) -> PageResult {
    let page = state
        .kit
        .services
        .list_audit(&admin.caller, &filter.query(OffsetDateTime::now_utc()))
        .await
        .map_err(|e| fail(e).into_response())?;
    Ok(render(&AuditPage {
        chrome: admin.chrome("audit"),
        periods: periods(period_days(filter.days)),
        rows: page.items.iter().map(row).collect(),
        next: page.next.as_ref().map(|c| filter.link(c.as_token())),
        filter,
    }))
}
