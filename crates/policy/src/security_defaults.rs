//! Security defaults and legacy per-user MFA (entra.md §6.1–§6.3): the simple policy
//! sources that predate Conditional Access, evaluated beside it.
//!
//! # Security defaults (when `securityDefaults.isEnabled`)
//!
//! For user sign-ins (service principals are not affected; holders of the Directory
//! Synchronization Accounts role — the Entra Connect sync account — are excluded; guests
//! are treated like members):
//!
//! 1. **Legacy authentication is blocked**: client app type `exchangeActiveSync` or
//!    `other` (an unidentified client counts as `other`).
//! 2. **Registration within 14 days**: a user without an MFA method may skip
//!    registration until 14 days after their first interactive sign-in since enablement
//!    (`facts.securityDefaultsFirstInteractiveSignInAt`, absent = this sign-in); the
//!    decision carries the deadline. After it — or at once when
//!    `registrationGraceEnabled` is false — they must register (`mfaRegistration`).
//! 3. **Administrators do MFA at every sign-in**: any of the 17 roles in
//!    [`ADMINISTRATOR_ROLE_TEMPLATE_IDS`].
//! 4. **MFA "when necessary"**: Microsoft's heuristic is not published, so Portcullis
//!    reads it deterministically as: sign-in risk `medium` or `high`, or
//!    `facts.unfamiliarSignInProperties`.
//! 5. **Privileged activities**: any user accessing an app in
//!    `securityDefaults.azureManagementAppIds` does MFA.
//!
//! A rule asking for MFA from a user who has not registered asks for registration and
//! then MFA. Security defaults cannot be on while Conditional Access policies are enabled
//! ([`check_security_defaults_exclusive`]); if a configuration has both anyway, both are
//! evaluated and their requirements combined (the restrictive reading).
//!
//! # Per-user MFA
//!
//! A user whose state is `enabled` or `enforced` does MFA at every sign-in, except from
//! the legacy MFA trusted IPs (only those: named locations are a Conditional Access
//! notion). For legacy clients (`exchangeActiveSync`, `other`) an `enabled` user is not
//! asked (legacy authentication keeps working until registration, §6.2); an `enforced`
//! user needs MFA, which a legacy protocol can only provide out of band (RADIUS push) —
//! otherwise the protocol must refuse. An `enabled` user without a method registers first.

use thiserror::Error;
use time::{Duration, OffsetDateTime};

use crate::evaluate::PerUserMfaState;
use crate::evaluate::compile::CompiledPolicySet;
use crate::evaluate::compiled::{client_app, risk};
use crate::evaluate::context::SignInIdentity;
use crate::evaluate::decision::{BaselineRequirement, BaselineRule};
use crate::evaluate::grant::GrantFacts;
use crate::evaluate::prepared::PreparedSignIn;
use crate::evaluate::required::{RequiredControl, Requirement};
use crate::model::ConditionalAccessPolicy;

/// The 17 administrator roles security defaults require MFA from at every sign-in
/// (entra.md §6.1, role template IDs from §9; Identity Governance Administrator's ID is
/// the Graph built-in role list's).
pub const ADMINISTRATOR_ROLE_TEMPLATE_IDS: [&str; 17] = [
    "62e90394-69f5-4237-9190-012177145e10", // Global Administrator
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", // Application Administrator
    "c4e39bd9-1100-46d3-8c65-fb160da0071f", // Authentication Administrator
    "b0f54661-2d74-4c50-afa3-1ec803f12efe", // Billing Administrator
    "158c047a-c907-4556-b7ef-446551a6b5f7", // Cloud Application Administrator
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", // Conditional Access Administrator
    "29232cdf-9323-42fd-ade2-1d097af3e4de", // Exchange Administrator
    "729827e3-9c14-49f7-bb1b-9608f156bbb8", // Helpdesk Administrator
    "966707d0-3269-4727-9be2-8c3a10f19b9d", // Password Administrator
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", // Privileged Authentication Administrator
    "e8611ab8-c189-46e8-94e1-60213ab1f814", // Privileged Role Administrator
    "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", // SharePoint Administrator
    "69091246-20e8-4a56-aa4d-066075b2a7a8", // Teams Administrator
    "fe930be7-5e62-47db-91af-98c3a49a38b1", // User Administrator
    "0526716b-113d-4c15-b2c8-68e3c22b9f80", // Authentication Policy Administrator
    "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e", // Identity Governance Administrator
];

/// The Directory Synchronization Accounts role (the Entra Connect sync account).
pub const DIRECTORY_SYNCHRONIZATION_ACCOUNTS_ROLE_TEMPLATE_ID: &str =
    "d29b2b05-8046-44ba-8758-1e26182fcf32";

/// How long a user may skip MFA registration under security defaults.
pub const REGISTRATION_GRACE: Duration = Duration::days(14);

/// Security defaults and enabled Conditional Access policies are mutually exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "security defaults cannot be enabled while Conditional Access policies are enabled ({}); disable them or keep security defaults off",
    enabled_policies.join(", ")
)]
pub struct SecurityDefaultsConflict {
    /// Display names of the enabled policies.
    pub enabled_policies: Vec<String>,
}

/// Refuses a configuration with security defaults on and any policy `enabled` (report-only
/// and disabled policies may coexist). The admin API calls this before saving either.
pub fn check_security_defaults_exclusive(
    security_defaults_enabled: bool,
    policies: &[ConditionalAccessPolicy],
) -> Result<(), SecurityDefaultsConflict> {
    if !security_defaults_enabled {
        return Ok(());
    }
    let enabled_policies: Vec<String> = policies
        .iter()
        .filter(|policy| policy.is_enabled())
        .map(|policy| policy.display_name.clone())
        .collect();
    if enabled_policies.is_empty() {
        Ok(())
    } else {
        Err(SecurityDefaultsConflict { enabled_policies })
    }
}

