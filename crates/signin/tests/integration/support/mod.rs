//! A small world for driving the machine: cheap argon2, a user builder, policy sets
//! from Graph JSON, and a runner that applies the effects the edge would.

#![allow(dead_code)]

use portcullis_authn::lockout::{Familiarity, FingerprintKey, LockoutState};
use portcullis_authn::password::{Argon2Params, DummyHash, PasswordHasher};
use portcullis_authn::tap::{TapIssueRequest, TapPolicy, TemporaryAccessPass};
use portcullis_authn::totp::{Totp, TotpConfig, TotpSecret};
use portcullis_core::signin::{DeviceDetail, SignInLocation};
use portcullis_core::{CorrelationId, CredentialId, UserId, UserType};
use portcullis_policy::evaluate::{CompiledPolicySet, PolicySet, SignInTarget};
use portcullis_policy::model::UserAction;
use portcullis_signin::{
    AuthenticationMethodsPolicy, DeviceFacts, Effect, Input, MethodMaterial, PasswordRecord,
    PolicyEnvironment, Protocol, RegisteredMethod, RequestContext, RiskInput, SignInConfig,
    SignInTransaction, Step, StepEnvironment, StrengthCatalogue, Subject, UserRecord, step,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

pub const APP: &str = "00000003-0000-0ff1-ce00-000000000000";
pub const PASSWORD: &str = "correct horse battery staple";
pub const UNTRUSTED_IP: &str = "198.51.100.7";
pub const TRUSTED_IP: &str = "203.0.113.9";

pub fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap()
}

pub fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(7)
}

pub fn hasher() -> PasswordHasher {
    PasswordHasher::new(Argon2Params {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    })
    .unwrap()
}

pub fn config() -> SignInConfig {
    let hasher = hasher();
    let dummy = DummyHash::new(&hasher, &mut rng()).unwrap();
    SignInConfig::new(hasher, dummy, FingerprintKey::new([9; 32]))
}

pub fn id(n: u8) -> String {
    format!("00000000-0000-0000-0000-0000000000{n:02x}")
}

pub fn credential(n: u8) -> CredentialId {
    CredentialId::parse(&format!("cccccccc-0000-0000-0000-0000000000{n:02x}")).unwrap()
}

/// A member with the test password and no other method.
pub fn user() -> UserRecord {
    UserRecord {
        id: UserId::parse(&id(1)).unwrap(),
        user_principal_name: "ada@example.org".into(),
        display_name: "Ada".into(),
        user_type: UserType::Member,
        account_enabled: true,
        group_ids: Vec::new(),
        role_template_ids: Vec::new(),
        password: Some(PasswordRecord {
            phc: hasher().hash(PASSWORD, &mut rng()).unwrap(),
            must_change: false,
        }),
        methods: Vec::new(),
        lockout: LockoutState::new(&mut rng()),
        familiarity: Familiarity::Familiar,
        security_defaults_first_interactive_sign_in_at: None,
        registration_campaign: Default::default(),
    }
}

pub fn totp() -> Totp {
    Totp::new(
        TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap(),
        TotpConfig::default(),
    )
}

pub fn with_totp(mut user: UserRecord, last_used_step: Option<u64>) -> UserRecord {
    user.methods.push(RegisteredMethod {
        credential_id: credential(1),
        display_name: Some("Phone".into()),
        material: MethodMaterial::Totp {
            totp: totp(),
            last_used_step,
        },
    });
    user
}

pub fn with_passkey(mut user: UserRecord) -> UserRecord {
    user.methods.push(RegisteredMethod {
        credential_id: credential(2),
        display_name: Some("YubiKey".into()),
        material: MethodMaterial::Passkey {
            aaguid: Some(Uuid::from_u128(0x2fc0579f_8113_47ea_b116_bb5a8db9202a)),
        },
    });
    user
}

pub fn with_sms(mut user: UserRecord) -> UserRecord {
    user.methods.push(RegisteredMethod {
        credential_id: credential(3),
        display_name: None,
        material: MethodMaterial::Phone {
            number: "+31600000000".into(),
            channel: portcullis_signin::PhoneChannel::Sms,
            throttle: Default::default(),
        },
    });
    user
}

/// Adds a Temporary Access Pass and returns the pass text.
pub fn with_tap(mut user: UserRecord, once: bool) -> (UserRecord, String) {
    let (pass, issued) = TemporaryAccessPass::issue(
        &TapPolicy::default(),
        TapIssueRequest {
            is_usable_once: Some(once),
            ..Default::default()
        },
        &hasher(),
        now() - time::Duration::minutes(1),
        &mut rng(),
    )
    .unwrap();
    user.methods.push(RegisteredMethod {
        credential_id: credential(4),
        display_name: None,
        material: MethodMaterial::TemporaryAccessPass(pass),
    });
    (user, issued.as_str().to_owned())
}

pub fn request(protocol: Protocol) -> RequestContext {
    RequestContext {
        protocol,
        target: SignInTarget::Application { app_id: APP.into() },
        app_display_name: Some("Mail".into()),
        ip_address: Some(UNTRUSTED_IP.parse().unwrap()),
        location: SignInLocation {
            country_or_region: Some("NL".into()),
            ..Default::default()
        },
        device_platform: None,
        device: None,
        device_detail: DeviceDetail::default(),
        user_agent: Some("test".into()),
        correlation_id: CorrelationId::from_uuid(Uuid::from_u128(42)),
        risk: RiskInput::default(),
        device_facts: DeviceFacts::default(),
        authentication_flow: None,
        out_of_band_available: false,
    }
}

