//! Sign-in logs: a filterable table (paged through the store's index walk), the detail
//! view with Entra's tabs, and export as CSV or JSON lines.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use portcullis_core::{SignIn, SignInId};
use portcullis_pages::kit::render;
use portcullis_store::{Cursor, Filter, FilterValue, SignInField, SignInOutcome, SignInQuery};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::{Choice, PageResult, fail, period_days, periods, window};
use crate::admin::{Admin, Chrome};
use crate::error::bad_request;
use crate::format::{error_code_text, policy_result_label, when};
use crate::state::PortalState;

/// Rows per page in the table.
const PAGE_SIZE: u32 = 50;
/// Most rows one export writes (a bigger export belongs to the Graph API or a SIEM).
const EXPORT_LIMIT: usize = 50_000;

/// The table's filters, all optional, as query parameters (so a filtered view is a
/// link that can be shared and bookmarked).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogFilter {
    pub days: Option<u32>,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub app: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub client_app: String,
    #[serde(default)]
    pub ca_status: String,
    #[serde(default)]
    pub error_code: String,
    #[serde(default)]
    pub ip: String,
    /// `riskLevelDuringSignIn`.
    #[serde(default)]
    pub risk: String,
    /// `riskLevelAggregated`.
    #[serde(default)]
    pub risk_aggregated: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub format: String,
}

/// The risk levels a filter may ask for (Graph's `riskLevel`, less `hidden`, which this
/// server never writes).
const RISK_LEVELS: [&str; 4] = ["none", "low", "medium", "high"];

const RISK_FILTER: [(&str, &str); 5] = [
    ("", "Any"),
    ("high", "High"),
    ("medium", "Medium"),
    ("low", "Low"),
    ("none", "None"),
];

/// A risk filter on `field`, or an error naming the bad level.
fn risk_filter(field: SignInField, level: &str) -> Result<Option<Filter<SignInField>>, String> {
    if level.is_empty() {
        return Ok(None);
    }
    if !RISK_LEVELS.contains(&level) {
        return Err(format!(
            "{level:?} is not a risk level (none, low, medium, high)"
        ));
    }
    Ok(Some(Filter::Eq(field, FilterValue::Text(level.to_owned()))))
}

fn and(filter: Option<Filter<SignInField>>, next: Filter<SignInField>) -> Filter<SignInField> {
    match filter {
        None => next,
        Some(f) => Filter::And(Box::new(f), Box::new(next)),
    }
}

impl LogFilter {
    /// The store query these filters describe; a malformed value is an error naming it.
    pub fn query(&self, now: OffsetDateTime) -> Result<SignInQuery, String> {
        let (from, to) = window(period_days(self.days), now);
        let mut filter = None;
        let text = |v: &str| FilterValue::Text(v.trim().to_owned());
        if !self.user.trim().is_empty() {
            filter = Some(and(
                filter,
                Filter::Eq(SignInField::UserPrincipalName, text(&self.user)),
            ));
        }
        if !self.app.trim().is_empty() {
            filter = Some(and(filter, Filter::Eq(SignInField::AppId, text(&self.app))));
        }
        if !self.client_app.is_empty() {
            filter = Some(and(
                filter,
                Filter::Eq(SignInField::ClientAppUsed, text(&self.client_app)),
            ));
        }
        if !self.ca_status.is_empty() {
            if !["success", "failure", "notApplied"].contains(&self.ca_status.as_str()) {
                return Err(format!(
                    "{:?} is not a Conditional Access status",
                    self.ca_status
                ));
            }
            filter = Some(and(
                filter,
                Filter::Eq(SignInField::ConditionalAccessStatus, text(&self.ca_status)),
            ));
        }
        if !self.error_code.trim().is_empty() {
            let code: i64 = self
                .error_code
                .trim()
                .parse()
                .map_err(|_| format!("error code {:?} is not a number", self.error_code))?;
            filter = Some(and(
                filter,
                Filter::Eq(SignInField::ErrorCode, FilterValue::Int(code)),
            ));
        }
        if !self.ip.trim().is_empty() {
            filter = Some(and(
                filter,
                Filter::Eq(SignInField::IpAddress, text(&self.ip)),
            ));
        }
        for (field, level) in [
            (SignInField::RiskLevelDuringSignIn, &self.risk),
            (SignInField::RiskLevelAggregated, &self.risk_aggregated),
        ] {
            if let Some(next) = risk_filter(field, level)? {
                filter = Some(and(filter, next));
            }
        }
        let outcome = match self.status.as_str() {
            "" => None,
            "success" => Some(SignInOutcome::Success),
            "failure" => Some(SignInOutcome::Failure),
            other => return Err(format!("{other:?} is not a sign-in status")),
        };
        Ok(SignInQuery {
            filter,
            from: Some(from),
            to: Some(to),
            outcome,
            limit: PAGE_SIZE,
            cursor: (!self.page.is_empty()).then(|| Cursor::from_token(self.page.clone())),
        })
    }

