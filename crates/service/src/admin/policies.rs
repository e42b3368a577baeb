//! Policy objects kept as their Graph JSON: Conditional Access policies, named
//! locations, authentication strengths and the security defaults switch. Each write is
//! validated by the Conditional Access engine (`portcullis-policy`) before it is stored.

use std::collections::HashSet;

use portcullis_core::audit::{ModifiedProperty, category};
use portcullis_core::{DirectoryRole, ENTRA_BUILT_IN_ROLES, Permission, Target};
use portcullis_policy::model::{
    AuthenticationStrengthPolicy, ConditionalAccessPolicy, NamedLocation, PolicyState,
};
use portcullis_policy::validate::{
    ValidationContext, ValidationError, has_errors, validate, validate_named_location,
};
use portcullis_store::{Batch, Change, PolicyKind, Precondition, SINGLETON_ID, StoredPolicy};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, audit_record, target};

/// The policy collections behind `/identity/conditionalAccess/…` and
/// `/policies/authenticationStrengthPolicies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyCollection {
    ConditionalAccessPolicies,
    NamedLocations,
    AuthenticationStrengths,
}

impl PolicyCollection {
    fn kind(self) -> PolicyKind {
        match self {
            PolicyCollection::ConditionalAccessPolicies => PolicyKind::ConditionalAccessPolicy,
            PolicyCollection::NamedLocations => PolicyKind::NamedLocation,
            PolicyCollection::AuthenticationStrengths => PolicyKind::AuthenticationStrength,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            PolicyCollection::ConditionalAccessPolicies => "conditional access policy",
            PolicyCollection::NamedLocations => "named location",
            PolicyCollection::AuthenticationStrengths => "authentication strength policy",
        }
    }

    fn activity(self, verb: &str) -> String {
        format!("{verb} {}", self.noun())
    }
}

/// The security defaults object's fixed id, as in Entra.
pub const SECURITY_DEFAULTS_ID: &str = "00000000-0000-0000-0000-000000000005";

/// Read-only properties the server owns.
const SERVER_OWNED: &[&str] = &["id", "createdDateTime", "modifiedDateTime"];

impl Services {
    pub async fn list_policy_objects(
        &self,
        caller: &Caller,
        collection: PolicyCollection,
    ) -> ServiceResult<Vec<Value>> {
        caller.authorize(Permission::PolicyRead, Target::Nothing)?;
        let mut objects: Vec<Value> = Vec::new();
        if collection == PolicyCollection::AuthenticationStrengths {
            objects.extend(built_in_strengths_json());
        }
        let stored = self.store.list_policies(collection.kind()).await?;
        objects.extend(stored.into_iter().map(|p| p.json));
        Ok(objects)
    }

    pub async fn get_policy_object(
        &self,
        caller: &Caller,
        collection: PolicyCollection,
        id: &str,
    ) -> ServiceResult<Value> {
        caller.authorize(Permission::PolicyRead, Target::Nothing)?;
        if collection == PolicyCollection::AuthenticationStrengths
            && let Some(built_in) = built_in_strengths_json()
                .into_iter()
                .find(|s| s["id"] == id)
        {
            return Ok(built_in);
        }
        Ok(self.stored(collection, id).await?.json)
    }

    pub async fn create_policy_object(
        &self,
        caller: &Caller,
        collection: PolicyCollection,
        body: Value,
    ) -> ServiceResult<Value> {
        caller.authorize(Permission::ConditionalAccessWrite, Target::Nothing)?;
        let Value::Object(mut object) = body else {
            return Err(ServiceError::Invalid(
                "the request body must be a JSON object".into(),
            ));
        };
        for key in SERVER_OWNED {
            object.remove(*key);
        }
        let id = Uuid::new_v4().to_string();
        let now = now_text();
        let mut object = with_server_properties(object, &id, Some(&now), &now);
        if collection == PolicyCollection::AuthenticationStrengths {
            object.insert("policyType".into(), json!("custom"));
            object
                .entry("requirementsSatisfied")
                .or_insert(json!("mfa"));
        }
        let json = Value::Object(object);
        self.validate_policy_object(collection, &json).await?;
        let name = display_name_of(&json);
        let audit = audit_record(caller, category::POLICY, &collection.activity("Add"), "Add")
            .with_target(target("Policy", &id, name.as_deref()));
        self.store
            .commit(Batch::single(
                Change::PutPolicy {
                    kind: collection.kind(),
                    id,
                    json: json.clone(),
                    precondition: Precondition::MustNotExist,
                    at: OffsetDateTime::now_utc(),
                },
                audit,
            ))
            .await?;
        Ok(json)
    }

