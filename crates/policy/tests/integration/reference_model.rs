//! Property test: the evaluator agrees with a deliberately naive reference model written
//! straight from entra.md §2 (string comparisons, loops, no precompilation, nothing
//! shared with the evaluator), over random policy sets and sign-ins.
//!
//! Compared: the outcome kind, the set of blocking policies, every policy's result, and
//! the set of alternatives (each a set of controls).

use std::collections::BTreeSet;

use portcullis_policy::evaluate::{Outcome, PolicySet, SignInContext, evaluate};
use portcullis_policy::model::ConditionalAccessPolicy;
use proptest::prelude::*;
use proptest::sample::subsequence;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// The reference model.
// ---------------------------------------------------------------------------------------

const NOW: i64 = 1_795_000_000;

/// entra.md §4: the built-in "Multifactor authentication" strength.
const MFA_COMBINATIONS: &[&[&str]] = &[
    &["windowsHelloForBusiness"],
    &["fido2"],
    &["x509CertificateMultiFactor"],
    &["deviceBasedPush"],
    &["temporaryAccessPassOneTime"],
    &["temporaryAccessPassMultiUse"],
    &["password", "microsoftAuthenticatorPush"],
    &["password", "softwareOath"],
    &["password", "hardwareOath"],
    &["password", "x509CertificateSingleFactor"],
    &["password", "x509CertificateMultiFactor"],
    &["password", "sms"],
    &["password", "voice"],
    &["federatedMultiFactor"],
    &["microsoftAuthenticatorPush", "federatedSingleFactor"],
    &["softwareOath", "federatedSingleFactor"],
    &["hardwareOath", "federatedSingleFactor"],
    &["sms", "federatedSingleFactor"],
    &["voice", "federatedSingleFactor"],
];

/// entra.md §4: "Phishing resistant MFA".
const PHISHING_RESISTANT: &[&[&str]] = &[
    &["windowsHelloForBusiness"],
    &["fido2"],
    &["x509CertificateMultiFactor"],
];
const PHISHING_RESISTANT_ID: &str = "00000000-0000-0000-0000-000000000004";