    /// The query string of this filter with another page token (or none).
    pub fn link(&self, page: Option<&str>, format: Option<&str>) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("days", &period_days(self.days).to_string());
        for (key, value) in [
            ("user", &self.user),
            ("app", &self.app),
            ("status", &self.status),
            ("clientApp", &self.client_app),
            ("caStatus", &self.ca_status),
            ("errorCode", &self.error_code),
            ("ip", &self.ip),
            ("risk", &self.risk),
            ("riskAggregated", &self.risk_aggregated),
        ] {
            if !value.is_empty() {
                q.append_pair(key, value);
            }
        }
        if let Some(page) = page {
            q.append_pair("page", page);
        }
        if let Some(format) = format {
            q.append_pair("format", format);
        }
        q.finish()
    }
}

pub struct Row {
    pub id: String,
    pub when: String,
    pub user: String,
    pub app: String,
    pub ip: String,
    pub client_app: String,
    pub status: String,
    pub ca_status: &'static str,
    pub risk: String,
    pub risk_aggregated: String,
}

fn row(s: &SignIn) -> Row {
    Row {
        id: s.id.to_string(),
        when: when(s.created_date_time),
        user: s.user_principal_name.clone().unwrap_or_default(),
        app: s
            .app_display_name
            .clone()
            .or_else(|| s.app_id.clone())
            .unwrap_or_default(),
        ip: s.ip_address.clone().unwrap_or_default(),
        client_app: s.client_app_used.clone().unwrap_or_default(),
        status: if s.status.is_success() {
            "Success".into()
        } else {
            format!(
                "{} {}",
                s.status.error_code,
                error_code_text(s.status.error_code)
            )
        },
        ca_status: s.conditional_access_status.as_str(),
        risk: s.risk_level_during_sign_in.clone().unwrap_or_default(),
        risk_aggregated: s.risk_level_aggregated.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "sign_ins.html")]
pub struct SignInsPage {
    chrome: Chrome,
    filter: LogFilter,
    periods: Vec<Choice>,
    statuses: Vec<Choice>,
    client_apps: Vec<Choice>,
    ca_statuses: Vec<Choice>,
    risks: Vec<Choice>,
    aggregated_risks: Vec<Choice>,
    rows: Vec<Row>,
    next: Option<String>,
    csv: String,
    jsonl: String,
}

const CLIENT_APP_FILTER: [(&str, &str); 6] = [
    ("", "Any"),
    ("Browser", "Browser"),
    (
        "Mobile Apps and Desktop clients",
        "Mobile apps and desktop clients",
    ),
    ("Exchange ActiveSync", "Exchange ActiveSync"),
    ("Other clients", "Other clients"),
    ("IMAP", "IMAP"),
];

pub async fn list(
    State(state): State<PortalState>,
    admin: Admin,
    Query(filter): Query<LogFilter>,
) -> PageResult {
    let query = filter
        .query(OffsetDateTime::now_utc())
        .map_err(|e| bad_request(e).into_response())?;
    let page = state
        .kit
        .services
        .query_sign_in_log(&admin.caller, &query)
        .await
        .map_err(fail)?;
    let days = period_days(filter.days);
    Ok(render(&SignInsPage {
        chrome: admin.chrome("sign-ins"),
        periods: periods(days),
        statuses: Choice::list(
            &[
                ("", "Any"),
                ("success", "Success"),
                ("failure", "Failure or interrupted"),
            ],
            &filter.status,
        ),
        client_apps: Choice::list(&CLIENT_APP_FILTER, &filter.client_app),
        ca_statuses: Choice::list(
            &[
                ("", "Any"),
                ("success", "Success"),
                ("failure", "Failure"),
                ("notApplied", "Not applied"),
            ],
            &filter.ca_status,
        ),
        risks: Choice::list(&RISK_FILTER, &filter.risk),
        aggregated_risks: Choice::list(&RISK_FILTER, &filter.risk_aggregated),
        rows: page.items.iter().map(row).collect(),
        next: page
            .next
            .as_ref()
            .map(|c| filter.link(Some(c.as_token()), None)),
        csv: filter.link(None, Some("csv")),
        jsonl: filter.link(None, Some("jsonl")),
        filter,
    }))
}

