//! The overview dashboard: sign-ins by result, legacy authentication, risky sign-ins,
//! top failure reasons, registration coverage and report-only impact, from the store's
//! rollups (a handful of indexed reads however large the log).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use portcullis_pages::kit::render;
use portcullis_service::ServiceError;
use portcullis_service::admin::policies::PolicyCollection;
use portcullis_store::reports::{
    HOUR_MICROS, MethodStrength, ReportWindow, SignInCount, SignInResult,
};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{Choice, PageResult, fail, period_days, periods, window};
use crate::admin::{Admin, Chrome};
use crate::charts::{Part, Series, TimeChart, coverage_bar, percent, ranked_bars};
use crate::format::{bucket_label, error_code_text};
use crate::state::PortalState;

#[derive(Debug, Deserialize)]
pub struct OverviewQuery {
    days: Option<u32>,
}

pub struct FailureRow {
    pub code: i32,
    pub text: &'static str,
    pub count: u64,
}

pub struct CoverageRow {
    pub label: &'static str,
    pub class: &'static str,
    pub value: u64,
    pub share: u64,
}

pub struct ImpactRow {
    pub id: String,
    pub name: String,
    pub blocked: u64,
    pub challenged: u64,
    pub satisfied: u64,
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    chrome: Chrome,
    days: u32,
    periods: Vec<Choice>,
    time_charts: Vec<TimeChart>,
    sign_ins_unavailable: Option<String>,
    failures: Vec<FailureRow>,
    failures_svg: String,
    coverage: Option<Vec<CoverageRow>>,
    coverage_svg: String,
    impact: Option<Vec<ImpactRow>>,
    /// Break-glass sign-ins in the period; `None` without the audit log read right.
    break_glass_alerts: Option<Vec<super::alerts::BreakGlassAlert>>,
}

/// Hourly buckets for a day, daily ones beyond.
fn report_window(days: u32, now: OffsetDateTime) -> ReportWindow {
    let (from, to) = window(days, now);
    ReportWindow {
        from,
        to,
        bucket_micros: if days <= 1 {
            HOUR_MICROS
        } else {
            24 * HOUR_MICROS
        },
    }
}

/// Every bucket start in the window, so quiet periods show as empty columns.
fn bucket_starts(window: &ReportWindow) -> Vec<i64> {
    let size = window.bucket_micros;
    let first = portcullis_core::timestamp::unix_micros(window.from).div_euclid(size) * size;
    let end = portcullis_core::timestamp::unix_micros(window.to);
    let mut starts = Vec::new();
    let mut at = first;
    while at < end && starts.len() < 1000 {
        starts.push(at);
        at += size;
    }
    starts
}

