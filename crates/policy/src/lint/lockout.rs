//! "Would every Global Administrator (or every break-glass account) be blocked
//! everywhere?" — decided with the evaluator over the probes of [`super::probes`].
//!
//! For each account, every probe becomes a [`SignInContext`] in which the account
//! presents everything it could: its registered methods (all methods when the facts do
//! not list them), the probe's device, accepted terms of use and satisfied custom
//! controls, an approved client app with app protection on iOS and Android apps. A probe
//! *gets through* when the decision is allow, or when some alternative asks only for
//! steps the account can take during the sign-in (registration, reauthentication,
//! password change, risk remediation, terms of use, custom controls). The account is
//! locked out when no probe gets through.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::device_filter::DeviceProperties;
use crate::evaluate::{
    CompiledPolicySet, Decision, Outcome, PolicyResult, PolicySet, RequiredControl, SessionFacts,
    SessionState, SignInContext, SignInIdentity, SignInTarget, UsedMethod, UserIdentity, evaluate,
};
use crate::model::{ClientAppType, DevicePlatform, PolicyState};
use crate::strength::AuthenticationMethodMode;

use super::describe::describe;
use super::directory::{DirectoryFacts, DirectoryUser};
use super::finding::PolicyRef;
use super::probes::{
    PROBE_CLIENTS, PROBE_PLATFORMS, Probe, ProbeDevice, ProbeLocation, probes_for,
};

/// The application the probes sign in to when the policy set names no admin portal
/// application: it is added to `MicrosoftAdminPortals`, so it stands for "the admin
/// portal" — policies on All resources or on the admin portals apply to it, policies on
/// other specific applications do not.
pub const LINT_ADMIN_PORTAL_APP_ID: &str = "a0a0a0a0-11ad-4a11-8000-00000000f0a1";

/// Methods assumed when the facts do not list an account's methods: every method that
/// can count in a strength (email never does).
const ANY_METHOD: [AuthenticationMethodMode; 11] = [
    AuthenticationMethodMode::Password,
    AuthenticationMethodMode::Fido2,
    AuthenticationMethodMode::WindowsHelloForBusiness,
    AuthenticationMethodMode::X509CertificateMultiFactor,
    AuthenticationMethodMode::MicrosoftAuthenticatorPush,
    AuthenticationMethodMode::DeviceBasedPush,
    AuthenticationMethodMode::SoftwareOath,
    AuthenticationMethodMode::HardwareOath,
    AuthenticationMethodMode::Sms,
    AuthenticationMethodMode::Voice,
    AuthenticationMethodMode::TemporaryAccessPassOneTime,
];

/// The policy set as the lint evaluates it, compiled once.
pub(crate) struct Judge {
    compiled: CompiledPolicySet,
    applications: Vec<String>,
    terms_of_use: Vec<String>,
    custom_controls: Vec<String>,
    now: OffsetDateTime,
}

/// How one account fared.
pub(crate) enum AccountVerdict {
    /// Some probe got through.
    GetsIn,
    /// No probe got through; which enforced policies stopped how many probes.
    LockedOut {
        probes: usize,
        culprits: BTreeMap<String, (PolicyRef, usize)>,
    },
}

impl Judge {
    /// Prepares `set`; with `enforce_report_only`, report-only policies are judged as if
    /// they were turned on (the lint answers "is it safe to enforce this?").
    pub(crate) fn new(set: &PolicySet, enforce_report_only: bool, now: OffsetDateTime) -> Self {
        let mut effective = set.clone();
        if enforce_report_only {
            for policy in &mut effective.policies {
                if policy.is_report_only() {
                    policy.state = Some(PolicyState::Enabled);
                }
            }
        }
        if effective
            .application_groups
            .microsoft_admin_portals
            .is_empty()
        {
            effective
                .application_groups
                .microsoft_admin_portals
                .push(LINT_ADMIN_PORTAL_APP_ID.to_owned());
        }
        let applications = effective.application_groups.microsoft_admin_portals.clone();
        let grants = effective
            .policies
            .iter()
            .filter_map(|policy| policy.grant_controls.as_ref());
        let (mut terms_of_use, mut custom_controls) = (Vec::new(), Vec::new());
        for grant in grants {
            terms_of_use.extend(grant.terms_of_use.iter().cloned());
            custom_controls.extend(grant.custom_authentication_factors.iter().cloned());
        }
        Self {
            compiled: effective.compile(),
            applications,
            terms_of_use,
            custom_controls,
            now,
        }
    }