/// A CSV field: quoted when needed, and a leading `=`, `+`, `-` or `@` neutralised so a
/// spreadsheet never runs a user-supplied value (a user agent, a name) as a formula.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

const CSV_HEADER: &str = "id,createdDateTime,userPrincipalName,userId,appDisplayName,appId,ipAddress,clientAppUsed,errorCode,failureReason,conditionalAccessStatus,riskLevelDuringSignIn,riskLevelAggregated,riskState,riskDetail,correlationId\n";

fn csv_line(s: &SignIn) -> String {
    let created = s
        .created_date_time
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let fields = [
        s.id.to_string(),
        created,
        s.user_principal_name.clone().unwrap_or_default(),
        s.user_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        s.app_display_name.clone().unwrap_or_default(),
        s.app_id.clone().unwrap_or_default(),
        s.ip_address.clone().unwrap_or_default(),
        s.client_app_used.clone().unwrap_or_default(),
        s.status.error_code.to_string(),
        s.status.failure_reason.clone().unwrap_or_default(),
        s.conditional_access_status.as_str().to_owned(),
        s.risk_level_during_sign_in.clone().unwrap_or_default(),
        s.risk_level_aggregated.clone().unwrap_or_default(),
        s.risk_state.clone().unwrap_or_default(),
        s.risk_detail.clone().unwrap_or_default(),
        s.correlation_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    ];
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// `GET /admin/sign-ins/export?…&format=csv|jsonl`: the filtered log, newest first,
/// read page by page (each page one index walk).
pub async fn export(
    State(state): State<PortalState>,
    admin: Admin,
    Query(filter): Query<LogFilter>,
) -> PageResult {
    let jsonl = match filter.format.as_str() {
        "csv" => false,
        "jsonl" => true,
        other => {
            return Err(
                bad_request(format!("{other:?} is not an export format (csv or jsonl)"))
                    .into_response(),
            );
        }
    };
    let mut query = filter
        .query(OffsetDateTime::now_utc())
        .map_err(|e| bad_request(e).into_response())?;
    query.limit = portcullis_store::MAX_PAGE_SIZE;
    query.cursor = None;
    let mut out = if jsonl {
        String::new()
    } else {
        CSV_HEADER.to_owned()
    };
    let mut written = 0usize;
    loop {
        let page = state
            .kit
            .services
            .query_sign_in_log(&admin.caller, &query)
            .await
            .map_err(fail)?;
        for s in &page.items {
            if jsonl {
                out.push_str(&serde_json::to_string(s).unwrap_or_default());
                out.push('\n');
            } else {
                out.push_str(&csv_line(s));
            }
            written += 1;
        }
        match page.next {
            Some(next) if written < EXPORT_LIMIT => query.cursor = Some(next),
            _ => break,
        }
    }
    let (content_type, name) = if jsonl {
        ("application/x-ndjson", "sign-ins.jsonl")
    } else {
        ("text/csv; charset=utf-8", "sign-ins.csv")
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        out,
    )
        .into_response())
}

