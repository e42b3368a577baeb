//! The authentication methods policy in Graph's shape (entra.md §5.2) and back.
//!
//! Graph has one configuration per method family; Portcullis keeps some families as two
//! methods, so two configurations map onto two methods each:
//! - `MicrosoftAuthenticator` is the Authenticator's push (`push`) and passwordless phone
//!   sign-in (`deviceBasedPush`); each include target's `authenticationMode` says which
//!   (`any`: both).
//! - `TemporaryAccessPass` is the one-time and the multi-use pass; `isUsableOnce: true`
//!   allows only one-time passes.
//!
//! A PATCH merges the body into the configuration as GET shows it and converts the whole
//! of it back, so whatever a client does not mention stays as it was.

use portcullis_service::admin::methods_policy::{
    AuthenticationMethodsPolicy, CampaignState, MethodConfiguration, MethodKind,
    RegistrationCampaign,
};
use serde_json::{Map, Value, json};

/// Why a configuration body was refused (answered as 400 with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadConfiguration(pub String);

fn bad(message: impl Into<String>) -> BadConfiguration {
    BadConfiguration(message.into())
}

/// The include target that means everyone.
const ALL_USERS: &str = "all_users";

/// A Graph `authenticationMethodConfiguration`, by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphMethod {
    Fido2,
    MicrosoftAuthenticator,
    SoftwareOath,
    Sms,
    Voice,
    Email,
    TemporaryAccessPass,
}

impl GraphMethod {
    pub const ALL: [GraphMethod; 7] = [
        Self::Fido2,
        Self::MicrosoftAuthenticator,
        Self::SoftwareOath,
        Self::Sms,
        Self::Voice,
        Self::Email,
        Self::TemporaryAccessPass,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::Fido2 => "Fido2",
            Self::MicrosoftAuthenticator => "MicrosoftAuthenticator",
            Self::SoftwareOath => "SoftwareOath",
            Self::Sms => "Sms",
            Self::Voice => "Voice",
            Self::Email => "Email",
            Self::TemporaryAccessPass => "TemporaryAccessPass",
        }
    }

    fn odata_type(self) -> &'static str {
        match self {
            Self::Fido2 => "#microsoft.graph.fido2AuthenticationMethodConfiguration",
            Self::MicrosoftAuthenticator => {
                "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration"
            }
            Self::SoftwareOath => "#microsoft.graph.softwareOathAuthenticationMethodConfiguration",
            Self::Sms => "#microsoft.graph.smsAuthenticationMethodConfiguration",
            Self::Voice => "#microsoft.graph.voiceAuthenticationMethodConfiguration",
            Self::Email => "#microsoft.graph.emailAuthenticationMethodConfiguration",
            Self::TemporaryAccessPass => {
                "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"
            }
        }
    }

    /// Graph matches ids without regard to case.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.id().eq_ignore_ascii_case(id))
    }

    /// Properties a PATCH may carry beyond the common ones.
    fn extra_writable(self) -> &'static [&'static str] {
        match self {
            Self::TemporaryAccessPass => &["isUsableOnce"],
            _ => &[],
        }
    }

    /// Shown on GET, not changed through this API (a PATCH may repeat them unchanged).
    fn read_only(self) -> &'static [&'static str] {
        match self {
            Self::Fido2 => &["keyRestrictions"],
            _ => &[],
        }
    }
}

fn method(policy: &AuthenticationMethodsPolicy, kind: MethodKind) -> MethodConfiguration {
    policy.methods.get(&kind).cloned().unwrap_or_default()
}

/// Include target ids of one method: `all_users` or its groups.
fn include_ids(configuration: &MethodConfiguration) -> Vec<String> {
    if configuration.include_all_users {
        vec![ALL_USERS.to_owned()]
    } else {
        configuration.include_group_ids.clone()
    }
}

fn include_target(id: &str) -> Value {
    json!({"id": id, "targetType": "group", "isRegistrationRequired": false})
}

fn exclude_targets(ids: &[String]) -> Value {
    Value::Array(
        ids.iter()
            .map(|id| json!({"id": id, "targetType": "group"}))
            .collect(),
    )
}

fn state(enabled: bool) -> &'static str {
    if enabled { "enabled" } else { "disabled" }
}