    /// Tries every probe for `user` until one gets through.
    pub(crate) fn judge(
        &self,
        facts: &DirectoryFacts,
        user: &DirectoryUser,
        locations: &[ProbeLocation],
    ) -> AccountVerdict {
        let identity = UserIdentity {
            id: user.id.clone(),
            user_type: user.user_type,
            group_ids: facts.transitive_groups(user).into_iter().collect(),
            role_template_ids: user.roles.clone(),
            ..UserIdentity::default()
        };
        let methods = self.methods(user);
        let probes = probes_for(user, locations);
        let mut culprits: BTreeMap<String, (PolicyRef, usize)> = BTreeMap::new();
        let mut tried = 0;
        for probe in probes {
            let mut stopped_by: Vec<PolicyRef> = Vec::new();
            for app_id in &self.applications {
                tried += 1;
                let context = self.context(
                    &identity,
                    app_id,
                    &probe,
                    &locations[probe.location],
                    &methods,
                );
                let decision = evaluate(&self.compiled, &context);
                if gets_through(&decision) {
                    return AccountVerdict::GetsIn;
                }
                for culprit in culprits_of(&decision) {
                    if !stopped_by.contains(&culprit) {
                        stopped_by.push(culprit);
                    }
                }
            }
            for culprit in stopped_by {
                let key = culprit
                    .id
                    .clone()
                    .unwrap_or_else(|| culprit.display_name.clone());
                culprits.entry(key).or_insert((culprit, 0)).1 += 1;
            }
        }
        AccountVerdict::LockedOut {
            probes: tried,
            culprits,
        }
    }

    fn methods(&self, user: &DirectoryUser) -> Vec<UsedMethod> {
        let modes: Vec<AuthenticationMethodMode> = match &user.methods {
            Some(known) => known.clone(),
            None => ANY_METHOD.to_vec(),
        };
        modes
            .into_iter()
            .map(|method| UsedMethod {
                method,
                at: self.now,
                aaguid: None,
                certificate_issuer_ski: None,
                certificate_policy_oids: Vec::new(),
            })
            .collect()
    }

    fn context(
        &self,
        identity: &UserIdentity,
        app_id: &str,
        probe: &Probe,
        location: &ProbeLocation,
        methods: &[UsedMethod],
    ) -> SignInContext {
        let mobile_app = probe.client_app_type == ClientAppType::MobileAppsAndDesktopClients
            && matches!(
                probe.platform,
                DevicePlatform::IOs | DevicePlatform::Android
            );
        let (device, compliant, hybrid) = match probe.device {
            ProbeDevice::Unregistered => (None, false, false),
            ProbeDevice::CompliantJoined => (Some(device(probe, "AzureAD")), true, false),
            ProbeDevice::CompliantHybridJoined => (Some(device(probe, "ServerAD")), true, true),
        };
        SignInContext {
            identity: SignInIdentity::User(identity.clone()),
            target: SignInTarget::Application {
                app_id: app_id.to_owned(),
            },
            client_app_type: Some(probe.client_app_type.clone()),
            device_platform: Some(probe.platform.clone()),
            ip_address: Some(location.ip),
            country: location.country.clone(),
            gps_country: location.country.clone(),
            device,
            sign_in_risk_level: Some(crate::model::RiskLevel::None),
            user_risk_level: Some(crate::model::RiskLevel::None),
            insider_risk_level: None,
            service_principal_risk_level: None,
            authentication_flow: None,
            session: SessionState {
                authenticated_at: Some(self.now),
                methods: methods.to_vec(),
            },
            facts: SessionFacts {
                device_compliant: compliant,
                device_hybrid_joined: hybrid,
                approved_application: mobile_app,
                app_protection_policy: mobile_app,
                accepted_terms_of_use: self.terms_of_use.clone(),
                satisfied_custom_controls: self.custom_controls.clone(),
                mfa_registered: true,
                ..SessionFacts::default()
            },
            now: self.now,
        }
    }
}