fn used_methods(s: &Value) -> Vec<String> {
    s["session"]["methods"]
        .as_array()
        .map(|methods| {
            methods
                .iter()
                .filter_map(|m| m["method"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn satisfies(combinations: &[&[&str]], used: &[String]) -> bool {
    combinations
        .iter()
        .any(|combination| combination.iter().all(|m| used.iter().any(|u| u == m)))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn contains(list: &[String], wanted: &str) -> bool {
    list.iter().any(|item| item.eq_ignore_ascii_case(wanted))
}

fn intersects(a: &[String], b: &[String]) -> bool {
    a.iter().any(|x| contains(b, x))
}

fn is_guest(s: &Value) -> Option<String> {
    let identity = &s["identity"];
    let declared = identity["guestOrExternalUserType"].as_str();
    match (identity["userType"].as_str(), declared) {
        (_, Some(kind)) if kind != "none" => Some(kind.to_owned()),
        (Some("guest"), _) => Some("b2bCollaborationGuest".to_owned()),
        _ => None,
    }
}

fn guest_selection_matches(selection: &Value, s: &Value) -> bool {
    let Some(kind) = is_guest(s) else {
        return false;
    };
    let Some(types) = selection["guestOrExternalUserTypes"].as_str() else {
        return false;
    };
    if !types.split(',').any(|t| t.trim() == kind) {
        return false;
    }
    if kind == "internalGuest" {
        return true;
    }
    let tenants = &selection["externalTenants"];
    if tenants.is_null() {
        return true;
    }
    match tenants["membershipKind"].as_str() {
        Some("all") => true,
        Some("enumerated") => s["identity"]["externalTenantId"]
            .as_str()
            .is_some_and(|tenant| contains(&strings(&tenants["members"]), tenant)),
        _ => false,
    }
}

fn users_match(users: &Value, s: &Value) -> bool {
    let id = s["identity"]["id"].as_str().unwrap_or_default();
    let groups = strings(&s["identity"]["groupIds"]);
    let roles = strings(&s["identity"]["roleTemplateIds"]);
    let include_users = strings(&users["includeUsers"]);
    let exclude_users = strings(&users["excludeUsers"]);
    let guest = is_guest(s).is_some();
    let included = include_users.iter().any(|u| u == "All")
        || include_users.iter().any(|u| u.eq_ignore_ascii_case(id))
        || (include_users.iter().any(|u| u == "GuestsOrExternalUsers") && guest)
        || intersects(&strings(&users["includeGroups"]), &groups)
        || intersects(&strings(&users["includeRoles"]), &roles)
        || guest_selection_matches(&users["includeGuestsOrExternalUsers"], s);
    let excluded = exclude_users.iter().any(|u| u.eq_ignore_ascii_case(id))
        || (exclude_users.iter().any(|u| u == "GuestsOrExternalUsers") && guest)
        || intersects(&strings(&users["excludeGroups"]), &groups)
        || intersects(&strings(&users["excludeRoles"]), &roles)
        || guest_selection_matches(&users["excludeGuestsOrExternalUsers"], s);
    included && !excluded
}

fn service_principal_matches(clients: &Value, id: &str) -> bool {
    let include = strings(&clients["includeServicePrincipals"]);
    let exclude = strings(&clients["excludeServicePrincipals"]);
    (include.iter().any(|i| i == "ServicePrincipalsInMyTenant") || contains(&include, id))
        && !contains(&exclude, id)
}

fn app_in_group(group: &str, app: &str, office365: &[String]) -> bool {
    group == "Office365" && contains(office365, app)
}

fn applications_match(apps: &Value, s: &Value, office365: &[String]) -> bool {
    let target = &s["target"];
    match target["kind"].as_str() {
        Some("userAction") => contains(
            &strings(&apps["includeUserActions"]),
            target["userAction"].as_str().unwrap_or_default(),
        ),
        Some("authenticationContext") => {
            if contains(
                &strings(&apps["includeAuthenticationContextClassReferences"]),
                target["id"].as_str().unwrap_or_default(),
            ) {
                return true;
            }
            match target["appId"].as_str() {
                Some(app) => app_matches(apps, app, office365),
                None => false,
            }
        }
        _ => app_matches(
            apps,
            target["appId"].as_str().unwrap_or_default(),
            office365,
        ),
    }
}

fn app_matches(apps: &Value, app: &str, office365: &[String]) -> bool {
    let include = strings(&apps["includeApplications"]);
    let exclude = strings(&apps["excludeApplications"]);
    let included = include.iter().any(|i| i == "All")
        || contains(&include, app)
        || include.iter().any(|g| app_in_group(g, app, office365));
    let excluded =
        contains(&exclude, app) || exclude.iter().any(|g| app_in_group(g, app, office365));
    included && !excluded
}

fn client_type_matches(types: &[String], s: &Value) -> bool {
    if types.is_empty() || types.iter().any(|t| t == "all") {
        return true;
    }
    // An unidentified client is "other"; easSupported is Exchange ActiveSync.
    let client = match s["clientAppType"].as_str() {
        None => "other",
        Some("easSupported") => "exchangeActiveSync",
        Some(other) => other,
    };
    types.iter().any(|t| {
        let t = if t == "easSupported" || t == "easUnsupported" {
            "exchangeActiveSync"
        } else {
            t
        };
        t == client
    })
}

fn platform_matches(platforms: &Value, s: &Value) -> bool {
    let include = strings(&platforms["includePlatforms"]);
    let exclude = strings(&platforms["excludePlatforms"]);
    let platform = s["devicePlatform"].as_str();
    let included =
        include.iter().any(|p| p == "all") || platform.is_some_and(|p| contains(&include, p));
    let excluded =
        exclude.iter().any(|p| p == "all") || platform.is_some_and(|p| contains(&exclude, p));
    included && !excluded
}

/// The fixed named locations of every generated set.
fn location_contains(location: &str, s: &Value) -> bool {
    let ip = s["ipAddress"].as_str().unwrap_or_default();
    let country = s["country"].as_str();
    match location {
        "trusted-ip" => ip.starts_with("203.0.113."),
        "ip6" => ip.starts_with("2001:db8:"),
        "countries" => country.is_some_and(|c| c == "BE" || c == "NL"),
        "unknown" => country.is_none(),
        _ => false,
    }
}

fn locations_match(locations: &Value, s: &Value) -> bool {
    let include = strings(&locations["includeLocations"]);
    let exclude = strings(&locations["excludeLocations"]);
    let trusted = location_contains("trusted-ip", s);
    let in_list = |list: &[String]| {
        list.iter().any(|l| match l.as_str() {
            "All" => true,
            "AllTrusted" => trusted,
            other => location_contains(other, s),
        })
    };
    in_list(&include) && !in_list(&exclude)
}

fn risk_matches(levels: &[String], level: Option<&str>) -> bool {
    contains(levels, level.unwrap_or("none"))
}

/// The four rules the generator uses, evaluated by hand with Entra's null semantics.
fn device_rule_matches(rule: &str, s: &Value) -> bool {
    let device = &s["device"];
    let trust = device["trustType"].as_str();
    match rule {
        r#"device.trustType -eq "AzureAD""# => {
            trust.is_some_and(|t| t.eq_ignore_ascii_case("AzureAD"))
        }
        r#"device.trustType -ne "ServerAD""# => {
            !trust.is_some_and(|t| t.eq_ignore_ascii_case("ServerAD"))
        }
        "device.isCompliant -eq True" => device["isCompliant"].as_bool() == Some(true),
        r#"device.model -startsWith "Surface""# => device["model"]
            .as_str()
            .is_some_and(|m| m.to_lowercase().starts_with("surface")),
        other => panic!("generator produced an unknown rule {other}"),
    }
}

fn applies(p: &Value, s: &Value, office365: &[String]) -> bool {
    let c = &p["conditions"];
    let identity_ok = if s["identity"]["kind"] == "servicePrincipal" {
        !c["clientApplications"].is_null()
            && service_principal_matches(
                &c["clientApplications"],
                s["identity"]["id"].as_str().unwrap_or_default(),
            )
    } else {
        !c["users"].is_null() && users_match(&c["users"], s)
    };
    if !identity_ok || !applications_match(&c["applications"], s, office365) {
        return false;
    }
    if !client_type_matches(&strings(&c["clientAppTypes"]), s) {
        return false;
    }
    if !c["platforms"].is_null()
        && !strings(&c["platforms"]["includePlatforms"]).is_empty()
        && !platform_matches(&c["platforms"], s)
    {
        return false;
    }
    if !c["locations"].is_null()
        && !strings(&c["locations"]["includeLocations"]).is_empty()
        && !locations_match(&c["locations"], s)
    {
        return false;
    }
    for (field, signal) in [
        ("signInRiskLevels", "signInRiskLevel"),
        ("userRiskLevels", "userRiskLevel"),
    ] {
        let levels = strings(&c[field]);
        if !levels.is_empty() && !risk_matches(&levels, s[signal].as_str()) {
            return false;
        }
    }
    if let Some(filter) = c["devices"]["deviceFilter"].as_object() {
        let matched = device_rule_matches(filter["rule"].as_str().unwrap_or_default(), s);
        let exclude = filter["mode"] == "exclude";
        if matched == exclude {
            return false;
        }
    }
    if let Some(methods) = c["authenticationFlows"]["transferMethods"].as_str() {
        let flow = s["authenticationFlow"].as_str().unwrap_or("none");
        if !methods.split(',').any(|m| m == flow) {
            return false;
        }
    }
    true
}

type Alternatives = BTreeSet<BTreeSet<String>>;

fn minimal(alternatives: Alternatives) -> Alternatives {
    alternatives
        .iter()
        .filter(|a| !alternatives.iter().any(|b| b != *a && b.is_subset(a)))
        .cloned()
        .collect()
}

/// What an applying policy still requires: `None` = blocks (or can never be met).
fn requirement(p: &Value, s: &Value) -> Option<Alternatives> {
    let grant = &p["grantControls"];
    let mut controls = strings(&grant["builtInControls"]);
    if controls.iter().any(|c| c == "block") {
        return None;
    }
    if grant["authenticationStrength"].is_object() {
        controls.push("authenticationStrength".to_owned());
    }
    for terms in strings(&grant["termsOfUse"]) {
        controls.push(format!("termsOfUse:{terms}"));
    }
    let used = used_methods(s);
    let facts = &s["facts"];
    let fact = |name: &str| facts[name].as_bool() == Some(true);
    let device_code = s["authenticationFlow"] == "deviceCodeFlow";
    // Some(true) met, Some(false) unmet, None impossible.
    let state = |control: &str| -> Option<bool> {
        match control {
            "mfa" => Some(satisfies(MFA_COMBINATIONS, &used)),
            "authenticationStrength" => Some(satisfies(PHISHING_RESISTANT, &used)),
            "compliantDevice" if device_code => None,
            "compliantDevice" => Some(fact("deviceCompliant")),
            "domainJoinedDevice" if device_code => None,
            "domainJoinedDevice" => Some(fact("deviceHybridJoined")),
            "approvedApplication" => Some(fact("approvedApplication")),
            "passwordChange" => Some(fact("passwordChanged")),
            terms if terms.starts_with("termsOfUse:") => Some(contains(
                &strings(&facts["acceptedTermsOfUse"]),
                &terms["termsOfUse:".len()..],
            )),
            _ => None,
        }
    };
    let mut alternatives: Alternatives = BTreeSet::new();
    if !controls.is_empty() {
        let require_all = grant["operator"] != "OR";
        if require_all {
            let mut unmet = BTreeSet::new();
            for control in &controls {
                match state(control) {
                    None => return None,
                    Some(false) => {
                        unmet.insert(control.clone());
                    }
                    Some(true) => {}
                }
            }
            alternatives.insert(unmet);
        } else if controls.iter().any(|c| state(c) == Some(true)) {
            alternatives.insert(BTreeSet::new());
        } else {
            for control in &controls {
                if state(control) == Some(false) {
                    alternatives.insert(BTreeSet::from([control.clone()]));
                }
            }
            if alternatives.is_empty() {
                return None;
            }
        }
    } else {
        alternatives.insert(BTreeSet::new());
    }
    // Sign-in frequency due (entra.md §11.2): everyTime with 5 minutes of tolerance.
    let frequency = &p["sessionControls"]["signInFrequency"];
    if frequency["isEnabled"] == true {
        let age = NOW - s["authenticatedAtUnix"].as_i64().unwrap_or(NOW);
        let due = if frequency["frequencyInterval"] == "everyTime" {
            age > 300
        } else {
            age > frequency["value"].as_i64().unwrap_or(0) * 3600
        };
        if due {
            alternatives = alternatives
                .into_iter()
                .map(|mut a| {
                    a.insert("reauthentication".to_owned());
                    a
                })
                .collect();
        }
    }
    Some(minimal(alternatives))
}

fn is_interactive(control: &str) -> bool {
    !matches!(
        control,
        "compliantDevice" | "domainJoinedDevice" | "approvedApplication"
    )
}

struct Expected {
    kind: &'static str,
    blocking: BTreeSet<String>,
    results: Vec<String>,
    alternatives: Alternatives,
}

fn reference(policies: &[Value], s: &Value, office365: &[String]) -> Expected {
    let mut blocking = BTreeSet::new();
    let mut results = Vec::new();
    let mut combined: Alternatives = BTreeSet::from([BTreeSet::new()]);
    for p in policies {
        let id = p["id"].as_str().unwrap_or_default().to_owned();
        let targets_user_action =
            !strings(&p["conditions"]["applications"]["includeUserActions"]).is_empty();
        let state = match p["state"].as_str() {
            Some("enabledForReportingButNotEnforced") if targets_user_action => "enabled",
            Some(state) => state,
            None => "disabled",
        };
        if state == "disabled" {
            results.push("notEnabled".to_owned());
            continue;
        }
        let report_only = state == "enabledForReportingButNotEnforced";
        if !applies(p, s, office365) {
            results.push(
                if report_only {
                    "reportOnlyNotApplied"
                } else {
                    "notApplied"
                }
                .to_owned(),
            );
            continue;
        }
        let required = requirement(p, s);
        let met = required
            .as_ref()
            .is_some_and(|r| r.iter().any(BTreeSet::is_empty));
        let result = if report_only {
            match &required {
                _ if met => "reportOnlySuccess",
                None => "reportOnlyFailure",
                Some(r) if r.iter().any(|a| a.iter().all(|c| is_interactive(c))) => {
                    "reportOnlyInterrupted"
                }
                Some(_) => "reportOnlyFailure",
            }
        } else {
            match required {
                None => {
                    blocking.insert(id.clone());
                }
                Some(r) if !met => {
                    let mut next = BTreeSet::new();
                    for a in &combined {
                        for b in &r {
                            next.insert(a.union(b).cloned().collect());
                        }
                    }
                    combined = minimal(next);
                }
                Some(_) => {}
            }
            if met { "success" } else { "failure" }
        };
        results.push(result.to_owned());
    }
    // The phishing-resistant strength implies MFA.
    let combined = minimal(
        combined
            .into_iter()
            .map(|mut a| {
                if a.contains("authenticationStrength") {
                    a.remove("mfa");
                }
                a
            })
            .collect(),
    );
    let kind = if !blocking.is_empty() {
        "block"
    } else if combined.iter().any(BTreeSet::is_empty) {
        "allow"
    } else {
        "needsControls"
    };
    Expected {
        kind,
        blocking,
        results,
        alternatives: if kind == "needsControls" {
            combined
        } else {
            BTreeSet::new()
        },
    }
}

// ---------------------------------------------------------------------------------------
// Generators.
// ---------------------------------------------------------------------------------------

fn pick(items: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    subsequence(items, 0..=items.len())
}

fn optional<T: std::fmt::Debug + Clone + 'static>(
    strategy: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Option<T>> {
    prop_oneof![1 => Just(None), 2 => strategy.prop_map(Some)]
}

fn users_json() -> impl Strategy<Value = Value> {
    (
        pick(&["All", "u1", "GuestsOrExternalUsers", "None"]),
        pick(&["u2", "GuestsOrExternalUsers"]),
        pick(&["g1", "g2", "g3"]),
        pick(&["g2", "g3"]),
        pick(&["r1", "r2"]),
        pick(&["r2"]),
        optional((
            pick(&[
                "internalGuest",
                "b2bCollaborationGuest",
                "b2bDirectConnectUser",
            ]),
            any::<bool>(),
        )),
    )
        .prop_map(|(iu, eu, ig, eg, ir, er, guests)| {
            let guests = guests
                .filter(|(types, _)| !types.is_empty())
                .map(|(types, all)| {
                    json!({"guestOrExternalUserTypes": types.join(","),
                    "externalTenants": if all { json!({"membershipKind": "all"}) }
                        else { json!({"membershipKind": "enumerated", "members": ["t1"]}) }})
                });
            json!({"includeUsers": iu, "excludeUsers": eu, "includeGroups": ig, "excludeGroups": eg,
                "includeRoles": ir, "excludeRoles": er, "includeGuestsOrExternalUsers": guests})
        })
}

fn applications_json() -> impl Strategy<Value = Value> {
    (
        pick(&["All", "a1", "a2", "Office365"]),
        pick(&["a2", "Office365"]),
        pick(&["urn:user:registersecurityinfo"]),
        pick(&["c1"]),
    )
        .prop_map(|(include, exclude, actions, contexts)| {
            json!({"includeApplications": include, "excludeApplications": exclude,
                "includeUserActions": actions, "includeAuthenticationContextClassReferences": contexts})
        })
}

fn policy_json(index: usize) -> impl Strategy<Value = Value> {
    let conditions = (
        prop_oneof![9 => users_json().prop_map(Some), 1 => Just(None)],
        applications_json(),
        pick(&[
            "all",
            "browser",
            "mobileAppsAndDesktopClients",
            "exchangeActiveSync",
            "easSupported",
            "other",
        ]),
        optional((
            pick(&["all", "windows", "iOS", "android"]),
            pick(&["windows", "iOS"]),
        )),
        optional((
            pick(&["All", "AllTrusted", "countries", "unknown", "ip6"]),
            pick(&["AllTrusted", "countries", "trusted-ip"]),
        )),
        pick(&["low", "medium", "high", "none"]),
        pick(&["medium", "high"]),
        optional((
            any::<bool>(),
            prop::sample::select(vec![
                r#"device.trustType -eq "AzureAD""#,
                r#"device.trustType -ne "ServerAD""#,
                "device.isCompliant -eq True",
                r#"device.model -startsWith "Surface""#,
            ]),
        )),
        optional(prop::sample::select(vec![
            "deviceCodeFlow",
            "authenticationTransfer",
            "deviceCodeFlow,authenticationTransfer",
        ])),
    );
    let grant = (
        pick(&[
            "block",
            "mfa",
            "compliantDevice",
            "domainJoinedDevice",
            "approvedApplication",
            "passwordChange",
        ]),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec!["AND", "OR"]),
    );
    let rest = (
        prop::sample::select(vec![
            "enabled",
            "enabled",
            "enabledForReportingButNotEnforced",
            "disabled",
        ]),
        optional(prop::sample::select(vec![0, 1, 4])),
    );
    (conditions, grant, rest).prop_map(move |(conditions, grant, rest)| {
        let (users, applications, client_types, platforms, locations, sign_in_risk, user_risk, filter, flows) = conditions;
        let (controls, strength, terms, operator) = grant;
        let (state, frequency) = rest;
        // A workload-identity policy when users are not set.
        let (users, clients) = match users {
            Some(users) => (users, Value::Null),
            None => (
                json!({"includeUsers": ["None"]}),
                json!({"includeServicePrincipals": if index.is_multiple_of(2) { json!(["ServicePrincipalsInMyTenant"]) } else { json!(["sp1"]) },
                    "excludeServicePrincipals": ["sp2"]}),
            ),
        };
        json!({
            "id": format!("p{index}"),
            "displayName": format!("Policy {index}"),
            "state": state,
            "conditions": {
                "users": users,
                "clientApplications": clients,
                "applications": applications,
                "clientAppTypes": client_types,
                "platforms": platforms.map(|(i, e)| json!({"includePlatforms": i, "excludePlatforms": e})),
                "locations": locations.map(|(i, e)| json!({"includeLocations": i, "excludeLocations": e})),
                "signInRiskLevels": sign_in_risk,
                "userRiskLevels": user_risk,
                "devices": filter.map(|(exclude, rule)| json!({"deviceFilter": {"mode": if exclude { "exclude" } else { "include" }, "rule": rule}})),
                "authenticationFlows": flows.map(|m| json!({"transferMethods": m})),
            },
            "grantControls": {
                "operator": operator,
                "builtInControls": controls,
                "termsOfUse": if terms { json!(["t1"]) } else { json!([]) },
                "authenticationStrength": if strength { json!({"id": PHISHING_RESISTANT_ID}) } else { Value::Null },
            },
            "sessionControls": frequency.map(|hours| if hours == 0 {
                json!({"signInFrequency": {"isEnabled": true, "frequencyInterval": "everyTime", "authenticationType": "primaryAndSecondaryAuthentication"}})
            } else {
                json!({"signInFrequency": {"isEnabled": true, "frequencyInterval": "timeBased", "type": "hours", "value": hours, "authenticationType": "primaryAndSecondaryAuthentication"}})
            }),
        })
    })
}

fn policies_json() -> impl Strategy<Value = Vec<Value>> {
    (1usize..=6).prop_flat_map(|count| (0..count).map(policy_json).collect::<Vec<_>>())
}

fn sign_in_json() -> impl Strategy<Value = Value> {
    let identity = prop_oneof![
        9 => (
            prop::sample::select(vec!["u1", "u2", "u3"]),
            pick(&["g1", "g2", "g3"]),
            pick(&["r1", "r2"]),
            prop::sample::select(vec![None, Some("member"), Some("guest")]),
            prop::sample::select(vec![None, Some("internalGuest"), Some("b2bDirectConnectUser")]),
            prop::sample::select(vec![None, Some("t1"), Some("t2")]),
        ).prop_map(|(id, groups, roles, user_type, guest_type, tenant)| json!({
            "kind": "user", "id": id, "groupIds": groups, "roleTemplateIds": roles,
            "userType": user_type.unwrap_or("member"), "guestOrExternalUserType": guest_type,
            "externalTenantId": tenant})),
        1 => prop::sample::select(vec!["sp1", "sp2", "sp3"]).prop_map(|id| json!({"kind": "servicePrincipal", "id": id})),
    ];
    let target = prop::sample::select(vec![
        json!({"kind": "application", "appId": "a1"}),
        json!({"kind": "application", "appId": "a2"}),
        json!({"kind": "application", "appId": "a3"}),
        json!({"kind": "userAction", "userAction": "urn:user:registersecurityinfo"}),
        json!({"kind": "authenticationContext", "id": "c1"}),
        json!({"kind": "authenticationContext", "id": "c1", "appId": "a2"}),
    ]);
    let signals = (
        prop::sample::select(vec![
            None,
            Some("browser"),
            Some("mobileAppsAndDesktopClients"),
            Some("exchangeActiveSync"),
            Some("easSupported"),
            Some("other"),
        ]),
        prop::sample::select(vec![
            None,
            Some("windows"),
            Some("iOS"),
            Some("android"),
            Some("macOS"),
        ]),
        prop::sample::select(vec![
            None,
            Some("203.0.113.5"),
            Some("2001:db8::5"),
            Some("198.51.100.1"),
        ]),
        prop::sample::select(vec![None, Some("NL"), Some("US")]),
        prop::sample::select(vec![
            None,
            Some("none"),
            Some("low"),
            Some("medium"),
            Some("high"),
        ]),
        prop::sample::select(vec![None, Some("none"), Some("high")]),
        prop::sample::select(vec![
            Value::Null,
            json!({"trustType": "AzureAD", "isCompliant": true, "model": "Surface Pro"}),
            json!({"trustType": "ServerAD", "isCompliant": false}),
        ]),
        prop::sample::select(vec![
            None,
            Some("deviceCodeFlow"),
            Some("authenticationTransfer"),
        ]),
    );
    let session = (
        prop::sample::select(vec![
            vec!["password"],
            vec!["password", "sms"],
            vec!["fido2"],
            vec!["password", "email"],
        ]),
        prop::sample::select(vec![0i64, 240, 600, 7_200, 18_000]),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
    );
    (identity, target, signals, session).prop_map(|(identity, target, signals, session)| {
        let (client, platform, ip, country, sign_in_risk, user_risk, device, flow) = signals;
        let (methods, age, (compliant, hybrid, approved, password_changed, terms)) = session;
        let authenticated = NOW - age;
        let at = time::OffsetDateTime::from_unix_timestamp(authenticated)
            .expect("time")
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format");
        let now = time::OffsetDateTime::from_unix_timestamp(NOW)
            .expect("time")
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format");
        json!({
            "identity": identity, "target": target, "clientAppType": client, "devicePlatform": platform,
            "ipAddress": ip, "country": country, "signInRiskLevel": sign_in_risk, "userRiskLevel": user_risk,
            "device": device, "authenticationFlow": flow,
            "session": {"authenticatedAt": at, "methods": methods.iter().map(|m| json!({"method": m, "at": at})).collect::<Vec<_>>()},
            "facts": {"deviceCompliant": compliant, "deviceHybridJoined": hybrid, "approvedApplication": approved,
                "passwordChanged": password_changed, "acceptedTermsOfUse": if terms { json!(["t1"]) } else { json!([]) }},
            "now": now,
            "authenticatedAtUnix": authenticated,
        })
    })
}

fn named_locations() -> Vec<portcullis_policy::model::NamedLocation> {
    serde_json::from_value(json!([
        {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "trusted-ip", "displayName": "HQ", "isTrusted": true,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}]},
        {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "ip6", "displayName": "v6", "isTrusted": false,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/32"}]},
        {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "countries", "displayName": "BE+NL",
            "countriesAndRegions": ["BE", "NL"], "includeUnknownCountriesAndRegions": false},
        {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "unknown", "displayName": "Unknown",
            "countriesAndRegions": [], "includeUnknownCountriesAndRegions": true},
    ]))
    .expect("locations")
}

fn actual_alternatives(outcome: &Outcome) -> Alternatives {
    let Outcome::NeedsControls { alternatives, .. } = outcome else {
        return BTreeSet::new();
    };
    let json = serde_json::to_value(alternatives).expect("json");
    json.as_array()
        .expect("array")
        .iter()
        .map(|alternative| {
            alternative["controls"]
                .as_array()
                .expect("controls")
                .iter()
                .map(|control| match control["control"].as_str().expect("tag") {
                    "termsOfUse" => format!("termsOfUse:{}", control["id"].as_str().expect("id")),
                    other => other.to_owned(),
                })
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn evaluator_matches_the_reference_model(policies in policies_json(), sign_in in sign_in_json()) {
        let parsed: Vec<ConditionalAccessPolicy> = policies
            .iter()
            .map(|p| serde_json::from_value(p.clone()).expect("generated policy parses"))
            .collect();
        let office365 = vec!["a1".to_owned()];
        let mut set = PolicySet { policies: parsed, named_locations: named_locations(), ..PolicySet::default() };
        set.application_groups.office365 = office365.clone();
        let context: SignInContext = serde_json::from_value(sign_in.clone()).expect("generated sign-in parses");

        let compiled = set.compile();
        let decision = evaluate(&compiled, &context);
        let expected = reference(&policies, &sign_in, &office365);

        let results: Vec<String> = decision
            .applied_conditional_access_policies
            .iter()
            .map(|applied| applied.result.as_str().to_owned())
            .collect();
        prop_assert_eq!(&results, &expected.results);
        prop_assert_eq!(decision.outcome.kind(), expected.kind);
        let blocking: BTreeSet<String> = match &decision.outcome {
            Outcome::Block { policies, .. } => policies.iter().map(|p| p.id.as_str().to_owned()).collect(),
            _ => BTreeSet::new(),
        };
        prop_assert_eq!(&blocking, &expected.blocking);
        if expected.alternatives.len() <= 32 {
            prop_assert_eq!(actual_alternatives(&decision.outcome), expected.alternatives);
        }
    }
}