/// One configuration as Graph shows it.
pub fn configuration_json(policy: &AuthenticationMethodsPolicy, graph: GraphMethod) -> Value {
    let mut object = Map::new();
    object.insert("@odata.type".into(), json!(graph.odata_type()));
    object.insert("id".into(), json!(graph.id()));
    let single = |kind| {
        let c = method(policy, kind);
        (
            c.enabled,
            include_ids(&c)
                .iter()
                .map(|id| include_target(id))
                .collect(),
            c.exclude_group_ids,
        )
    };
    let (enabled, includes, excludes): (bool, Vec<Value>, Vec<String>) = match graph {
        GraphMethod::Fido2 => single(MethodKind::Fido2),
        GraphMethod::SoftwareOath => single(MethodKind::Totp),
        GraphMethod::Sms => single(MethodKind::Sms),
        GraphMethod::Voice => single(MethodKind::Voice),
        GraphMethod::Email => single(MethodKind::Email),
        GraphMethod::MicrosoftAuthenticator => authenticator_json(policy),
        GraphMethod::TemporaryAccessPass => {
            let once = method(policy, MethodKind::TemporaryAccessPassOneTime);
            let multi = method(policy, MethodKind::TemporaryAccessPassMultiUse);
            object.insert("isUsableOnce".into(), json!(once.enabled && !multi.enabled));
            // The targets of whichever kind of pass is on (the one-time pass first).
            let shown = if once.enabled || !multi.enabled {
                &once
            } else {
                &multi
            };
            (
                once.enabled || multi.enabled,
                include_ids(shown)
                    .iter()
                    .map(|id| include_target(id))
                    .collect(),
                shown.exclude_group_ids.clone(),
            )
        }
    };
    object.insert("state".into(), json!(state(enabled)));
    object.insert("includeTargets".into(), Value::Array(includes));
    object.insert("excludeTargets".into(), exclude_targets(&excludes));
    if graph == GraphMethod::Fido2 {
        object.insert(
            "keyRestrictions".into(),
            serde_json::to_value(&policy.fido2_key_restrictions).unwrap_or(Value::Null),
        );
    }
    Value::Object(object)
}

/// The Authenticator: one include target per id, with the mode(s) it is on for. Only
/// the modes that are on count; with both off, both modes' targets are shown (so turning
/// the configuration on again restores them).
fn authenticator_json(policy: &AuthenticationMethodsPolicy) -> (bool, Vec<Value>, Vec<String>) {
    let push = method(policy, MethodKind::AuthenticatorPush);
    let passwordless = method(policy, MethodKind::PasswordlessPhoneSignIn);
    let neither = !push.enabled && !passwordless.enabled;
    let push_ids = if push.enabled || neither {
        include_ids(&push)
    } else {
        Vec::new()
    };
    let passwordless_ids = if passwordless.enabled || neither {
        include_ids(&passwordless)
    } else {
        Vec::new()
    };
    let mut ids: Vec<&String> = push_ids.iter().collect();
    ids.extend(passwordless_ids.iter().filter(|id| !push_ids.contains(id)));
    let includes = ids
        .into_iter()
        .map(|id| {
            let mode = match (push_ids.contains(id), passwordless_ids.contains(id)) {
                (true, true) => "any",
                (true, false) => "push",
                _ => "deviceBasedPush",
            };
            let mut target = include_target(id);
            target["authenticationMode"] = json!(mode);
            target
        })
        .collect();
    let mut excludes = push.exclude_group_ids.clone();
    for id in passwordless.exclude_group_ids {
        if !excludes.contains(&id) {
            excludes.push(id);
        }
    }
    (push.enabled || passwordless.enabled, includes, excludes)
}

/// The whole policy as Graph shows it, configurations inline.
pub fn policy_json(policy: &AuthenticationMethodsPolicy) -> Value {
    let campaign = &policy.registration_campaign;
    let campaign_includes: Vec<Value> = if campaign.include_all_users {
        vec![ALL_USERS.to_owned()]
    } else {
        campaign.include_group_ids.clone()
    }
    .iter()
    .map(|id| json!({"id": id, "targetType": "group", "targetedAuthenticationMethod": "microsoftAuthenticator"}))
    .collect();
    json!({
        "id": "authenticationMethodsPolicy",
        "displayName": "Authentication Methods Policy",
        "description": "The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings",
        "policyVersion": "1.5",
        "policyMigrationState": "migrationComplete",
        "reconfirmationInDays": 0,
        "registrationEnforcement": {
            "authenticationMethodsRegistrationCampaign": {
                "snoozeDurationInDays": campaign.snooze_duration_in_days,
                "enforceRegistrationAfterAllowedSnoozes": campaign.enforce_registration_after_allowed_snoozes,
                "state": serde_json::to_value(campaign.state).unwrap_or(Value::Null),
                "excludeTargets": exclude_targets(&campaign.exclude_group_ids),
                "includeTargets": campaign_includes,
            }
        },
        "authenticationMethodConfigurations": GraphMethod::ALL
            .into_iter()
            .map(|graph| configuration_json(policy, graph))
            .collect::<Vec<_>>(),
    })
}