pub fn registration_request() -> RequestContext {
    let mut request = request(Protocol::Browser);
    request.target = SignInTarget::UserAction {
        user_action: UserAction::RegisterSecurityInfo,
    };
    request
}

/// A policy from partial Graph JSON over: enabled, all users, all apps, MFA.
pub fn policy(name: &str, overrides: Value) -> Value {
    let mut base = json!({
        "id": name, "displayName": name, "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"]
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    });
    merge(&mut base, overrides);
    base
}

fn merge(base: &mut Value, overrides: Value) {
    match (base, overrides) {
        (Value::Object(base), Value::Object(overrides)) => {
            for (key, value) in overrides {
                match base.get_mut(&key) {
                    Some(existing) if value.is_object() && existing.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overrides) => *base = overrides,
    }
}

/// The configuration a test signs in against.
pub struct World {
    pub config: SignInConfig,
    pub set: PolicySet,
    pub compiled: CompiledPolicySet,
    pub strengths: StrengthCatalogue,
    pub methods: AuthenticationMethodsPolicy,
}

impl World {
    pub fn new(set: Value) -> World {
        let set: PolicySet = serde_json::from_value(set).unwrap();
        World {
            config: config(),
            compiled: set.compile(),
            strengths: StrengthCatalogue::from_policy_set(&set),
            methods: AuthenticationMethodsPolicy::default(),
            set,
        }
    }

    pub fn with_policies(policies: Vec<Value>) -> World {
        World::new(json!({
            "policies": policies,
            "namedLocations": [{
                "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "office",
                "displayName": "Office", "isTrusted": true,
                "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}]
            }],
            "authenticationStrengths": [{
                "id": "7a9b0000-0000-0000-0000-00000000aaaa",
                "displayName": "Temporary Access Pass only",
                "allowedCombinations": ["temporaryAccessPassOneTime", "temporaryAccessPassMultiUse"]
            }]
        }))
    }

    pub fn environment<'a>(
        &'a self,
        request: &'a RequestContext,
        subject: &'a Subject,
        now: OffsetDateTime,
    ) -> StepEnvironment<'a> {
        StepEnvironment {
            config: &self.config,
            policy: PolicyEnvironment {
                conditional_access: &self.compiled,
                strengths: &self.strengths,
                methods: &self.methods,
            },
            request,
            subject,
            now,
        }
    }
}

/// Drives a transaction and plays the edge: applies the persisting effects to the user.
pub struct Driver<'w> {
    pub world: &'w World,
    pub request: RequestContext,
    pub subject: Subject,
    pub transaction: SignInTransaction,
    pub now: OffsetDateTime,
    pub rng: ChaCha20Rng,
    pub steps: Vec<Step>,
}

impl<'w> Driver<'w> {
    pub fn new(world: &'w World, request: RequestContext, subject: Subject) -> Self {
        let transaction =
            SignInTransaction::begin("ada@example.org", request.correlation_id.clone(), now());
        Driver {
            world,
            request,
            subject,
            transaction,
            now: now(),
            rng: rng(),
            steps: Vec::new(),
        }
    }

    pub fn submit(&mut self, input: Input) -> &Step {
        let environment = self
            .world
            .environment(&self.request, &self.subject, self.now);
        let result = step(&mut self.transaction, &environment, input, &mut self.rng);
        if let Subject::Known(user) = &mut self.subject {
            apply(user, &result.effects);
        }
        self.steps.push(result);
        self.steps.last().unwrap()
    }
}

/// What the edge would persist, applied to the in-memory user.
pub fn apply(user: &mut UserRecord, effects: &[Effect]) {
    for effect in effects {
        match effect {
            Effect::PersistLockoutState { state, .. } => user.lockout = state.clone(),
            Effect::RecordTotpStep {
                credential_id,
                step,
                ..
            } => {
                for method in &mut user.methods {
                    if &method.credential_id == credential_id
                        && let MethodMaterial::Totp { last_used_step, .. } = &mut method.material
                    {
                        *last_used_step = Some(*step);
                    }
                }
            }
            Effect::PersistTemporaryAccessPass {
                credential_id,
                pass,
                ..
            } => {
                for method in &mut user.methods {
                    if &method.credential_id == credential_id {
                        method.material = MethodMaterial::TemporaryAccessPass(pass.clone());
                    }
                }
            }
            Effect::SnoozeRegistrationCampaign { progress, .. } => {
                user.registration_campaign = progress.clone()
            }
            Effect::StartRegistrationGrace { at, .. } => {
                user.security_defaults_first_interactive_sign_in_at = Some(*at)
            }
            _ => {}
        }
    }
}

pub fn log_entries(step: &Step) -> Vec<&portcullis_signin::SignInLogEntry> {
    step.effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::AppendSignInLog(entry) => Some(entry.as_ref()),
            _ => None,
        })
        .collect()
}

pub fn log_code(step: &Step) -> i32 {
    log_entries(step)[0].record.status.error_code
}