    /// Graph PATCH: the top-level properties given replace the stored ones.
    pub async fn update_policy_object(
        &self,
        caller: &Caller,
        collection: PolicyCollection,
        id: &str,
        patch: Value,
    ) -> ServiceResult<Value> {
        caller.authorize(Permission::ConditionalAccessWrite, Target::Nothing)?;
        let Value::Object(patch) = patch else {
            return Err(ServiceError::Invalid(
                "the request body must be a JSON object".into(),
            ));
        };
        if collection == PolicyCollection::AuthenticationStrengths && is_built_in_strength(id) {
            return Err(ServiceError::Invalid(
                "built-in authentication strengths cannot be changed".into(),
            ));
        }
        let stored = self.stored(collection, id).await?;
        let Value::Object(mut object) = stored.json.clone() else {
            return Err(ServiceError::Internal(format!(
                "stored {} {id} is not an object",
                collection.noun()
            )));
        };
        let mut modified = Vec::new();
        for (key, value) in patch {
            if SERVER_OWNED.contains(&key.as_str()) || key == "policyType" {
                continue;
            }
            let old = object.insert(key.clone(), value.clone());
            if old.as_ref() != Some(&value) {
                modified.push(ModifiedProperty {
                    display_name: key,
                    old_value: old.map(|v| v.to_string()),
                    new_value: Some(value.to_string()),
                });
            }
        }
        let created = object
            .get("createdDateTime")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let object = with_server_properties(object, id, created.as_deref(), &now_text());
        let json = Value::Object(object);
        self.validate_policy_object(collection, &json).await?;
        let mut t = target("Policy", id, display_name_of(&json).as_deref());
        t.modified_properties = modified;
        let audit = audit_record(
            caller,
            category::POLICY,
            &collection.activity("Update"),
            "Update",
        )
        .with_target(t);
        self.store
            .commit(Batch::single(
                Change::PutPolicy {
                    kind: collection.kind(),
                    id: id.to_owned(),
                    json: json.clone(),
                    // Optimistic concurrency: a concurrent writer makes this a conflict.
                    precondition: Precondition::Version(stored.version),
                    at: OffsetDateTime::now_utc(),
                },
                audit,
            ))
            .await?;
        Ok(json)
    }

    pub async fn delete_policy_object(
        &self,
        caller: &Caller,
        collection: PolicyCollection,
        id: &str,
    ) -> ServiceResult<()> {
        caller.authorize(Permission::ConditionalAccessWrite, Target::Nothing)?;
        if collection == PolicyCollection::AuthenticationStrengths && is_built_in_strength(id) {
            return Err(ServiceError::Invalid(
                "built-in authentication strengths cannot be deleted".into(),
            ));
        }
        let stored = self.stored(collection, id).await?;
        if collection == PolicyCollection::NamedLocations && stored.json["isTrusted"] == json!(true)
        {
            return Err(ServiceError::Invalid(
                "a location marked trusted cannot be deleted; set isTrusted to false first".into(),
            ));
        }
        if collection != PolicyCollection::ConditionalAccessPolicies {
            self.refuse_if_referenced(id).await?;
        }
        let audit = audit_record(
            caller,
            category::POLICY,
            &collection.activity("Delete"),
            "Delete",
        )
        .with_target(target(
            "Policy",
            id,
            display_name_of(&stored.json).as_deref(),
        ));
        self.store
            .commit(Batch::single(
                Change::DeletePolicy {
                    kind: collection.kind(),
                    id: id.to_owned(),
                },
                audit,
            ))
            .await?;
        Ok(())
    }

    pub async fn get_security_defaults(&self, caller: &Caller) -> ServiceResult<Value> {
        caller.authorize(Permission::PolicyRead, Target::Nothing)?;
        self.security_defaults().await
    }