/// Properties of the policy object a PATCH may repeat but not change.
const POLICY_READ_ONLY: [&str; 7] = [
    "id",
    "displayName",
    "description",
    "policyVersion",
    "policyMigrationState",
    "reconfirmationInDays",
    "lastModifiedDateTime",
];

/// What a PATCH of the whole policy changes.
#[derive(Debug, Default)]
pub struct PolicyPatch {
    pub methods: Vec<(MethodKind, MethodConfiguration)>,
    /// The registration campaign as it will be, when `registrationEnforcement` was sent.
    pub campaign: Option<RegistrationCampaign>,
}

/// `registrationEnforcement`: only `authenticationMethodsRegistrationCampaign`, each of
/// its properties optional (what is left out stays as it is).
fn parse_registration_enforcement(
    value: &Value,
    current: &RegistrationCampaign,
) -> Result<RegistrationCampaign, BadConfiguration> {
    let Value::Object(fields) = value else {
        return Err(bad("registrationEnforcement must be an object"));
    };
    let mut campaign = current.clone();
    for (name, value) in fields {
        if name.starts_with("@odata.") {
            continue;
        }
        if name != "authenticationMethodsRegistrationCampaign" {
            return Err(bad(format!(
                "{name:?} is not a property of registrationEnforcement"
            )));
        }
        let Value::Object(settings) = value else {
            return Err(bad(
                "authenticationMethodsRegistrationCampaign must be an object",
            ));
        };
        for (name, value) in settings {
            match name.as_str() {
                n if n.starts_with("@odata.") => {}
                "state" => {
                    campaign.state = match value.as_str() {
                        Some("default") => CampaignState::Default,
                        Some("enabled") => CampaignState::Enabled,
                        Some("disabled") => CampaignState::Disabled,
                        _ => {
                            return Err(bad(
                                "the campaign's state must be \"default\", \"enabled\" or \"disabled\"",
                            ));
                        }
                    };
                }
                "snoozeDurationInDays" => {
                    campaign.snooze_duration_in_days = value
                        .as_u64()
                        .filter(|days| *days <= 14)
                        .and_then(|days| u8::try_from(days).ok())
                        .ok_or_else(|| {
                            bad("snoozeDurationInDays must be a whole number from 0 to 14")
                        })?;
                }
                "enforceRegistrationAfterAllowedSnoozes" => {
                    campaign.enforce_registration_after_allowed_snoozes =
                        value.as_bool().ok_or_else(|| {
                            bad("enforceRegistrationAfterAllowedSnoozes must be true or false")
                        })?;
                }
                "includeTargets" => {
                    let ids = campaign_targets(value, "includeTargets", true)?;
                    campaign.include_all_users = ids.iter().any(|id| id == ALL_USERS);
                    campaign.include_group_ids =
                        ids.into_iter().filter(|id| id != ALL_USERS).collect();
                }
                "excludeTargets" => {
                    campaign.exclude_group_ids = campaign_targets(value, "excludeTargets", false)?;
                }
                other => {
                    return Err(bad(format!(
                        "{other:?} is not a property of authenticationMethodsRegistrationCampaign"
                    )));
                }
            }
        }
    }
    Ok(campaign)
}

