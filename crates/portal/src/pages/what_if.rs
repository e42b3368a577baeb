//! What If: the Graph `conditionalAccess/evaluate` request built from a form, answered
//! by the existing What If service; every policy is listed, applying or not, with the
//! reason (the first condition that did not match).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use portcullis_pages::kit::{CsrfToken, render, render_status};
use portcullis_policy::whatif::{AnalysisReason, WhatIfResponse};
use portcullis_service::ServiceError;
use serde_json::{Map, Value, json};

use super::{Choice, PageResult, fail};
use crate::admin::{Admin, Chrome};
use crate::format::state_label;
use crate::state::PortalState;

const CLIENT_APPS: [(&str, &str); 5] = [
    ("browser", "Browser"),
    (
        "mobileAppsAndDesktopClients",
        "Mobile apps and desktop clients",
    ),
    ("exchangeActiveSync", "Exchange ActiveSync"),
    ("easSupported", "Exchange ActiveSync (supported)"),
    ("other", "Other clients (legacy)"),
];
const PLATFORMS: [(&str, &str); 7] = [
    ("", "Any / unknown"),
    ("windows", "Windows"),
    ("macOS", "macOS"),
    ("linux", "Linux"),
    ("iOS", "iOS"),
    ("android", "Android"),
    ("windowsPhone", "Windows Phone"),
];
const RISKS: [(&str, &str); 4] = [
    ("none", "None"),
    ("low", "Low"),
    ("medium", "Medium"),
    ("high", "High"),
];

/// The submitted What If fields, kept to fill the form again.
#[derive(Debug, Clone, Default)]
pub struct WhatIfForm {
    pub user: String,
    pub application: String,
    pub user_action: String,
    pub client_app: String,
    pub platform: String,
    pub ip_address: String,
    pub country: String,
    pub sign_in_risk: String,
    pub user_risk: String,
}

pub struct ResultRow {
    pub name: String,
    pub state: &'static str,
    pub applies: bool,
    pub reasons: String,
    pub grant: String,
}

#[derive(Template)]
#[template(path = "what_if.html")]
pub struct WhatIfPage {
    chrome: Chrome,
    csrf: String,
    form: WhatIfForm,
    client_apps: Vec<Choice>,
    platforms: Vec<Choice>,
    sign_in_risks: Vec<Choice>,
    user_risks: Vec<Choice>,
    error: String,
    results: Option<Vec<ResultRow>>,
}

fn page(admin: &Admin, csrf: String, form: WhatIfForm) -> WhatIfPage {
    WhatIfPage {
        chrome: admin.chrome("what-if"),
        csrf,
        client_apps: Choice::list(&CLIENT_APPS, &form.client_app),
        platforms: Choice::list(&PLATFORMS, &form.platform),
        sign_in_risks: Choice::list(&RISKS, &form.sign_in_risk),
        user_risks: Choice::list(&RISKS, &form.user_risk),
        form,
        error: String::new(),
        results: None,
    }
}

pub async fn form(admin: Admin, CsrfToken(csrf): CsrfToken) -> PageResult {
    let form = WhatIfForm {
        client_app: "browser".into(),
        sign_in_risk: "none".into(),
        user_risk: "none".into(),
        ..WhatIfForm::default()
    };
    Ok(render(&page(&admin, csrf, form)))
}

/// The Graph evaluate request body for the form.
pub fn request_body(form: &WhatIfForm, user_id: &str) -> Value {
    let mut context = Map::new();
    if form.user_action.is_empty() {
        context.insert(
            "@odata.type".into(),
            json!("#microsoft.graph.applicationContext"),
        );
        let apps: Vec<&str> = [form.application.trim()]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        context.insert("includeApplications".into(), json!(apps));
    } else {
        context.insert(
            "@odata.type".into(),
            json!("#microsoft.graph.userActionContext"),
        );
        context.insert("userAction".into(), json!(form.user_action));
    }
    let mut conditions = Map::new();
    let mut put = |key: &str, value: &str| {
        if !value.trim().is_empty() {
            conditions.insert(key.into(), json!(value.trim()));
        }
    };
    put("clientAppType", &form.client_app);
    put("devicePlatform", &form.platform);
    put("ipAddress", &form.ip_address);
    put("country", &form.country);
    put("signInRiskLevel", &form.sign_in_risk);
    put("userRiskLevel", &form.user_risk);
    json!({
        "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": user_id},
        "signInContext": Value::Object(context),
        "signInConditions": Value::Object(conditions),
        "appliedPoliciesOnly": false,
    })
}

