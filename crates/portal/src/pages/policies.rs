//! The Conditional Access list, the state switch (with a look at the report-only impact
//! before a policy is turned on), the template gallery and the per-policy impact view.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use portcullis_core::Permission;
use portcullis_pages::kit::{CsrfToken, render};
use portcullis_policy::templates::{self, TemplateParameters};
use portcullis_service::admin::policies::PolicyCollection;
use portcullis_store::reports::{HOUR_MICROS, ReportWindow};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

pub use super::policy_edit::{create, edit_form, new_form, update};
use super::{Choice, PageResult, fail, period_days, periods, window};
use crate::admin::{Admin, Chrome};
use crate::charts::{Series, TimeChart};
use crate::error::bad_request;
use crate::format::{bucket_label, policy_result_label, state_label, when_text};
use crate::state::PortalState;

pub struct PolicyRow {
    pub id: String,
    pub name: String,
    pub state: String,
    pub state_label: &'static str,
    pub modified: String,
    pub states: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "policies.html")]
pub struct PoliciesPage {
    chrome: Chrome,
    csrf: String,
    can_write: bool,
    policies: Vec<PolicyRow>,
}

const STATE_CHOICES: [(&str, &str); 3] = [
    ("enabledForReportingButNotEnforced", "Report-only"),
    ("enabled", "On"),
    ("disabled", "Off"),
];