/// The ids of a campaign's include or exclude targets: groups (or `all_users` when
/// including), and only the Authenticator app as the targeted method.
fn campaign_targets(
    value: &Value,
    name: &str,
    including: bool,
) -> Result<Vec<String>, BadConfiguration> {
    let Value::Array(items) = value else {
        return Err(bad(format!("{name} must be an array")));
    };
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let id = item["id"]
            .as_str()
            .ok_or_else(|| bad(format!("every entry of {name} needs its id")))?;
        if let Some(kind) = item.get("targetType").and_then(Value::as_str)
            && kind != "group"
        {
            return Err(bad(format!(
                "{name}: targetType must be \"group\", not {kind:?}"
            )));
        }
        if let Some(method) = item
            .get("targetedAuthenticationMethod")
            .and_then(Value::as_str)
            && method != "microsoftAuthenticator"
        {
            return Err(bad(format!(
                "{name}: the campaign can only target microsoftAuthenticator, not {method:?}"
            )));
        }
        if id == ALL_USERS && !including {
            return Err(bad("all_users cannot be excluded"));
        }
        ids.push(id.to_owned());
    }
    Ok(ids)
}

/// A PATCH of the whole policy: the changes its `authenticationMethodConfigurations`
/// and `registrationEnforcement` make (every other property may only repeat what GET
/// shows).
pub fn parse_policy_patch(
    body: &Value,
    policy: &AuthenticationMethodsPolicy,
) -> Result<PolicyPatch, BadConfiguration> {
    let Value::Object(fields) = body else {
        return Err(bad("the request body must be a JSON object"));
    };
    let current = policy_json(policy);
    let mut changes = Vec::new();
    let mut campaign = None;
    for (name, value) in fields {
        if name.starts_with("@odata.") {
            continue;
        }
        if name == "authenticationMethodConfigurations" {
            let Value::Array(items) = value else {
                return Err(bad("authenticationMethodConfigurations must be an array"));
            };
            for item in items {
                let id = item["id"].as_str().ok_or_else(|| {
                    bad("every entry of authenticationMethodConfigurations needs its id")
                })?;
                let graph = GraphMethod::from_id(id).ok_or_else(|| unknown_method(id))?;
                changes.extend(parse_configuration_patch(graph, item, policy)?);
            }
        } else if name == "registrationEnforcement" {
            campaign = Some(parse_registration_enforcement(
                value,
                &policy.registration_campaign,
            )?);
        } else if POLICY_READ_ONLY.contains(&name.as_str()) {
            if current.get(name) != Some(value) {
                return Err(bad(format!(
                    "{name} cannot be changed through this API; send it unchanged or leave it out"
                )));
            }
        } else {
            return Err(bad(format!(
                "{name:?} is not a property of authenticationMethodsPolicy"
            )));
        }
    }
    if changes.is_empty() && campaign.is_none() {
        return Err(bad(
            "nothing to change: send authenticationMethodConfigurations or registrationEnforcement",
        ));
    }
    Ok(PolicyPatch {
        methods: changes,
        campaign,
    })
}

/// The 400 for a configuration id Portcullis has no method for.
pub fn unknown_method(id: &str) -> BadConfiguration {
    let known: Vec<&str> = GraphMethod::ALL.iter().map(|m| m.id()).collect();
    bad(format!(
        "{id:?} is not an authentication method configuration here (one of {})",
        known.join(", ")
    ))
}

/// A PATCH of one configuration: the body merged over the configuration as GET shows
/// it, then converted back to the Portcullis methods it stands for.
pub fn parse_configuration_patch(
    graph: GraphMethod,
    body: &Value,
    policy: &AuthenticationMethodsPolicy,
) -> Result<Vec<(MethodKind, MethodConfiguration)>, BadConfiguration> {
    let Value::Object(patch) = body else {
        return Err(bad("the request body must be a JSON object"));
    };
    let current = configuration_json(policy, graph);
    let mut merged = match current.clone() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for (name, value) in patch {
        match name.as_str() {
            "@odata.type" => {
                if value.as_str() != Some(graph.odata_type()) {
                    return Err(bad(format!(
                        "@odata.type must be {} for {}",
                        graph.odata_type(),
                        graph.id()
                    )));
                }
            }
            "id" => {
                if !value
                    .as_str()
                    .is_some_and(|id| id.eq_ignore_ascii_case(graph.id()))
                {
                    return Err(bad(format!("id must be {}", graph.id())));
                }
            }
            "state" | "includeTargets" | "excludeTargets" => {
                merged.insert(name.clone(), value.clone());
            }
            other if graph.extra_writable().contains(&other) => {
                merged.insert(name.clone(), value.clone());
            }
            other if graph.read_only().contains(&other) => {
                if current.get(other) != Some(value) {
                    return Err(bad(format!(
                        "{other} cannot be changed through this API; send it unchanged or leave it out"
                    )));
                }
            }
            other => {
                return Err(bad(format!(
                    "{other:?} is not a property Portcullis supports on {}",
                    graph.id()
                )));
            }
        }
    }
    from_graph(graph, &merged)
}