pub struct PolicyResult {
    pub name: String,
    pub id: String,
    pub result: &'static str,
    pub raw_result: String,
    pub grant: String,
    pub session: String,
    pub satisfied: String,
    pub not_satisfied: String,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    chrome: Chrome,
    s: Row,
    record: SignIn,
    location: String,
    device: Vec<(&'static str, String)>,
    risk_events: String,
    auth_steps: Vec<Vec<(String, String)>>,
    enforced: Vec<PolicyResult>,
    report_only: Vec<PolicyResult>,
    raw: String,
}

fn joined(value: &Value) -> String {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn policy_results(record: &SignIn) -> (Vec<PolicyResult>, Vec<PolicyResult>) {
    let mut enforced = Vec::new();
    let mut report_only = Vec::new();
    for p in record
        .applied_conditional_access_policies
        .as_array()
        .into_iter()
        .flatten()
    {
        let raw = p["result"].as_str().unwrap_or_default().to_owned();
        let result = PolicyResult {
            name: p["displayName"].as_str().unwrap_or_default().to_owned(),
            id: p["id"].as_str().unwrap_or_default().to_owned(),
            result: policy_result_label(&raw),
            grant: joined(&p["enforcedGrantControls"]),
            session: joined(&p["enforcedSessionControls"]),
            satisfied: joined(&p["conditionsSatisfied"]),
            not_satisfied: joined(&p["conditionsNotSatisfied"]),
            raw_result: raw,
        };
        if result.raw_result.starts_with("reportOnly") {
            report_only.push(result);
        } else {
            enforced.push(result);
        }
    }
    (enforced, report_only)
}

pub async fn detail(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
) -> PageResult {
    let id = SignInId::parse(&id)
        .map_err(|_| bad_request(format!("{id:?} is not a sign-in ID")).into_response())?;
    let record = state
        .kit
        .services
        .sign_in_log_entry(&admin.caller, &id)
        .await
        .map_err(fail)?;
    let location = record
        .location
        .as_ref()
        .map(|l| {
            [&l.city, &l.state, &l.country_or_region]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let device = record
        .device_detail
        .as_ref()
        .map(|d| {
            vec![
                ("Device ID", d.device_id.clone().unwrap_or_default()),
                ("Name", d.display_name.clone().unwrap_or_default()),
                (
                    "Operating system",
                    d.operating_system.clone().unwrap_or_default(),
                ),
                ("Browser", d.browser.clone().unwrap_or_default()),
                (
                    "Compliant",
                    d.is_compliant.map(|b| b.to_string()).unwrap_or_default(),
                ),
                (
                    "Managed",
                    d.is_managed.map(|b| b.to_string()).unwrap_or_default(),
                ),
                ("Join type", d.trust_type.clone().unwrap_or_default()),
            ]
        })
        .unwrap_or_default();
    let auth_steps = record
        .authentication_details
        .as_array()
        .into_iter()
        .flatten()
        .map(|step| {
            step.as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), joined(v))).collect())
                .unwrap_or_default()
        })
        .collect();
    let (enforced, report_only) = policy_results(&record);
    // The detection types behind the risk: Graph's free-string list when present, else
    // the older enum list.
    let risk_events = ["riskEventTypes_v2", "riskEventTypes"]
        .iter()
        .filter_map(|key| record.extra.get(*key))
        .map(joined)
        .find(|events| !events.is_empty())
        .unwrap_or_default();
    Ok(render(&SignInPage {
        chrome: admin.chrome("sign-ins"),
        s: row(&record),
        location,
        device,
        risk_events,
        auth_steps,
        enforced,
        report_only,
        raw: serde_json::to_string_pretty(&record).unwrap_or_default(),
        record,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@sum"), "'@sum");
    }

    #[test]
    fn filters_become_a_store_query_and_bad_values_are_named() {
        let filter = LogFilter {
            days: Some(1),
            user: "Ada@Example.com".into(),
            status: "failure".into(),
            error_code: "53003".into(),
            ..LogFilter::default()
        };
        let now = datetime!(2026-11-23 08:00 UTC);
        let query = filter.query(now).unwrap();
        assert_eq!(query.from, Some(datetime!(2026-11-22 08:00 UTC)));
        assert_eq!(query.outcome, Some(SignInOutcome::Failure));
        assert!(matches!(query.filter, Some(Filter::And(_, _))));
        let bad = LogFilter {
            error_code: "x".into(),
            ..LogFilter::default()
        };
        assert!(bad.query(now).unwrap_err().contains("error code"));
        let bad = LogFilter {
            ca_status: "maybe".into(),
            ..LogFilter::default()
        };
        assert!(bad.query(now).is_err());
    }

    #[test]
    fn risk_filters_are_checked_and_kept_in_links() {
        let now = datetime!(2026-11-23 08:00 UTC);
        let filter = LogFilter {
            risk: "high".into(),
            risk_aggregated: "medium".into(),
            ..LogFilter::default()
        };
        let query = filter.query(now).unwrap();
        assert_eq!(
            query.filter,
            Some(Filter::And(
                Box::new(Filter::Eq(
                    SignInField::RiskLevelDuringSignIn,
                    FilterValue::Text("high".into())
                )),
                Box::new(Filter::Eq(
                    SignInField::RiskLevelAggregated,
                    FilterValue::Text("medium".into())
                )),
            ))
        );
        assert_eq!(
            filter.link(None, None),
            "days=7&risk=high&riskAggregated=medium"
        );
        let bad = LogFilter {
            risk_aggregated: "HIGH".into(),
            ..LogFilter::default()
        };
        assert!(bad.query(now).unwrap_err().contains("not a risk level"));
    }

    #[test]
    fn links_keep_the_filters() {
        let filter = LogFilter {
            user: "ada@example.com".into(),
            ..LogFilter::default()
        };
        assert_eq!(
            filter.link(Some("tok"), Some("csv")),
            "days=7&user=ada%40example.com&page=tok&format=csv"
        );
    }
}