    /// PATCH of `identitySecurityDefaultsEnforcementPolicy`: only `isEnabled` changes.
    /// Enabling is refused while a Conditional Access policy is on, as in Entra.
    pub async fn update_security_defaults(
        &self,
        caller: &Caller,
        patch: Value,
    ) -> ServiceResult<Value> {
        caller.authorize(Permission::SecurityDefaultsWrite, Target::Nothing)?;
        let Value::Object(patch) = patch else {
            return Err(ServiceError::Invalid(
                "the request body must be a JSON object".into(),
            ));
        };
        let mut current = self.security_defaults().await?;
        let old = current["isEnabled"].clone();
        for (key, value) in patch {
            match key.as_str() {
                "isEnabled" if value.is_boolean() => current["isEnabled"] = value,
                "isEnabled" => {
                    return Err(ServiceError::Invalid(
                        "isEnabled must be true or false".into(),
                    ));
                }
                "@odata.context" | "@odata.type" => {}
                other => {
                    return Err(ServiceError::Invalid(format!(
                        "property '{other}' of identitySecurityDefaultsEnforcementPolicy cannot be changed"
                    )));
                }
            }
        }
        if current["isEnabled"] == json!(true) && old != json!(true) {
            let enabled = self.enabled_ca_policy_names().await?;
            if !enabled.is_empty() {
                return Err(ServiceError::Invalid(format!(
                    "security defaults cannot be enabled while Conditional Access policies are on ({}); turn them off first",
                    enabled.join(", ")
                )));
            }
        }
        let mut t = target("Policy", SECURITY_DEFAULTS_ID, Some("Security Defaults"));
        t.modified_properties.push(ModifiedProperty {
            display_name: "isEnabled".into(),
            old_value: Some(old.to_string()),
            new_value: Some(current["isEnabled"].to_string()),
        });
        let audit = audit_record(
            caller,
            category::POLICY,
            "Update security defaults",
            "Update",
        )
        .with_target(t);
        self.store
            .commit(Batch::single(
                Change::PutPolicy {
                    kind: PolicyKind::SecurityDefaults,
                    id: SINGLETON_ID.to_owned(),
                    json: current.clone(),
                    precondition: Precondition::None,
                    at: OffsetDateTime::now_utc(),
                },
                audit,
            ))
            .await?;
        Ok(current)
    }

    async fn security_defaults(&self) -> ServiceResult<Value> {
        match self
            .store
            .get_policy(PolicyKind::SecurityDefaults, SINGLETON_ID)
            .await
        {
            Ok(stored) => Ok(stored.json),
            // Never written: Portcullis starts like a new Entra tenant, with security
            // defaults on until an administrator moves to Conditional Access.
            Err(portcullis_store::StoreError::NotFound(_)) => Ok(json!({
                "id": SECURITY_DEFAULTS_ID,
                "displayName": "Security Defaults",
                "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization.",
                "isEnabled": true
            })),
            Err(e) => Err(e.into()),
        }
    }

    async fn stored(&self, collection: PolicyCollection, id: &str) -> ServiceResult<StoredPolicy> {
        match self.store.get_policy(collection.kind(), id).await {
            Err(portcullis_store::StoreError::NotFound(_)) => Err(ServiceError::NotFound(format!(
                "{} {id}",
                collection.noun()
            ))),
            other => Ok(other?),
        }
    }

    async fn enabled_ca_policy_names(&self) -> ServiceResult<Vec<String>> {
        Ok(self
            .store
            .list_policies(PolicyKind::ConditionalAccessPolicy)
            .await?
            .into_iter()
            .filter(|p| p.json["state"] == json!("enabled"))
            .map(|p| display_name_of(&p.json).unwrap_or(p.id))
            .collect())
    }