/// A parsed include target: who, and for the Authenticator in which mode(s).
struct Include {
    id: String,
    push: bool,
    passwordless: bool,
}

fn parse_state(merged: &Map<String, Value>) -> Result<bool, BadConfiguration> {
    match merged.get("state").and_then(Value::as_str) {
        Some("enabled") => Ok(true),
        Some("disabled") => Ok(false),
        _ => Err(bad("state must be \"enabled\" or \"disabled\"")),
    }
}

fn targets<'a>(
    merged: &'a Map<String, Value>,
    name: &str,
) -> Result<&'a Vec<Value>, BadConfiguration> {
    merged
        .get(name)
        .and_then(Value::as_array)
        .ok_or_else(|| bad(format!("{name} must be an array of targets")))
}

/// `{id, targetType: "group"}`; users cannot be targeted (only groups and everyone).
fn target_id(target: &Value, list: &str) -> Result<String, BadConfiguration> {
    let id = target["id"]
        .as_str()
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| bad(format!("every entry of {list} needs an id")))?;
    match target.get("targetType").and_then(Value::as_str) {
        None | Some("group") => {}
        Some(other) => {
            return Err(bad(format!(
                "{list}: targetType {other:?} is not supported (only \"group\"; use \"all_users\" for everyone)"
            )));
        }
    }
    Ok(id.trim().to_owned())
}

fn parse_includes(
    graph: GraphMethod,
    merged: &Map<String, Value>,
) -> Result<Vec<Include>, BadConfiguration> {
    let mut includes = Vec::new();
    for target in targets(merged, "includeTargets")? {
        let id = target_id(target, "includeTargets")?;
        if target.get("isRegistrationRequired") == Some(&Value::Bool(true)) {
            return Err(bad(
                "isRegistrationRequired is not supported; use the registration campaign",
            ));
        }
        let (push, passwordless) = match target.get("authenticationMode") {
            None => (true, true),
            Some(mode) if graph == GraphMethod::MicrosoftAuthenticator => match mode.as_str() {
                Some("any") => (true, true),
                Some("push") => (true, false),
                Some("deviceBasedPush") => (false, true),
                _ => {
                    return Err(bad(format!(
                        "authenticationMode must be any, push or deviceBasedPush, not {mode}"
                    )));
                }
            },
            Some(_) => {
                return Err(bad(
                    "authenticationMode applies only to MicrosoftAuthenticator",
                ));
            }
        };
        includes.push(Include {
            id,
            push,
            passwordless,
        });
    }
    Ok(includes)
}

/// The configuration of one method from the include targets that apply to it.
fn configuration(enabled: bool, includes: &[&Include], excludes: &[String]) -> MethodConfiguration {
    let all = includes.iter().any(|i| i.id == ALL_USERS);
    MethodConfiguration {
        enabled,
        include_all_users: all,
        include_group_ids: if all {
            Vec::new()
        } else {
            includes.iter().map(|i| i.id.clone()).collect()
        },
        exclude_group_ids: excludes.to_vec(),
    }
}

