//! One module per portal section. Handlers take the [`Admin`](crate::Admin), call the
//! services as that caller and render a template; failures become error pages.

pub mod alerts;
pub mod applications;
pub mod audit;
pub mod break_glass;
pub mod groups;
pub mod methods_policy;
pub mod named_locations;
pub mod overview;
pub mod policies;
mod policy_edit;
mod policy_form;
pub mod roles;
pub mod security_defaults;
pub mod sign_ins;
pub mod strengths;
pub mod user_actions;
pub mod user_risk;
pub mod users;
pub mod what_if;

use axum::response::{IntoResponse, Response};
use portcullis_service::ServiceError;
use time::{Duration, OffsetDateTime};

use crate::error::page_error;

/// Result of a page handler: a response, or the error page.
pub type PageResult = Result<Response, Response>;

/// Maps a service failure into the error page response.
pub fn fail(error: ServiceError) -> Response {
    page_error(error).into_response()
}

/// The first value of a form field (`None` when absent).
pub fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// A textarea of one entry per line (commas also separate), trimmed, blanks dropped.
pub fn form_lines(body: &[u8], name: &str) -> Vec<String> {
    lines(&form_field(body, name).unwrap_or_default())
}

/// Entries of a one-per-line text (commas also separate), trimmed, blanks dropped.
pub fn lines(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether a checkbox was ticked (browsers send nothing for an unticked one).
pub fn form_checked(body: &[u8], name: &str) -> bool {
    form_field(body, name).is_some()
}

/// The `displayName` of a Graph object, or a placeholder.
pub fn display_name(object: &serde_json::Value) -> String {
    object["displayName"]
        .as_str()
        .unwrap_or("(unnamed)")
        .to_owned()
}

/// The reporting periods offered (days), and the default.
pub const PERIODS: [(u32, &str); 3] = [
    (1, "Last 24 hours"),
    (7, "Last 7 days"),
    (30, "Last 30 days"),
];
pub const DEFAULT_DAYS: u32 = 7;

/// A `<select>` option.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn list(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
        options
            .iter()
            .map(|(value, label)| Choice {
                value: (*value).to_owned(),
                label: (*label).to_owned(),
                selected: *value == current,
            })
            .collect()
    }
}

/// The period choices with `days` selected.
pub fn periods(days: u32) -> Vec<Choice> {
    PERIODS
        .iter()
        .map(|(value, label)| Choice {
            value: value.to_string(),
            label: (*label).to_owned(),
            selected: *value == days,
        })
        .collect()
}

/// A known period (unknown values fall back to the default rather than failing).
pub fn period_days(requested: Option<u32>) -> u32 {
    requested
        .filter(|d| PERIODS.iter().any(|(known, _)| known == d))
        .unwrap_or(DEFAULT_DAYS)
}

/// `[now - days, now)`.
pub fn window(days: u32, now: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    (now - Duration::days(i64::from(days)), now)
}
