//! Helpers for the My security info tests: the user, request, session and policy
//! environment a `RegistrationContext` borrows.
#![allow(dead_code, clippy::unwrap_used)]

use portcullis_authn::lockout::{Familiarity, LockoutState};
use portcullis_core::{CorrelationId, UserId, UserType};
use portcullis_policy::evaluate::{PolicySet, SessionState, SignInTarget, UsedMethod};
use portcullis_signin::{
    AuthenticationMethodsPolicy, PolicyEnvironment, Protocol, RequestContext, StrengthCatalogue,
    UserRecord,
};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// The user every scenario registers methods for, created through Graph.
pub async fn create_worker(app: &crate::common::TestApp) -> UserId {
    let admin = app.admin_token().await;
    let (status, created) = app
        .post(
            "/v1.0/users",
            &admin,
            json!({"displayName": "Worker", "userPrincipalName": "worker@example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    UserId::parse(created["id"].as_str().unwrap()).unwrap()
}

pub fn user_record(id: &UserId) -> UserRecord {
    UserRecord {
        id: id.clone(),
        user_principal_name: "worker@example.com".into(),
        display_name: "Worker".into(),
        user_type: UserType::Member,
        account_enabled: true,
        group_ids: vec![],
        role_template_ids: vec![],
        password: None,
        methods: vec![],
        lockout: LockoutState::new(&mut rand::rng()),
        familiarity: Familiarity::Familiar,
        security_defaults_first_interactive_sign_in_at: None,
        registration_campaign: Default::default(),
    }
}

pub fn request() -> RequestContext {
    RequestContext {
        protocol: Protocol::Browser,
        target: SignInTarget::UserAction {
            user_action: portcullis_policy::model::UserAction::RegisterSecurityInfo,
        },
        app_display_name: None,
        ip_address: Some("203.0.113.5".parse().unwrap()),
        location: Default::default(),
        device_platform: None,
        device: None,
        device_detail: Default::default(),
        user_agent: None,
        correlation_id: CorrelationId::from_uuid(uuid::Uuid::new_v4()),
        risk: Default::default(),
        device_facts: Default::default(),
        authentication_flow: None,
        out_of_band_available: false,
    }
}

pub fn session(modes: &[(&str, Duration)], now: OffsetDateTime) -> SessionState {
    SessionState {
        authenticated_at: Some(now - Duration::minutes(30)),
        methods: modes
            .iter()
            .map(|(mode, ago)| UsedMethod {
                method: mode.parse().unwrap(),
                at: now - *ago,
                aaguid: None,
                certificate_issuer_ski: None,
                certificate_policy_oids: vec![],
            })
            .collect(),
    }
}

pub struct Policy {
    pub set: portcullis_policy::evaluate::CompiledPolicySet,
    pub strengths: StrengthCatalogue,
    pub methods: AuthenticationMethodsPolicy,
}

impl Policy {
    pub fn new(policies: serde_json::Value) -> Self {
        let set: PolicySet = serde_json::from_value(json!({ "policies": policies })).unwrap();
        Self {
            set: set.compile(),
            strengths: StrengthCatalogue::from_policy_set(&set),
            methods: AuthenticationMethodsPolicy::default(),
        }
    }

    pub fn environment(&self) -> PolicyEnvironment<'_> {
        PolicyEnvironment {
            conditional_access: &self.set,
            strengths: &self.strengths,
            methods: &self.methods,
        }
    }
}

pub fn registration_policy(grant: &str) -> serde_json::Value {
    json!({
        "displayName": format!("Registration needs {grant}"),
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeUserActions": ["urn:user:registersecurityinfo"]},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
        },
        "grantControls": {"operator": "OR", "builtInControls": [grant]}
    })
}