fn from_graph(
    graph: GraphMethod,
    merged: &Map<String, Value>,
) -> Result<Vec<(MethodKind, MethodConfiguration)>, BadConfiguration> {
    let enabled = parse_state(merged)?;
    let includes = parse_includes(graph, merged)?;
    let mut excludes = Vec::new();
    for target in targets(merged, "excludeTargets")? {
        let id = target_id(target, "excludeTargets")?;
        if id == ALL_USERS {
            return Err(bad("excludeTargets cannot exclude all_users"));
        }
        excludes.push(id);
    }
    let every: Vec<&Include> = includes.iter().collect();
    let single = |kind| Ok(vec![(kind, configuration(enabled, &every, &excludes))]);
    match graph {
        GraphMethod::Fido2 => single(MethodKind::Fido2),
        GraphMethod::SoftwareOath => single(MethodKind::Totp),
        GraphMethod::Sms => single(MethodKind::Sms),
        GraphMethod::Voice => single(MethodKind::Voice),
        GraphMethod::Email => single(MethodKind::Email),
        GraphMethod::TemporaryAccessPass => {
            let once_only = match merged.get("isUsableOnce") {
                Some(Value::Bool(b)) => *b,
                _ => return Err(bad("isUsableOnce must be true or false")),
            };
            Ok(vec![
                (
                    MethodKind::TemporaryAccessPassOneTime,
                    configuration(enabled, &every, &excludes),
                ),
                (
                    MethodKind::TemporaryAccessPassMultiUse,
                    configuration(enabled && !once_only, &every, &excludes),
                ),
            ])
        }
        GraphMethod::MicrosoftAuthenticator => {
            let push: Vec<&Include> = includes.iter().filter(|i| i.push).collect();
            let passwordless: Vec<&Include> = includes.iter().filter(|i| i.passwordless).collect();
            // A mode with no target is off; with no target at all, both stay "on" so the
            // service answers that the method would be on for nobody.
            let nobody = push.is_empty() && passwordless.is_empty();
            Ok(vec![
                (
                    MethodKind::AuthenticatorPush,
                    configuration(enabled && (nobody || !push.is_empty()), &push, &excludes),
                ),
                (
                    MethodKind::PasswordlessPhoneSignIn,
                    configuration(
                        enabled && (nobody || !passwordless.is_empty()),
                        &passwordless,
                        &excludes,
                    ),
                ),
            ])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUP: &str = "5f0f7c52-2f4c-4f6e-9f0a-111111111111";

    fn policy_with(changes: Vec<(MethodKind, MethodConfiguration)>) -> AuthenticationMethodsPolicy {
        let mut policy = AuthenticationMethodsPolicy::default();
        policy.methods.extend(changes);
        policy
    }

    #[test]
    fn a_fresh_policy_shows_every_configuration_on_for_everyone() {
        let shown = policy_json(&AuthenticationMethodsPolicy::default());
        let configurations = shown["authenticationMethodConfigurations"]
            .as_array()
            .unwrap();
        assert_eq!(configurations.len(), GraphMethod::ALL.len());
        for c in configurations {
            assert_eq!(c["state"], "enabled", "{c}");
            assert_eq!(c["includeTargets"][0]["id"], "all_users", "{c}");
        }
        let authenticator = &configurations[1];
        assert_eq!(authenticator["id"], "MicrosoftAuthenticator");
        assert_eq!(
            authenticator["includeTargets"][0]["authenticationMode"],
            "any"
        );
        assert_eq!(configurations[6]["isUsableOnce"], false);
    }

    #[test]
    fn get_then_patch_unchanged_changes_nothing() {
        let policy = policy_with(vec![
            (
                MethodKind::AuthenticatorPush,
                MethodConfiguration {
                    enabled: true,
                    include_all_users: false,
                    include_group_ids: vec![GROUP.into()],
                    exclude_group_ids: vec![],
                },
            ),
            (
                MethodKind::PasswordlessPhoneSignIn,
                MethodConfiguration {
                    enabled: false,
                    ..MethodConfiguration::default()
                },
            ),
        ]);
        for graph in GraphMethod::ALL {
            let shown = configuration_json(&policy, graph);
            let changes = parse_configuration_patch(graph, &shown, &policy).unwrap();
            for (kind, configuration) in changes {
                let before = method(&policy, kind);
                // Disabled modes may lose their targets; what is on stays exactly.
                assert_eq!(configuration.enabled, before.enabled, "{kind:?}");
                if before.enabled {
                    assert_eq!(configuration, before, "{kind:?}");
                }
            }
        }
    }

    #[test]
    fn authenticator_modes_split_into_push_and_passwordless() {
        let policy = AuthenticationMethodsPolicy::default();
        let body = json!({"includeTargets": [
            {"id": GROUP, "targetType": "group", "authenticationMode": "push"},
        ]});
        let changes =
            parse_configuration_patch(GraphMethod::MicrosoftAuthenticator, &body, &policy).unwrap();
        assert_eq!(changes[0].0, MethodKind::AuthenticatorPush);
        assert!(changes[0].1.enabled);
        assert_eq!(changes[0].1.include_group_ids, vec![GROUP.to_owned()]);
        assert_eq!(changes[1].0, MethodKind::PasswordlessPhoneSignIn);
        assert!(!changes[1].1.enabled, "no target uses deviceBasedPush");
    }

    #[test]
    fn temporary_access_pass_usable_once_turns_multi_use_off() {
        let changes = parse_configuration_patch(
            GraphMethod::TemporaryAccessPass,
            &json!({"isUsableOnce": true}),
            &AuthenticationMethodsPolicy::default(),
        )
        .unwrap();
        assert!(changes[0].1.enabled);
        assert!(!changes[1].1.enabled);
    }

    #[test]
    fn malformed_bodies_say_what_is_wrong() {
        let policy = AuthenticationMethodsPolicy::default();
        let refused = |graph, body: Value| {
            parse_configuration_patch(graph, &body, &policy)
                .unwrap_err()
                .to_string()
        };
        assert!(refused(GraphMethod::Sms, json!({"state": "on"})).contains("state must be"));
        assert!(refused(GraphMethod::Sms, json!([])).contains("JSON object"));
        assert!(refused(GraphMethod::Sms, json!({"includeTargets": "all"})).contains("array"));
        assert!(
            refused(
                GraphMethod::Sms,
                json!({"includeTargets": [{"id": GROUP, "targetType": "user"}]})
            )
            .contains("targetType \"user\"")
        );
        assert!(
            refused(GraphMethod::Sms, json!({"isSoftwareOathEnabled": true}))
                .contains("isSoftwareOathEnabled")
        );
        assert!(
            refused(
                GraphMethod::Sms,
                json!({"includeTargets": [{"id": "all_users", "authenticationMode": "push"}]})
            )
            .contains("only to MicrosoftAuthenticator")
        );
        assert!(
            refused(
                GraphMethod::Fido2,
                json!({"keyRestrictions": {"isEnforced": true}})
            )
            .contains("keyRestrictions cannot be changed")
        );
        assert!(
            refused(
                GraphMethod::Email,
                json!({"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration"})
            )
            .contains("@odata.type must be")
        );
        assert!(
            parse_policy_patch(&json!({"reconfirmationInDays": 30}), &policy)
                .unwrap_err()
                .to_string()
                .contains("reconfirmationInDays cannot be changed")
        );
        assert!(
            parse_policy_patch(
                &json!({"authenticationMethodConfigurations": [{"id": "HardwareOath", "state": "disabled"}]}),
                &policy
            )
            .unwrap_err()
            .to_string()
            .contains("not an authentication method configuration here")
        );
    }

    #[test]
    fn the_registration_campaign_is_patched_property_by_property() {
        let policy = AuthenticationMethodsPolicy::default();
        let group = "6f2c9a4e-1b3d-4e5f-8a7b-9c0d1e2f3a4b";
        let patch = parse_policy_patch(
            &json!({"registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {
                "state": "enabled",
                "snoozeDurationInDays": 7,
                "includeTargets": [{"id": group, "targetType": "group",
                    "targetedAuthenticationMethod": "microsoftAuthenticator"}],
            }}}),
            &policy,
        )
        .unwrap();
        assert!(patch.methods.is_empty());
        let campaign = patch.campaign.unwrap();
        assert_eq!(campaign.state, CampaignState::Enabled);
        assert_eq!(campaign.snooze_duration_in_days, 7);
        assert!(!campaign.include_all_users);
        assert_eq!(campaign.include_group_ids, vec![group.to_owned()]);
        // Left out: as before.
        assert_eq!(
            campaign.enforce_registration_after_allowed_snoozes,
            policy
                .registration_campaign
                .enforce_registration_after_allowed_snoozes
        );
        // What GET shows may be sent back as it is.
        let unchanged = parse_policy_patch(&policy_json(&policy), &policy).unwrap();
        assert_eq!(
            unchanged.campaign,
            Some(policy.registration_campaign.clone())
        );

        let refused = |campaign: Value| {
            parse_policy_patch(
                &json!({"registrationEnforcement": {"authenticationMethodsRegistrationCampaign": campaign}}),
                &policy,
            )
            .unwrap_err()
            .to_string()
        };
        assert!(refused(json!({"snoozeDurationInDays": 15})).contains("0 to 14"));
        assert!(refused(json!({"state": "on"})).contains("state must be"));
        assert!(
            refused(json!({"includeTargets": [{"id": "all_users", "targetedAuthenticationMethod": "sms"}]}))
                .contains("only target microsoftAuthenticator")
        );
        assert!(
            refused(json!({"excludeTargets": [{"id": "all_users"}]}))
                .contains("cannot be excluded")
        );
        assert!(refused(json!({"nudge": true})).contains("not a property"));
    }
}