pub async fn list(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
) -> PageResult {
    let mut objects = state
        .kit
        .services
        .list_policy_objects(&admin.caller, PolicyCollection::ConditionalAccessPolicies)
        .await
        .map_err(fail)?;
    objects.sort_by(|a, b| {
        a["displayName"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .cmp(&b["displayName"].as_str().unwrap_or_default().to_lowercase())
    });
    let policies = objects
        .iter()
        .map(|p| {
            let state = p["state"].as_str().unwrap_or_default().to_owned();
            PolicyRow {
                id: p["id"].as_str().unwrap_or_default().to_owned(),
                name: p["displayName"].as_str().unwrap_or("(unnamed)").to_owned(),
                state_label: state_label(&state),
                modified: p["modifiedDateTime"]
                    .as_str()
                    .or(p["createdDateTime"].as_str())
                    .map(when_text)
                    .unwrap_or_default(),
                states: Choice::list(&STATE_CHOICES, &state),
                state,
            }
        })
        .collect();
    Ok(render(&PoliciesPage {
        chrome: admin.chrome("policies"),
        csrf,
        can_write: admin.can(Permission::ConditionalAccessWrite),
        policies,
    }))
}

#[derive(Template)]
#[template(path = "policy_enable.html")]
pub struct EnablePage {
    chrome: Chrome,
    csrf: String,
    id: String,
    name: String,
    blocked: u64,
    challenged: u64,
    satisfied: u64,
    /// Security defaults exclude enforced policies: the page says so before the admin
    /// confirms, rather than after the refusal.
    security_defaults_on: bool,
}

/// Sums one policy's results over the last `days`.
async fn recent_results(
    state: &PortalState,
    admin: &Admin,
    id: &str,
    days: u32,
) -> Result<Vec<portcullis_store::reports::PolicyResultCount>, axum::response::Response> {
    let (from, to) = window(days, OffsetDateTime::now_utc());
    state
        .kit
        .services
        .policy_result_counts(
            &admin.caller,
            &ReportWindow {
                from,
                to,
                bucket_micros: 24 * HOUR_MICROS,
            },
            Some(id),
        )
        .await
        .map_err(fail)
}

fn sum(counts: &[portcullis_store::reports::PolicyResultCount], result: &str) -> u64 {
    counts
        .iter()
        .filter(|c| c.result == result)
        .map(|c| c.count)
        .sum()
}

/// `POST /admin/policies/{id}/state`: report-only, on or off. Turning a policy on first
/// shows what it would have done in the last week; the admin confirms.
pub async fn set_state(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let new_state = field("state");
    if !STATE_CHOICES.iter().any(|(s, _)| *s == new_state) {
        return Err(bad_request(format!("{new_state:?} is not a policy state")).into_response());
    }
    let services = &state.kit.services;
    let policy = services
        .get_policy_object(
            &admin.caller,
            PolicyCollection::ConditionalAccessPolicies,
            &id,
        )
        .await
        .map_err(fail)?;
    if new_state == "enabled" && policy["state"] != "enabled" && field("confirm") != "yes" {
        let counts = recent_results(&state, &admin, &id, 7).await?;
        let security_defaults_on = super::security_defaults::are_enabled(&state, &admin)
            .await
            .map_err(fail)?;
        return Ok(render(&EnablePage {
            security_defaults_on,
            chrome: admin.chrome("policies"),
            csrf,
            name: policy["displayName"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            blocked: sum(&counts, "reportOnlyFailure"),
            challenged: sum(&counts, "reportOnlyInterrupted"),
            satisfied: sum(&counts, "reportOnlySuccess"),
            id,
        }));
    }
    services
        .update_policy_object(
            &admin.caller,
            PolicyCollection::ConditionalAccessPolicies,
            &id,
            json!({ "state": new_state }),
        )
        .await
        .map_err(fail)?;
    Ok(Redirect::to("/admin/policies").into_response())
}

pub struct TemplateCard {
    pub slug: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

#[derive(Template)]
#[template(path = "policy_templates.html")]
pub struct TemplatesPage {
    chrome: Chrome,
    csrf: String,
    can_write: bool,
    templates: Vec<TemplateCard>,
}

pub async fn templates(admin: Admin, CsrfToken(csrf): CsrfToken) -> PageResult {
    if !admin.can(Permission::PolicyRead) {
        return Err(fail(portcullis_service::ServiceError::Forbidden(
            "reading Conditional Access policies is not part of your roles".into(),
        )));
    }
    let templates = templates::all()
        .into_iter()
        .map(|t| TemplateCard {
            slug: t.slug,
            name: t.name,
            description: t.description,
        })
        .collect();
    Ok(render(&TemplatesPage {
        chrome: admin.chrome("policies"),
        csrf,
        can_write: admin.can(Permission::ConditionalAccessWrite),
        templates,
    }))
}

/// Creates a report-only policy from a template, excluding the creating admin (as
/// Entra's templates exclude "the current administrator"), and opens it for editing.
pub async fn from_template(
    State(state): State<PortalState>,
    admin: Admin,
    Path(slug): Path<String>,
) -> PageResult {
    let parameters = TemplateParameters::new().with("excludeUsers", &admin.user_id.to_string());
    let policy = templates::instantiate(&slug, &parameters)
        .map_err(|e| bad_request(e.to_string()).into_response())?;
    let body: Value =
        serde_json::to_value(&policy).map_err(|e| bad_request(e.to_string()).into_response())?;
    let created = state
        .kit
        .services
        .create_policy_object(
            &admin.caller,
            PolicyCollection::ConditionalAccessPolicies,
            body,
        )
        .await
        .map_err(fail)?;
    let id = created["id"].as_str().unwrap_or_default();
    Ok(Redirect::to(&format!("/admin/policies/{id}?saved=1")).into_response())
}

pub struct ActedRow {
    pub sign_in_id: String,
    pub when: String,
    pub user: String,
    pub app: String,
    pub result: &'static str,
}

#[derive(Template)]
#[template(path = "policy_impact.html")]
pub struct ImpactPage {
    chrome: Chrome,
    id: String,
    name: String,
    state_label: &'static str,
    periods: Vec<Choice>,
    chart: TimeChart,
    acted: Vec<ActedRow>,
}

#[derive(Debug, Deserialize)]
pub struct ImpactQuery {
    days: Option<u32>,
}

const IMPACT_SERIES: [(&str, &str, &str); 5] = [
    ("reportOnlyFailure", "Would have blocked", "failure"),
    (
        "reportOnlyInterrupted",
        "Would have challenged",
        "interrupted",
    ),
    ("reportOnlySuccess", "Report-only: satisfied", "success"),
    ("failure", "Enforced: failed", "blocked"),
    ("success", "Enforced: satisfied", "mfa"),
];

/// `GET /admin/policies/{id}/impact`: what the policy did or would have done, per day,
/// and the newest sign-ins it challenged or blocked.
pub async fn impact(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
    Query(query): Query<ImpactQuery>,
) -> PageResult {
    let services = &state.kit.services;
    let policy = services
        .get_policy_object(
            &admin.caller,
            PolicyCollection::ConditionalAccessPolicies,
            &id,
        )
        .await
        .map_err(fail)?;
    let days = period_days(query.days);
    let (from, to) = window(days, OffsetDateTime::now_utc());
    let bucket = 24 * HOUR_MICROS;
    let counts = services
        .policy_result_counts(
            &admin.caller,
            &ReportWindow {
                from,
                to,
                bucket_micros: bucket,
            },
            Some(&id),
        )
        .await
        .map_err(fail)?;
    let first = portcullis_core::timestamp::unix_micros(from).div_euclid(bucket) * bucket;
    let end = portcullis_core::timestamp::unix_micros(to);
    let starts: Vec<i64> = (0..)
        .map(|i| first + i * bucket)
        .take_while(|s| *s < end)
        .take(60)
        .collect();
    let series = IMPACT_SERIES
        .iter()
        .map(|(result, label, class)| Series {
            label: (*label).to_owned(),
            class,
            values: starts
                .iter()
                .map(|s| {
                    counts
                        .iter()
                        .filter(|c| c.bucket_start == *s && c.result == *result)
                        .map(|c| c.count)
                        .sum()
                })
                .collect(),
        })
        .collect();
    let acted = services
        .policy_acted_sign_ins(&admin.caller, &id, from, to, 50)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(result, sign_in)| ActedRow {
            sign_in_id: sign_in.id.to_string(),
            when: crate::format::when(sign_in.created_date_time),
            user: sign_in.user_principal_name.unwrap_or_default(),
            app: sign_in
                .app_display_name
                .or(sign_in.app_id)
                .unwrap_or_default(),
            result: policy_result_label(&result),
        })
        .collect();
    let name = policy["displayName"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok(render(&ImpactPage {
        chrome: admin.chrome("policies"),
        state_label: state_label(policy["state"].as_str().unwrap_or_default()),
        chart: TimeChart {
            id: "impact".into(),
            title: format!("Results of {name} per day"),
            buckets: starts.iter().map(|s| bucket_label(*s, false)).collect(),
            series,
        },
        name,
        id,
        periods: periods(days),
        acted,
    }))
}
