//! The Conditional Access form and the Graph policy JSON, both ways.
//!
//! The form edits the properties admins change day to day (assignments, conditions,
//! grant and session controls); [`PolicyForm::apply`] writes them *into* the stored
//! JSON, so properties the form does not show (custom controls, guest settings,
//! authentication flows, …) survive a save. Everything else is edited in the JSON view.

use serde_json::{Map, Value, json};

/// Form field names of the list-valued conditions, with their JSON location.
pub const LIST_FIELDS: [(&str, &str, &str); 14] = [
    (
        "includeUsers",
        "users",
        "Include users (object IDs, All, None, GuestsOrExternalUsers)",
    ),
    ("excludeUsers", "users", "Exclude users"),
    ("includeGroups", "users", "Include groups"),
    ("excludeGroups", "users", "Exclude groups"),
    (
        "includeRoles",
        "users",
        "Include directory roles (role template IDs)",
    ),
    ("excludeRoles", "users", "Exclude directory roles"),
    (
        "includeApplications",
        "applications",
        "Include applications (app IDs, All, Office365, None)",
    ),
    (
        "excludeApplications",
        "applications",
        "Exclude applications",
    ),
    (
        "includeUserActions",
        "applications",
        "User actions (urn:user:registersecurityinfo, urn:user:registerdevice)",
    ),
    (
        "includeAuthenticationContextClassReferences",
        "applications",
        "Authentication contexts (c1 … c25)",
    ),
    (
        "includePlatforms",
        "platforms",
        "Include device platforms (all, android, iOS, windows, macOS, linux)",
    ),
    ("excludePlatforms", "platforms", "Exclude device platforms"),
    (
        "includeLocations",
        "locations",
        "Include locations (named location IDs, All, AllTrusted)",
    ),
    ("excludeLocations", "locations", "Exclude locations"),
];

pub const CLIENT_APP_TYPES: [(&str, &str); 5] = [
    ("all", "All client apps"),
    ("browser", "Browser"),
    (
        "mobileAppsAndDesktopClients",
        "Mobile apps and desktop clients",
    ),
    ("exchangeActiveSync", "Exchange ActiveSync (legacy)"),
    (
        "other",
        "Other clients (legacy: IMAP, POP, SMTP, LDAP, RADIUS)",
    ),
];

pub const RISK_LEVELS: [(&str, &str); 4] = [
    ("high", "High"),
    ("medium", "Medium"),
    ("low", "Low"),
    ("none", "No risk"),
];

pub const GRANT_CONTROLS: [(&str, &str); 5] = [
    ("block", "Block access"),
    ("mfa", "Require multifactor authentication"),
    (
        "compliantDevice",
        "Require device to be marked as compliant",
    ),
    ("domainJoinedDevice", "Require hybrid joined device"),
    ("passwordChange", "Require password change"),
];

pub const STATES: [(&str, &str); 3] = [
    ("enabledForReportingButNotEnforced", "Report-only"),
    ("enabled", "On"),
    ("disabled", "Off"),
];