/// Builds one time chart by classifying each count into a series.
fn chart(
    id: &str,
    title: &str,
    starts: &[i64],
    hourly: bool,
    counts: &[SignInCount],
    series: &[(&str, &'static str)],
    classify: impl Fn(&SignInCount) -> Option<usize>,
) -> TimeChart {
    let index: BTreeMap<i64, usize> = starts.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut values = vec![vec![0u64; starts.len()]; series.len()];
    for count in counts {
        if let (Some(bucket), Some(s)) = (index.get(&count.bucket_start), classify(count)) {
            values[s][*bucket] += count.count;
        }
    }
    TimeChart {
        id: id.to_owned(),
        title: title.to_owned(),
        buckets: starts.iter().map(|s| bucket_label(*s, hourly)).collect(),
        series: series
            .iter()
            .zip(values)
            .map(|((label, class), values)| Series {
                label: (*label).to_owned(),
                class,
                values,
            })
            .collect(),
    }
}

fn result_index(result: SignInResult) -> usize {
    match result {
        SignInResult::Success => 0,
        SignInResult::Interrupted => 1,
        SignInResult::Failure => 2,
    }
}

const BY_RESULT: [(&str, &str); 3] = [
    ("Success", "success"),
    ("Interrupted (challenged)", "interrupted"),
    ("Failure", "failure"),
];

fn time_charts(counts: &[SignInCount], window: &ReportWindow) -> Vec<TimeChart> {
    let starts = bucket_starts(window);
    let hourly = window.bucket_micros == HOUR_MICROS;
    vec![
        chart(
            "by-result",
            "Sign-ins by result",
            &starts,
            hourly,
            counts,
            &BY_RESULT,
            |c| Some(result_index(c.result)),
        ),
        chart(
            "legacy",
            "Legacy authentication attempts",
            &starts,
            hourly,
            counts,
            &BY_RESULT,
            |c| c.legacy.then(|| result_index(c.result)),
        ),
        chart(
            "risky",
            "Risky sign-ins by risk level",
            &starts,
            hourly,
            counts,
            &[("Low", "low"), ("Medium", "medium"), ("High", "high")],
            |c| match c.risk_level.as_str() {
                "low" => Some(0),
                "medium" => Some(1),
                "high" => Some(2),
                _ => None,
            },
        ),
    ]
}

fn strength_class(strength: MethodStrength) -> &'static str {
    match strength {
        MethodStrength::None => "none",
        MethodStrength::SingleFactor => "single",
        MethodStrength::Mfa => "mfa",
        MethodStrength::PhishingResistant => "phish",
    }
}

/// `None` when the caller's roles do not include the read; other errors fail the page.
fn optional<T>(result: Result<T, ServiceError>) -> Result<Option<T>, ServiceError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(ServiceError::Forbidden(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

pub async fn show(
    State(state): State<PortalState>,
    admin: Admin,
    Query(query): Query<OverviewQuery>,
) -> PageResult {
    let services = &state.kit.services;
    let caller = &admin.caller;
    let days = period_days(query.days);
    let report = report_window(days, OffsetDateTime::now_utc());

    let counts = optional(services.sign_in_counts(caller, &report).await).map_err(fail)?;
    let failures = optional(
        services
            .top_sign_in_failures(caller, report.from, report.to, 8)
            .await,
    )
    .map_err(fail)?
    .unwrap_or_default();
    let failures: Vec<FailureRow> = failures
        .into_iter()
        .map(|f| FailureRow {
            code: f.error_code,
            text: error_code_text(f.error_code),
            count: f.count,
        })
        .collect();
    let failure_parts: Vec<Part> = failures
        .iter()
        .map(|f| Part {
            label: format!("{} {}", f.code, f.text),
            class: if matches!(f.code, 50074 | 50072 | 50125) {
                "interrupted"
            } else {
                "failure"
            },
            value: f.count,
        })
        .collect();

    let coverage = optional(services.registration_coverage(caller).await).map_err(fail)?;
    let coverage_rows = coverage.as_ref().map(|c| {
        MethodStrength::ALL
            .iter()
            .map(|s| CoverageRow {
                label: s.label(),
                class: strength_class(*s),
                value: c.count(*s),
                share: percent(c.count(*s), c.users_total),
            })
            .collect::<Vec<_>>()
    });
    let coverage_svg = coverage_rows
        .as_ref()
        .map(|rows| {
            let parts: Vec<Part> = rows
                .iter()
                .map(|r| Part {
                    label: r.label.to_owned(),
                    class: r.class,
                    value: r.value,
                })
                .collect();
            coverage_bar("coverage", "Users by strongest registered method", &parts)
        })
        .unwrap_or_default();

    let impact = report_only_impact(&state, &admin, &report).await?;
    let break_glass_alerts = super::alerts::break_glass(services, caller, report.from, report.to)
        .await
        .map_err(fail)?;

    let page = OverviewPage {
        chrome: admin.chrome("overview"),
        days,
        periods: periods(days),
        time_charts: counts
            .as_ref()
            .map(|c| time_charts(c, &report))
            .unwrap_or_default(),
        sign_ins_unavailable: counts.is_none().then(|| {
            "Sign-in charts need the sign-in log read right, which your roles do not include."
                .to_owned()
        }),
        failures_svg: ranked_bars("failures", "Top failure reasons", &failure_parts),
        failures,
        coverage: coverage_rows,
        coverage_svg,
        impact,
        break_glass_alerts,
    };
    Ok(render(&page))
}

/// Report-only results per currently report-only policy, most affected first.
async fn report_only_impact(
    state: &PortalState,
    admin: &Admin,
    report: &ReportWindow,
) -> Result<Option<Vec<ImpactRow>>, axum::response::Response> {
    let services = &state.kit.services;
    let Some(counts) = optional(
        services
            .policy_result_counts(&admin.caller, report, None)
            .await,
    )
    .map_err(fail)?
    else {
        return Ok(None);
    };
    let policies = services
        .list_policy_objects(&admin.caller, PolicyCollection::ConditionalAccessPolicies)
        .await
        .map_err(fail)?;
    let mut rows: Vec<ImpactRow> = policies
        .iter()
        .filter(|p| p["state"] == "enabledForReportingButNotEnforced")
        .map(|p| {
            let id = p["id"].as_str().unwrap_or_default().to_owned();
            let sum = |result: &str| -> u64 {
                counts
                    .iter()
                    .filter(|c| c.policy_id == id && c.result == result)
                    .map(|c| c.count)
                    .sum()
            };
            ImpactRow {
                name: p["displayName"].as_str().unwrap_or("(unnamed)").to_owned(),
                blocked: sum("reportOnlyFailure"),
                challenged: sum("reportOnlyInterrupted"),
                satisfied: sum("reportOnlySuccess"),
                id,
            }
        })
        .filter(|r| r.blocked + r.challenged + r.satisfied > 0)
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.blocked + r.challenged));
    Ok(Some(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn windows_have_one_bucket_per_day_or_hour() {
        let now = datetime!(2026-11-23 08:25 UTC);
        assert_eq!(
            bucket_starts(&report_window(7, now)).len(),
            8,
            "partial first day included"
        );
        assert_eq!(bucket_starts(&report_window(1, now)).len(), 25);
    }

    #[test]
    fn counts_land_in_their_series_and_bucket() {
        let now = datetime!(2026-11-23 08:25 UTC);
        let report = report_window(1, now);
        let starts = bucket_starts(&report);
        let counts = vec![
            SignInCount {
                bucket_start: starts[0],
                result: SignInResult::Failure,
                legacy: true,
                risk_level: "high".into(),
                count: 4,
            },
            SignInCount {
                bucket_start: starts[1],
                result: SignInResult::Success,
                legacy: false,
                risk_level: "none".into(),
                count: 9,
            },
        ];
        let charts = time_charts(&counts, &report);
        assert_eq!(charts[0].series[2].values[0], 4);
        assert_eq!(charts[0].series[0].values[1], 9);
        assert_eq!(charts[1].total(), 4, "only the legacy attempt");
        assert_eq!(charts[2].series[2].values[0], 4, "high risk");
        assert_eq!(charts[2].total(), 4, "risk none is not risky");
    }
}