    /// Named locations and strengths still used by a Conditional Access policy cannot
    /// be deleted (the policy would silently change meaning).
    async fn refuse_if_referenced(&self, id: &str) -> ServiceResult<()> {
        let users: Vec<String> = self
            .store
            .list_policies(PolicyKind::ConditionalAccessPolicy)
            .await?
            .into_iter()
            .filter(|p| mentions(&p.json, id))
            .map(|p| display_name_of(&p.json).unwrap_or(p.id))
            .collect();
        if users.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Conflict(format!(
                "{id} is used by Conditional Access policies: {}",
                users.join(", ")
            )))
        }
    }

    async fn validate_policy_object(
        &self,
        collection: PolicyCollection,
        json: &Value,
    ) -> ServiceResult<()> {
        let replaces = json.get("id").and_then(Value::as_str);
        match collection {
            PolicyCollection::ConditionalAccessPolicies => {
                let policy: ConditionalAccessPolicy = parse(json, collection)?;
                let context = self.validation_context().await?;
                report(validate(&policy, &context))?;
                if policy.state == Some(PolicyState::Enabled)
                    && self.security_defaults().await?["isEnabled"] == json!(true)
                {
                    return Err(ServiceError::Invalid(
                        "security defaults are enabled; disable them (PATCH /v1.0/policies/identitySecurityDefaultsEnforcementPolicy) before turning a Conditional Access policy on".into(),
                    ));
                }
                if policy.state == Some(PolicyState::Enabled) {
                    self.refuse_lockout(&policy, replaces).await?;
                }
                Ok(())
            }
            PolicyCollection::NamedLocations => {
                let location: NamedLocation = parse(json, collection)?;
                report(validate_named_location(&location))
            }
            PolicyCollection::AuthenticationStrengths => {
                let strength: AuthenticationStrengthPolicy = parse(json, collection)?;
                if strength
                    .display_name
                    .as_deref()
                    .is_none_or(|n| n.trim().is_empty())
                {
                    return Err(ServiceError::Invalid("displayName is required".into()));
                }
                if strength.allowed_combinations.is_empty() {
                    return Err(ServiceError::Invalid(
                        "allowedCombinations must name at least one combination".into(),
                    ));
                }
                Ok(())
            }
        }
    }

    async fn validation_context(&self) -> ServiceResult<ValidationContext> {
        let locations = self.store.list_policies(PolicyKind::NamedLocation).await?;
        let strengths = self
            .store
            .list_policies(PolicyKind::AuthenticationStrength)
            .await?;
        let strength_ids = strengths.iter().map(|s| s.id.clone()).chain(
            built_in_strengths_json()
                .into_iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned)),
        );
        Ok(ValidationContext {
            named_locations: ValidationContext::ids(locations.iter().map(|l| l.id.as_str())),
            // Groups are not enumerated here (there may be very many); the engine then
            // skips that reference check.
            groups: None,
            // Every Entra built-in role is a valid target (policies exported from Entra name
            // Exchange or Teams administrators); it matches nobody until someone holds it.
            roles: ValidationContext::ids(
                ENTRA_BUILT_IN_ROLES
                    .iter()
                    .map(|r| r.template_id)
                    .chain(DirectoryRole::ALL.iter().map(|r| r.template_id())),
            ),
            authentication_strengths: ValidationContext::ids(strength_ids.collect::<HashSet<_>>()),
            authentication_contexts: None,
        })
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    json: &Value,
    collection: PolicyCollection,
) -> ServiceResult<T> {
    serde_json::from_value(json.clone())
        .map_err(|e| ServiceError::Invalid(format!("not a valid {}: {e}", collection.noun())))
}

/// Errors refuse the write; warnings are logged only.
fn report(findings: Vec<ValidationError>) -> ServiceResult<()> {
    if !has_errors(&findings) {
        for warning in &findings {
            tracing::info!(path = %warning.path, message = %warning.message, "policy validation warning");
        }
        return Ok(());
    }
    let messages: Vec<String> = findings
        .iter()
        .filter(|f| f.is_error())
        .map(|f| format!("{}: {}", f.path, f.message))
        .collect();
    Err(ServiceError::Invalid(messages.join("; ")))
}

fn with_server_properties(
    mut object: Map<String, Value>,
    id: &str,
    created: Option<&str>,
    modified: &str,
) -> Map<String, Value> {
    // Keep `@odata.type` first and the server-owned properties next, as Graph prints them.
    let mut out = Map::new();
    if let Some(t) = object.remove("@odata.type") {
        out.insert("@odata.type".into(), t);
    }
    out.insert("id".into(), json!(id));
    if let Some(created) = created {
        out.insert("createdDateTime".into(), json!(created));
    }
    out.insert("modifiedDateTime".into(), json!(modified));
    object.remove("id");
    object.remove("createdDateTime");
    object.remove("modifiedDateTime");
    out.extend(object);
    out
}

fn now_text() -> String {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn display_name_of(json: &Value) -> Option<String> {
    json.get("displayName")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn mentions(json: &Value, id: &str) -> bool {
    match json {
        Value::String(s) => s.eq_ignore_ascii_case(id),
        Value::Array(items) => items.iter().any(|v| mentions(v, id)),
        Value::Object(map) => map.values().any(|v| mentions(v, id)),
        _ => false,
    }
}

fn is_built_in_strength(id: &str) -> bool {
    portcullis_policy::strength::built_in_strength(id).is_some()
}

/// The three built-in strengths in the Graph `authenticationStrengthPolicy` shape.
fn built_in_strengths_json() -> Vec<Value> {
    portcullis_policy::strength::built_in_strengths()
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "displayName": s.display_name,
                "description": s.description,
                "policyType": s.policy_type.as_str(),
                "requirementsSatisfied": s.requirements_satisfied.as_str(),
                "allowedCombinations": s.allowed_combinations.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            })
        })
        .collect()
}