/// A registered, compliant, company-owned device of the probe's platform.
fn device(probe: &Probe, trust_type: &str) -> DeviceProperties {
    DeviceProperties {
        device_id: Some("0d0d0d0d-11ad-4a11-8000-00000000de71".to_owned()),
        display_name: Some("lint probe device".to_owned()),
        device_ownership: Some("Company".to_owned()),
        is_compliant: Some(true),
        operating_system: Some(probe.platform.as_str().to_owned()),
        profile_type: Some("RegisteredDevice".to_owned()),
        trust_type: Some(trust_type.to_owned()),
        ..DeviceProperties::default()
    }
}

/// Steps the account can take in the sign-in itself. MFA and strengths are not here:
/// the probe already presents every method the account has, so if they are still asked
/// for, the account cannot satisfy them.
fn can_do_in_sign_in(control: &RequiredControl) -> bool {
    matches!(
        control,
        RequiredControl::Reauthentication
            | RequiredControl::MfaRegistration
            | RequiredControl::PasswordChange
            | RequiredControl::RiskRemediation
            | RequiredControl::TermsOfUse { .. }
            | RequiredControl::CustomFactor { .. }
    )
}

fn gets_through(decision: &Decision) -> bool {
    match &decision.outcome {
        Outcome::Allow { .. } => true,
        Outcome::NeedsControls { alternatives, .. } => alternatives
            .iter()
            .any(|alternative| alternative.controls.iter().all(can_do_in_sign_in)),
        Outcome::Block { .. } => false,
    }
}

/// The enforced policies that stopped the probe: the blocking ones, or those whose
/// controls stayed unmet.
fn culprits_of(decision: &Decision) -> Vec<PolicyRef> {
    match &decision.outcome {
        Outcome::Block { policies, .. } => policies
            .iter()
            .map(|policy| PolicyRef {
                id: Some(String::from(&*policy.id)),
                display_name: String::from(&*policy.display_name),
            })
            .collect(),
        _ => decision
            .applied_conditional_access_policies
            .iter()
            .filter(|applied| applied.result == PolicyResult::Failure)
            .map(|applied| PolicyRef {
                id: Some(String::from(&*applied.id)),
                display_name: String::from(&*applied.display_name),
            })
            .collect(),
    }
}

/// "none of the 240 probed sign-ins (4 network positions × 5 platforms × 2 client types
/// × the device states the facts allow, no risk, for each of the 2 accounts) gets
/// through: 'CA001' stops 120 of them (enabled; it blocks All users …); …".
pub(crate) fn explain(
    probes: usize,
    accounts: usize,
    positions: usize,
    culprits: &BTreeMap<String, (PolicyRef, usize)>,
    set: &PolicySet,
    enforce_report_only: bool,
) -> String {
    let mut ranked: Vec<&(PolicyRef, usize)> = culprits.values().collect();
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| a.0.display_name.cmp(&b.0.display_name))
    });
    let reasons: Vec<String> = ranked
        .iter()
        .map(|(policy, stopped)| {
            let found = set.policies.iter().find(|candidate| {
                candidate.id == policy.id
                    || (candidate.id.is_none() && candidate.display_name == policy.display_name)
            });
            let what = found.map_or_else(String::new, |candidate| {
                let state = if candidate.is_report_only() && enforce_report_only {
                    "report-only, judged as if enabled"
                } else {
                    super::break_glass::state_label(candidate)
                };
                format!(
                    " ({state}; it {})",
                    describe(candidate, &set.named_locations)
                )
            });
            format!("{policy} stops {stopped} of them{what}")
        })
        .collect();
    let why = if reasons.is_empty() {
        "no single policy is to blame".to_owned()
    } else {
        reasons.join("; ")
    };
    format!(
        "none of the {probes} probed sign-ins ({positions} network position{} × {} platforms × {} client types × the device states the facts allow, no risk{}) gets through: {why}",
        if positions == 1 { "" } else { "s" },
        PROBE_PLATFORMS.len(),
        PROBE_CLIENTS.len(),
        if accounts == 1 {
            String::new()
        } else {
            format!(", for each of the {accounts} accounts")
        },
    )
}