/// One row per policy. The engine's result carries the policy's own JSON flattened
/// beside `policyApplies` and `analysisReasons`, as Graph answers.
fn rows(answer: &WhatIfResponse) -> Vec<ResultRow> {
    let mut rows: Vec<ResultRow> = answer
        .value
        .iter()
        .map(|r| {
            let text = |key: &str| r.policy.get(key).and_then(Value::as_str);
            ResultRow {
                name: text("displayName").unwrap_or("(unnamed)").to_owned(),
                state: state_label(text("state").unwrap_or_default()),
                applies: r.policy_applies,
                reasons: if r.policy_applies {
                    String::new()
                } else {
                    reason_text(r.analysis_reasons)
                },
                grant: r
                    .policy
                    .get("grantControls")
                    .and_then(|g| g["builtInControls"].as_array())
                    .map(|c| {
                        c.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    // Policies that apply first, as Entra lists them.
    rows.sort_by_key(|r| !r.applies);
    rows
}

/// Graph's reason name (`users`, `application` …), as the What If blade shows it.
fn reason_text(reason: AnalysisReason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub async fn evaluate(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    body: Bytes,
) -> PageResult {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let form = WhatIfForm {
        user: field("user"),
        application: field("application"),
        user_action: field("userAction"),
        client_app: field("clientAppType"),
        platform: field("devicePlatform"),
        ip_address: field("ipAddress"),
        country: field("country"),
        sign_in_risk: field("signInRiskLevel"),
        user_risk: field("userRiskLevel"),
    };
    let services = &state.kit.services;
    let mut view = page(&admin, csrf, form.clone());
    let outcome = match services.resolve_user(&admin.caller, &form.user).await {
        Ok(user_id) => {
            services
                .evaluate_conditional_access(
                    &admin.caller,
                    request_body(&form, &user_id.to_string()),
                )
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(answer) => {
            view.results = Some(rows(&answer));
            Ok(render(&view))
        }
        Err(ServiceError::Invalid(message) | ServiceError::NotFound(message)) => {
            view.error = message;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
        Err(other) => Err(fail(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_policy::whatif::WhatIfAnalysisResult;

    fn result(name: &str, applies: bool, reason: AnalysisReason) -> WhatIfAnalysisResult {
        let policy = json!({
            "displayName": name,
            "state": "enabled",
            "grantControls": { "operator": "OR", "builtInControls": ["mfa"] },
        });
        WhatIfAnalysisResult {
            policy: policy.as_object().cloned().unwrap_or_default(),
            policy_applies: applies,
            analysis_reasons: reason,
        }
    }

    #[test]
    fn rows_read_the_flattened_policy_and_list_applying_policies_first() {
        let answer = WhatIfResponse {
            value: vec![
                result("Block legacy", false, AnalysisReason::ClientApps),
                result("Pilot MFA", true, AnalysisReason::NotSet),
            ],
        };
        let rows = rows(&answer);
        assert_eq!(rows[0].name, "Pilot MFA");
        assert!(rows[0].applies);
        assert_eq!(rows[0].grant, "mfa");
        assert_eq!(rows[0].reasons, "");
        assert_eq!(rows[1].name, "Block legacy");
        assert_eq!(rows[1].reasons, "clientApps");
    }

    #[test]
    fn the_request_has_the_graph_shape() {
        let form = WhatIfForm {
            application: "app-1".into(),
            client_app: "browser".into(),
            country: "FR".into(),
            sign_in_risk: "high".into(),
            ..WhatIfForm::default()
        };
        let body = request_body(&form, "u-1");
        assert_eq!(body["signInIdentity"]["userId"], "u-1");
        assert_eq!(
            body["signInContext"]["includeApplications"],
            json!(["app-1"])
        );
        assert_eq!(body["signInConditions"]["country"], "FR");
        assert!(
            body["signInConditions"].get("ipAddress").is_none(),
            "blank fields are left out"
        );
        let action = request_body(
            &WhatIfForm {
                user_action: "urn:user:registersecurityinfo".into(),
                ..form
            },
            "u-1",
        );
        assert_eq!(
            action["signInContext"]["userAction"],
            "urn:user:registersecurityinfo"
        );
    }
}