/// The form's values. Lists are one entry per line in the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyForm {
    pub display_name: String,
    pub state: String,
    /// In [`LIST_FIELDS`] order.
    pub lists: Vec<String>,
    pub client_app_types: Vec<String>,
    pub sign_in_risk_levels: Vec<String>,
    pub user_risk_levels: Vec<String>,
    pub device_filter_mode: String,
    pub device_filter_rule: String,
    pub grant_operator: String,
    pub grant_controls: Vec<String>,
    pub authentication_strength: String,
    pub sign_in_frequency: String,
    pub sign_in_frequency_value: String,
    pub persistent_browser: String,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// Lines or commas to a list; blanks dropped.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(['\n', ',', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl PolicyForm {
    /// A new policy: report-only first, which is the safe way to start.
    pub fn blank() -> Self {
        PolicyForm {
            state: "enabledForReportingButNotEnforced".into(),
            lists: vec![String::new(); LIST_FIELDS.len()],
            client_app_types: vec!["all".into()],
            grant_operator: "OR".into(),
            ..PolicyForm::default()
        }
    }

    pub fn from_json(policy: &Value) -> Self {
        let conditions = &policy["conditions"];
        let lists = LIST_FIELDS
            .iter()
            .map(|(field, section, _)| strings(&conditions[*section][*field]).join("\n"))
            .collect();
        let grant = &policy["grantControls"];
        let session = &policy["sessionControls"];
        let frequency = &session["signInFrequency"];
        let sign_in_frequency = if frequency["isEnabled"] != true {
            String::new()
        } else if frequency["frequencyInterval"] == "everyTime" {
            "everyTime".into()
        } else {
            text(&frequency["type"])
        };
        PolicyForm {
            display_name: text(&policy["displayName"]),
            state: text(&policy["state"]),
            lists,
            client_app_types: strings(&conditions["clientAppTypes"]),
            sign_in_risk_levels: strings(&conditions["signInRiskLevels"]),
            user_risk_levels: strings(&conditions["userRiskLevels"]),
            device_filter_mode: text(&conditions["devices"]["deviceFilter"]["mode"]),
            device_filter_rule: text(&conditions["devices"]["deviceFilter"]["rule"]),
            grant_operator: text(&grant["operator"]),
            grant_controls: strings(&grant["builtInControls"]),
            authentication_strength: text(&grant["authenticationStrength"]["id"]),
            sign_in_frequency,
            sign_in_frequency_value: frequency["value"]
                .as_i64()
                .map(|v| v.to_string())
                .unwrap_or_default(),
            persistent_browser: if session["persistentBrowser"]["isEnabled"] == true {
                text(&session["persistentBrowser"]["mode"])
            } else {
                String::new()
            },
        }
    }

    /// Reads the submitted form (repeated keys for checkboxes).
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let one = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let all = |name: &str| {
            pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        PolicyForm {
            display_name: one("displayName"),
            state: one("state"),
            lists: LIST_FIELDS.iter().map(|(field, _, _)| one(field)).collect(),
            client_app_types: all("clientAppTypes"),
            sign_in_risk_levels: all("signInRiskLevels"),
            user_risk_levels: all("userRiskLevels"),
            device_filter_mode: one("deviceFilterMode"),
            device_filter_rule: one("deviceFilterRule"),
            grant_operator: one("grantOperator"),
            grant_controls: all("grantControls"),
            authentication_strength: one("authenticationStrength"),
            sign_in_frequency: one("signInFrequency"),
            sign_in_frequency_value: one("signInFrequencyValue"),
            persistent_browser: one("persistentBrowser"),
        }
    }

    /// Writes the form into `base` (the stored policy, or `{}` for a new one). A value
    /// the form cannot express (a non-number frequency) is an error naming the field.
    pub fn apply(&self, base: Value) -> Result<Value, String> {
        let mut policy = match base {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        policy.insert("displayName".into(), json!(self.display_name));
        policy.insert("state".into(), json!(self.state));
        let mut conditions = match policy.remove("conditions") {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for ((field, section, _), value) in LIST_FIELDS.iter().zip(&self.lists) {
            let list = split_list(value);
            let entry = conditions
                .entry(section.to_string())
                .or_insert_with(|| json!({}));
            if !entry.is_object() {
                *entry = json!({});
            }
            entry[*field] = json!(list);
        }
        // Platforms and locations are "not configured" (null) when both lists are empty.
        for section in ["platforms", "locations"] {
            let empty = conditions.get(section).is_some_and(|s| {
                s.as_object().is_some_and(|o| {
                    o.values()
                        .all(|v| v.as_array().is_some_and(Vec::is_empty) || v.is_null())
                })
            });
            if empty {
                conditions.insert(section.into(), Value::Null);
            }
        }
        conditions.insert("clientAppTypes".into(), json!(self.client_app_types));
        conditions.insert("signInRiskLevels".into(), json!(self.sign_in_risk_levels));
        conditions.insert("userRiskLevels".into(), json!(self.user_risk_levels));
        if self.device_filter_rule.is_empty() {
            conditions.insert("devices".into(), Value::Null);
        } else {
            conditions.insert(
                "devices".into(),
                json!({"deviceFilter": {"mode": if self.device_filter_mode.is_empty() { "include" } else { &self.device_filter_mode }, "rule": self.device_filter_rule}}),
            );
        }
        policy.insert("conditions".into(), Value::Object(conditions));

        let mut grant = match policy.remove("grantControls") {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        grant.insert(
            "operator".into(),
            json!(if self.grant_operator == "AND" {
                "AND"
            } else {
                "OR"
            }),
        );
        grant.insert("builtInControls".into(), json!(self.grant_controls));
        if self.authentication_strength.is_empty() {
            grant.remove("authenticationStrength");
        } else {
            grant.insert(
                "authenticationStrength".into(),
                json!({"id": self.authentication_strength}),
            );
        }
        let no_grant = self.grant_controls.is_empty()
            && self.authentication_strength.is_empty()
            && grant
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "operator" | "builtInControls"))
                .all(|(_, v)| v.is_null() || v.as_array().is_some_and(Vec::is_empty));
        policy.insert(
            "grantControls".into(),
            if no_grant {
                Value::Null
            } else {
                Value::Object(grant)
            },
        );

        let mut session = match policy.remove("sessionControls") {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        match self.sign_in_frequency.as_str() {
            "" => {
                session.remove("signInFrequency");
            }
            "everyTime" => {
                session.insert(
                    "signInFrequency".into(),
                    json!({"isEnabled": true, "frequencyInterval": "everyTime", "authenticationType": "primaryAndSecondaryAuthentication"}),
                );
            }
            unit @ ("hours" | "days") => {
                let value: i32 = self.sign_in_frequency_value.parse().map_err(|_| {
                    format!(
                        "Sign-in frequency: {:?} is not a whole number of {unit}",
                        self.sign_in_frequency_value
                    )
                })?;
                session.insert(
                    "signInFrequency".into(),
                    json!({"isEnabled": true, "type": unit, "value": value, "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"}),
                );
            }
            other => return Err(format!("Sign-in frequency: unknown choice {other:?}")),
        }
        match self.persistent_browser.as_str() {
            "" => {
                session.remove("persistentBrowser");
            }
            mode @ ("always" | "never") => {
                session.insert(
                    "persistentBrowser".into(),
                    json!({"isEnabled": true, "mode": mode}),
                );
            }
            other => {
                return Err(format!(
                    "Persistent browser session: unknown mode {other:?}"
                ));
            }
        }
        let no_session = session.values().all(Value::is_null);
        policy.insert(
            "sessionControls".into(),
            if no_session {
                Value::Null
            } else {
                Value::Object(session)
            },
        );
        Ok(Value::Object(policy))
    }
}

/// Which form field a validation path (`conditions.users.includeGroups[2]`) belongs
/// to, so the message is shown beside it.
pub fn field_for_path(path: &str) -> &'static str {
    let path = path.split('[').next().unwrap_or(path);
    for (field, _, _) in LIST_FIELDS {
        if path.ends_with(field) {
            return field;
        }
    }
    match path {
        p if p.starts_with("displayName") => "displayName",
        p if p.starts_with("state") => "state",
        p if p.contains("clientAppTypes") => "clientAppTypes",
        p if p.contains("signInRiskLevels") => "signInRiskLevels",
        p if p.contains("userRiskLevels") => "userRiskLevels",
        p if p.contains("devices") => "deviceFilterRule",
        p if p.starts_with("grantControls") => "grantControls",
        p if p.contains("signInFrequency") => "signInFrequency",
        p if p.contains("persistentBrowser") => "persistentBrowser",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> Value {
        json!({
            "id": "p1",
            "displayName": "MFA for admins",
            "state": "enabled",
            "conditions": {
                "users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"], "excludeGroups": ["g1"], "includeGuestsOrExternalUsers": {"x": 1}},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"],
                "platforms": {"includePlatforms": ["android"], "excludePlatforms": []}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [], "termsOfUse": []},
            "sessionControls": {"signInFrequency": {"isEnabled": true, "type": "hours", "value": 4, "frequencyInterval": "timeBased"}}
        })
    }

    #[test]
    fn a_round_trip_keeps_the_policy_and_what_the_form_does_not_show() {
        let form = PolicyForm::from_json(&stored());
        assert_eq!(form.sign_in_frequency, "hours");
        assert_eq!(form.sign_in_frequency_value, "4");
        let again = form.apply(stored()).unwrap();
        assert_eq!(
            again["conditions"]["users"]["includeGuestsOrExternalUsers"],
            json!({"x": 1})
        );
        assert_eq!(again["conditions"]["users"]["excludeGroups"], json!(["g1"]));
        assert_eq!(again["grantControls"]["builtInControls"], json!(["mfa"]));
        assert_eq!(again["sessionControls"]["signInFrequency"]["value"], 4);
        assert_eq!(
            again["conditions"]["platforms"]["includePlatforms"],
            json!(["android"])
        );
        assert_eq!(again["id"], "p1");
    }

    #[test]
    fn submitted_fields_become_graph_json() {
        let pairs: Vec<(String, String)> = [
            ("displayName", "Pilot MFA"),
            ("state", "enabledForReportingButNotEnforced"),
            ("includeGroups", "g-pilot\n g-two ,"),
            ("includeApplications", "All"),
            ("clientAppTypes", "browser"),
            ("clientAppTypes", "mobileAppsAndDesktopClients"),
            ("grantControls", "mfa"),
            ("grantOperator", "OR"),
            ("signInFrequency", "everyTime"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let policy = PolicyForm::from_pairs(&pairs).apply(json!({})).unwrap();
        assert_eq!(
            policy["conditions"]["users"]["includeGroups"],
            json!(["g-pilot", "g-two"])
        );
        assert_eq!(
            policy["conditions"]["clientAppTypes"],
            json!(["browser", "mobileAppsAndDesktopClients"])
        );
        assert_eq!(
            policy["conditions"]["platforms"],
            Value::Null,
            "not configured"
        );
        assert_eq!(
            policy["sessionControls"]["signInFrequency"]["frequencyInterval"],
            "everyTime"
        );
        assert_eq!(policy["grantControls"]["builtInControls"], json!(["mfa"]));
    }

    #[test]
    fn bad_frequency_names_the_field_and_no_controls_is_null() {
        let mut form = PolicyForm::blank();
        form.sign_in_frequency = "hours".into();
        form.sign_in_frequency_value = "soon".into();
        assert!(
            form.apply(json!({}))
                .unwrap_err()
                .starts_with("Sign-in frequency")
        );
        let policy = PolicyForm::blank().apply(json!({})).unwrap();
        assert_eq!(policy["grantControls"], Value::Null);
        assert_eq!(policy["sessionControls"], Value::Null);
    }

    #[test]
    fn validation_paths_map_to_fields() {
        assert_eq!(
            field_for_path("conditions.users.includeGroups[2]"),
            "includeGroups"
        );
        assert_eq!(
            field_for_path("grantControls.builtInControls"),
            "grantControls"
        );
        assert_eq!(field_for_path("displayName"), "displayName");
        assert_eq!(field_for_path("somethingElse"), "");
    }
}