/// What the baselines require of one sign-in.
pub(crate) struct Baseline {
    pub(crate) requirements: Vec<BaselineRequirement>,
    pub(crate) requirement: Requirement,
    pub(crate) block: Option<BaselineRule>,
    pub(crate) registration_due_by: Option<OffsetDateTime>,
}

pub(crate) fn baseline(
    set: &CompiledPolicySet,
    sign_in: &PreparedSignIn<'_>,
    facts_so_far: &GrantFacts<'_>,
) -> Baseline {
    let mut baseline = Baseline {
        requirements: Vec::new(),
        requirement: Requirement::satisfied(),
        block: None,
        registration_due_by: None,
    };
    let SignInIdentity::User(user) = &sign_in.context.identity else {
        return baseline;
    };
    let facts = &sign_in.context.facts;
    let mfa_done = || facts_so_far.mfa_done();
    let legacy_client = sign_in
        .client_app
        .is_none_or(|bit| bit & (client_app::EXCHANGE_ACTIVE_SYNC | client_app::OTHER) != 0);
    // MFA from a user without a method means registering first.
    let mfa_alternative = |registered: bool| {
        if registered {
            vec![RequiredControl::Mfa]
        } else {
            vec![RequiredControl::MfaRegistration, RequiredControl::Mfa]
        }
    };

    if set.security_defaults.is_enabled {
        let has_role = |id: &str| {
            user.role_template_ids
                .iter()
                .any(|role| role.trim().eq_ignore_ascii_case(id))
        };
        if !has_role(DIRECTORY_SYNCHRONIZATION_ACCOUNTS_ROLE_TEMPLATE_ID) {
            if legacy_client {
                baseline.block = Some(BaselineRule::SecurityDefaultsLegacyAuthenticationBlocked);
                baseline.requirements.push(BaselineRequirement {
                    rule: BaselineRule::SecurityDefaultsLegacyAuthenticationBlocked,
                    control: None,
                    satisfied: false,
                });
                return baseline;
            }
            let mut mfa_rules = Vec::new();
            if ADMINISTRATOR_ROLE_TEMPLATE_IDS
                .iter()
                .any(|id| has_role(id))
            {
                mfa_rules.push(BaselineRule::SecurityDefaultsAdministratorMfa);
            }
            let risky = sign_in
                .sign_in_risk
                .is_some_and(|bit| bit & (risk::MEDIUM | risk::HIGH) != 0);
            if risky || facts.unfamiliar_sign_in_properties {
                mfa_rules.push(BaselineRule::SecurityDefaultsRiskBasedMfa);
            }
            if let Some(app) = sign_in.context.target_app_id()
                && set
                    .security_defaults
                    .azure_management_app_ids
                    .iter()
                    .any(|id| id.trim().eq_ignore_ascii_case(app.trim()))
            {
                mfa_rules.push(BaselineRule::SecurityDefaultsAzureManagementMfa);
            }
            for rule in mfa_rules {
                baseline.requirements.push(BaselineRequirement {
                    rule,
                    control: Some(RequiredControl::Mfa),
                    satisfied: mfa_done(),
                });
                if !mfa_done() {
                    baseline.require(mfa_alternative(facts.mfa_registered));
                }
            }
            if !facts.mfa_registered {
                let started = facts
                    .security_defaults_first_interactive_sign_in_at
                    .unwrap_or(sign_in.now);
                // A start so late that the deadline overflows the calendar is nonsense
                // input; it gets no grace (the restrictive reading).
                let due_by = started
                    .checked_add(REGISTRATION_GRACE)
                    .filter(|due_by| sign_in.now <= *due_by);
                if let Some(due_by) =
                    due_by.filter(|_| set.security_defaults.registration_grace_enabled)
                {
                    baseline.registration_due_by = Some(due_by);
                } else {
                    baseline.requirements.push(BaselineRequirement {
                        rule: BaselineRule::SecurityDefaultsRegistration,
                        control: Some(RequiredControl::MfaRegistration),
                        satisfied: false,
                    });
                    baseline.require(vec![RequiredControl::MfaRegistration]);
                }
            }
        }
    }

    let state = set
        .per_user_mfa
        .get(&user.id.trim().to_ascii_lowercase())
        .copied()
        .unwrap_or_default();
    let from_trusted_ip = sign_in.context.ip_address.is_some_and(|ip| {
        set.mfa_trusted_ips
            .iter()
            .any(|network| network.contains(&ip))
    });
    let asks = match state {
        PerUserMfaState::Disabled => false,
        PerUserMfaState::Enabled => !legacy_client,
        PerUserMfaState::Enforced => true,
    };
    if asks && !from_trusted_ip {
        let registered = facts.mfa_registered || state == PerUserMfaState::Enforced;
        baseline.requirements.push(BaselineRequirement {
            rule: BaselineRule::PerUserMfa,
            control: Some(RequiredControl::Mfa),
            satisfied: mfa_done(),
        });
        if !mfa_done() {
            baseline.require(mfa_alternative(registered));
        }
    }
    baseline
}

impl Baseline {
    fn require(&mut self, controls: Vec<RequiredControl>) {
        self.requirement = self.requirement.and(&Requirement {
            alternatives: vec![controls],
        });
    }
}
