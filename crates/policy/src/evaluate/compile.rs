//! Builds a [`CompiledPolicySet`] from a [`PolicySet`].

use std::collections::{HashMap, HashSet};

use ipnet::IpNet;

use super::compiled::{
    ApplicationScope, CompiledDeviceFilter, CompiledGrant, CompiledLocation, CompiledPolicy,
    CompiledSession, CompiledSignInFrequency, CompiledStrength, GrantControl, GuestSelector,
    LocationKind, LocationScope, Mode, PlatformScope, Posting, TenantSelector, UserLists,
    UserScope, WorkloadScope, client_app, flow, guest, insider, platform, risk, user_action,
    user_slot,
};
use super::ip_index::IpIndex;
use super::policy_set::{PerUserMfaState, PolicySet, SecurityDefaultsSettings};
use super::shared::{SharedList, SharedText};
use super::symbols::SymbolTable;
use crate::device_filter::{self, DeviceFilterRule};
use crate::model::{
    self, BuiltInControl, ClientAppType, ConditionalAccessPolicy, DevicePlatform,
    ExternalTenantsMembershipKind, FilterMode, GuestOrExternalUserType, GuestsOrExternalUsers,
    InsiderRiskLevel, NamedLocationKind, PolicyState, RiskLevel, SignInFrequencyAuthenticationType,
    TransferMethod, UserAction, special,
};
use crate::strength;

/// A policy set prepared for fast decisions. Build it once per configuration version with
/// [`CompiledPolicySet::compile`] and share it (it is immutable and `Sync`).
#[derive(Debug, Clone)]
pub struct CompiledPolicySet {
    pub(crate) policies: Vec<CompiledPolicy>,
    pub(crate) symbols: SymbolTable,
    /// Symbol → the policies whose user lists name it.
    pub(crate) postings: Vec<Vec<Posting>>,
    pub(crate) locations: Vec<CompiledLocation>,
    pub(crate) ip_index: IpIndex,
    /// Distinct device filter rules (policies share them by text).
    pub(crate) device_rules: Vec<DeviceFilterRule>,
    pub(crate) mfa_trusted_ips: Vec<IpNet>,
    pub(crate) office365: HashSet<String>,
    pub(crate) admin_portals: HashSet<String>,
    pub(crate) strengths: Vec<CompiledStrength>,
    /// Index of the built-in MFA strength in `strengths`.
    pub(crate) mfa_strength: usize,
    pub(crate) security_defaults: SecurityDefaultsSettings,
    pub(crate) per_user_mfa: HashMap<String, PerUserMfaState>,
    pub(crate) any_enabled_policy: bool,
    pub(crate) warnings: Vec<CompileWarning>,
}

/// Something in the policy set that the evaluator had to read restrictively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileWarning {
    /// The policy's display name (or a named location's ID).
    pub subject: String,
    /// What was wrong and how it is read.
    pub message: String,
}

impl CompiledPolicySet {
    /// Precompiles `set`: interns IDs, parses device filters, indexes named locations,
    /// resolves authentication strengths. Never fails: anything unreadable is read the most
    /// restrictive way and listed in [`warnings`](Self::warnings).
    pub fn compile(set: &PolicySet) -> CompiledPolicySet {
        let mut builder = Builder::default();
        builder.add_strengths(set);
        builder.add_locations(set);
        let policies = set
            .policies
            .iter()
            .enumerate()
            .map(|(index, policy)| builder.policy(index, policy))
            .collect::<Vec<_>>();
        let lower = |ids: &[String]| {
            ids.iter()
                .map(|id| id.trim().to_ascii_lowercase())
                .collect()
        };
        let any_enabled_policy = policies.iter().any(|policy| policy.mode == Mode::Enforced);
        let postings = postings(&policies, builder.symbols.len());
        CompiledPolicySet {
            policies,
            symbols: builder.symbols,
            postings,
            locations: builder.locations,
            ip_index: builder.ip_index,
            device_rules: builder.device_rules,
            mfa_trusted_ips: set.mfa_trusted_ips.clone(),
            office365: lower(&set.application_groups.office365),
            admin_portals: lower(&set.application_groups.microsoft_admin_portals),
            strengths: builder.strengths,
            mfa_strength: builder.mfa_strength,
            security_defaults: set.security_defaults.clone(),
            per_user_mfa: set
                .per_user_mfa
                .iter()
                .map(|(id, state)| (id.trim().to_ascii_lowercase(), *state))
                .collect(),
            any_enabled_policy,
            warnings: builder.warnings,
        }
    }

    /// What had to be read restrictively while compiling.
    pub fn warnings(&self) -> &[CompileWarning] {
        &self.warnings
    }

    /// Whether any policy is `enabled` (security defaults must then be off).
    pub fn has_enabled_policies(&self) -> bool {
        self.any_enabled_policy
    }

    /// Number of policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// Whether the set has no policy.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }
}

#[derive(Default)]
struct Builder {
    symbols: SymbolTable,
    locations: Vec<CompiledLocation>,
    location_index: HashMap<String, usize>,
    ip_index: IpIndex,
    device_rules: Vec<DeviceFilterRule>,
    device_rule_index: HashMap<String, Result<usize, String>>,
    strengths: Vec<CompiledStrength>,
    strength_index: HashMap<String, usize>,
    mfa_strength: usize,
    warnings: Vec<CompileWarning>,
}

impl Builder {
    fn warn(&mut self, subject: &str, message: String) {
        self.warnings.push(CompileWarning {
            subject: subject.to_owned(),
            message,
        });
    }

    fn push_strength(&mut self, strength: strength::AuthenticationStrength) -> usize {
        let index = self.strengths.len();
        self.strength_index
            .insert(strength.id.trim().to_ascii_lowercase(), index);
        self.strengths.push(CompiledStrength {
            id: SharedText::new(&strength.id),
            display_name: SharedText::new(&strength.display_name),
            implies_mfa: implies_mfa(&strength),
            strength,
        });
        index
    }

    fn add_strengths(&mut self, set: &PolicySet) {
        for built_in in strength::built_in_strengths() {
            let is_mfa = built_in.id == strength::MULTIFACTOR_AUTHENTICATION_ID;
            let index = self.push_strength(built_in);
            if is_mfa {
                self.mfa_strength = index;
            }
        }
        for custom in &set.authentication_strengths {
            let Some(id) = custom.id.as_deref() else {
                continue;
            };
            // Built-ins cannot be modified (entra.md §4): a custom entry with a built-in ID
            // does not replace it.
            if strength::built_in_strength(id).is_some() {
                continue;
            }
            self.push_strength(strength::AuthenticationStrength::from(custom));
        }
    }

    /// Resolves a policy's strength: by ID among the known ones, else the embedded object
    /// when it carries combinations, else unresolvable.
    fn resolve_strength(
        &mut self,
        policy_name: &str,
        reference: &model::AuthenticationStrengthPolicy,
    ) -> Option<usize> {
        if let Some(id) = reference.id.as_deref()
            && let Some(index) = self.strength_index.get(&id.trim().to_ascii_lowercase())
        {
            return Some(*index);
        }
        if !reference.is_reference_only() {
            return Some(self.push_strength(strength::AuthenticationStrength::from(reference)));
        }
        self.warn(
            policy_name,
            format!(
                "authentication strength {:?} is not known; the grant can never be satisfied",
                reference.id.as_deref().unwrap_or("")
            ),
        );
        None
    }

    fn add_locations(&mut self, set: &PolicySet) {
        for location in &set.named_locations {
            let Some(id) = location.id.as_deref() else {
                continue;
            };
            let kind = match &location.kind {
                NamedLocationKind::Ip(ip) => {
                    for range in &ip.ip_ranges {
                        match range.network() {
                            Some(network) => self.ip_index.insert(network, self.locations.len()),
                            None => self.warn(
                                id,
                                format!("ignoring invalid CIDR {:?}", range.cidr_address),
                            ),
                        }
                    }
                    LocationKind::Ip
                }
                NamedLocationKind::Country(country) => LocationKind::Country {
                    countries: country
                        .countries_and_regions
                        .iter()
                        .map(|code| code.trim().to_ascii_uppercase())
                        .collect(),
                    include_unknown: country.include_unknown_countries_and_regions,
                    by_gps: country.lookup_method() != model::CountryLookupMethod::ClientIpAddress,
                },
                NamedLocationKind::Other { .. } => LocationKind::Unmatchable,
            };
            let key = id.trim().to_ascii_lowercase();
            self.location_index.insert(key, self.locations.len());
            self.locations.push(CompiledLocation {
                trusted: location.is_trusted(),
                kind,
            });
        }
    }

    fn policy(&mut self, index: usize, policy: &ConditionalAccessPolicy) -> CompiledPolicy {
        let name = if policy.display_name.is_empty() {
            format!("policy #{index}")
        } else {
            policy.display_name.clone()
        };
        let mode = match policy.state {
            Some(PolicyState::Enabled) => Mode::Enforced,
            Some(PolicyState::EnabledForReportingButNotEnforced) => Mode::ReportOnly,
            _ => Mode::Disabled,
        };
        let default_conditions = model::ConditionSet::default();
        let conditions = policy.conditions.as_ref().unwrap_or(&default_conditions);
        let grant = self.grant(&name, policy);
        let (users, user_lists) = self.users(conditions.users.as_ref());
        CompiledPolicy {
            id: SharedText::new(policy.id.as_deref().unwrap_or("")),
            display_name: SharedText::new(&policy.display_name),
            mode,
            users,
            user_lists: Box::new(user_lists),
            workload: self.workload(conditions.client_applications.as_ref()),
            applications: self.applications(conditions.applications.as_ref()),
            client_app_types: client_app_mask(conditions),
            platforms: conditions.platforms.as_ref().and_then(platform_scope),
            locations: conditions
                .locations
                .as_ref()
                .filter(|locations| locations.is_configured())
                .map(|locations| self.location_scope(&name, locations)),
            sign_in_risk: risk_mask(&conditions.sign_in_risk_levels),
            user_risk: risk_mask(&conditions.user_risk_levels),
            service_principal_risk: risk_mask(&conditions.service_principal_risk_levels),
            insider_risk: insider_mask(conditions),
            device_filter: conditions
                .device_filter()
                .map(|filter| CompiledDeviceFilter {
                    exclude_mode: filter.mode == Some(FilterMode::Exclude),
                    rule: self.device_rule(&name, &filter.rule),
                }),
            authentication_flows: conditions.transfer_methods().map(|methods| {
                methods.iter().fold(0, |mask, method| {
                    mask | match method {
                        TransferMethod::DeviceCodeFlow => flow::DEVICE_CODE,
                        TransferMethod::AuthenticationTransfer => flow::AUTHENTICATION_TRANSFER,
                        _ => 0,
                    }
                })
            }),
            requires_strength: grant
                .controls
                .iter()
                .any(|control| matches!(control, GrantControl::Strength(_))),
            grant: Box::new(grant),
            session: Box::new(session(policy)),
        }
    }

    /// The shared parsed rule for `text`, parsing it the first time.
    fn device_rule(&mut self, policy_name: &str, text: &str) -> Result<usize, String> {
        if let Some(known) = self.device_rule_index.get(text) {
            return known.clone();
        }
        let compiled = match device_filter::parse(text) {
            Ok(rule) => {
                self.device_rules.push(rule);
                Ok(self.device_rules.len() - 1)
            }
            Err(error) => {
                let message = error.to_string();
                self.warn(
                    policy_name,
                    format!("device filter does not parse ({message}); the condition is read as matching"),
                );
                Err(message)
            }
        };
        self.device_rule_index
            .insert(text.to_owned(), compiled.clone());
        compiled
    }

    fn users(&mut self, users: Option<&model::Users>) -> (UserScope, UserLists) {
        let Some(users) = users else {
            return (UserScope::default(), UserLists::default());
        };
        let is_special = |id: &String| {
            id == special::ALL || id == special::NONE || id == special::GUESTS_OR_EXTERNAL_USERS
        };
        let selector = |selection: &Option<GuestsOrExternalUsers>| {
            selection.as_ref().and_then(guest_selector).map(Box::new)
        };
        let scope = UserScope {
            targets_users: users.has_includes(),
            include_all: users.includes_all_users(),
            include_any_guest: users
                .include_users
                .iter()
                .any(|id| id == special::GUESTS_OR_EXTERNAL_USERS),
            exclude_any_guest: users
                .exclude_users
                .iter()
                .any(|id| id == special::GUESTS_OR_EXTERNAL_USERS),
            include_guests: selector(&users.include_guests_or_external_users),
            exclude_guests: selector(&users.exclude_guests_or_external_users),
        };
        let lists = UserLists {
            include_users: self
                .symbols
                .intern_all(users.include_users.iter().filter(|id| !is_special(id))),
            include_groups: self.symbols.intern_all(&users.include_groups),
            include_roles: self.symbols.intern_all(&users.include_roles),
            exclude_users: self
                .symbols
                .intern_all(users.exclude_users.iter().filter(|id| !is_special(id))),
            exclude_groups: self.symbols.intern_all(&users.exclude_groups),
            exclude_roles: self.symbols.intern_all(&users.exclude_roles),
        };
        (scope, lists)
    }

    fn workload(&mut self, clients: Option<&model::ClientApplications>) -> WorkloadScope {
        let Some(clients) = clients else {
            return WorkloadScope::default();
        };
        let filter_mode = clients
            .service_principal_filter
            .as_ref()
            .filter(|filter| filter.is_configured())
            .map(|filter| filter.mode.clone());
        let include_filter = matches!(filter_mode, Some(Some(FilterMode::Include)));
        // Agent identities (beta) are not service principals Portcullis signs in, so
        // agent-only includes target nothing here.
        WorkloadScope {
            targets_service_principals: !clients.include_service_principals.is_empty()
                || include_filter,
            include_all: include_filter
                || clients
                    .include_service_principals
                    .iter()
                    .any(|id| id == special::SERVICE_PRINCIPALS_IN_MY_TENANT),
            include: self.symbols.intern_all(
                clients
                    .include_service_principals
                    .iter()
                    .filter(|id| *id != special::SERVICE_PRINCIPALS_IN_MY_TENANT),
            ),
            exclude: self.symbols.intern_all(&clients.exclude_service_principals),
            has_filter: filter_mode.is_some(),
        }
    }

    fn applications(&mut self, applications: Option<&model::Applications>) -> ApplicationScope {
        let Some(apps) = applications else {
            return ApplicationScope::default();
        };
        let is_special = |id: &String| {
            [
                special::ALL,
                special::NONE,
                special::OFFICE_365,
                special::MICROSOFT_ADMIN_PORTALS,
            ]
            .contains(&id.as_str())
        };
        let has = |list: &[String], value: &str| list.iter().any(|id| id == value);
        let filter = apps
            .application_filter
            .as_ref()
            .filter(|filter| filter.is_configured());
        ApplicationScope {
            include_all: apps.includes_all(),
            include_apps: self.symbols.intern_all(
                apps.include_applications
                    .iter()
                    .filter(|id| !is_special(id)),
            ),
            include_office365: has(&apps.include_applications, special::OFFICE_365),
            include_admin_portals: has(
                &apps.include_applications,
                special::MICROSOFT_ADMIN_PORTALS,
            ),
            include_user_actions: apps.include_user_actions.iter().fold(0, |mask, action| {
                mask | match action {
                    UserAction::RegisterSecurityInfo => user_action::REGISTER_SECURITY_INFO,
                    UserAction::RegisterDevice => user_action::REGISTER_DEVICE,
                    UserAction::Other(_) => 0,
                }
            }),
            include_authentication_contexts: self
                .symbols
                .intern_all(&apps.include_authentication_context_class_references),
            exclude_apps: self.symbols.intern_all(
                apps.exclude_applications
                    .iter()
                    .filter(|id| !is_special(id)),
            ),
            exclude_office365: has(&apps.exclude_applications, special::OFFICE_365),
            exclude_admin_portals: has(
                &apps.exclude_applications,
                special::MICROSOFT_ADMIN_PORTALS,
            ),
            include_filter: filter.is_some_and(|filter| filter.mode != Some(FilterMode::Exclude)),
            exclude_filter: filter.is_some_and(|filter| filter.mode == Some(FilterMode::Exclude)),
        }
    }

    fn location_scope(&mut self, policy_name: &str, locations: &model::Locations) -> LocationScope {
        let resolve = |ids: &[String], builder: &mut Builder| -> Vec<usize> {
            ids.iter()
                .filter(|id| *id != special::ALL && *id != special::ALL_TRUSTED)
                .filter_map(|id| {
                    let found = builder
                        .location_index
                        .get(&id.trim().to_ascii_lowercase())
                        .copied();
                    if found.is_none() {
                        builder.warn(
                            policy_name,
                            format!("named location {id:?} is not known; it matches no sign-in"),
                        );
                    }
                    found
                })
                .collect()
        };
        let include = resolve(&locations.include_locations, self);
        let exclude = resolve(&locations.exclude_locations, self);
        let has = |list: &[String], value: &str| list.iter().any(|id| id == value);
        LocationScope {
            include_all: has(&locations.include_locations, special::ALL),
            include_trusted: has(&locations.include_locations, special::ALL_TRUSTED),
            include,
            exclude_trusted: has(&locations.exclude_locations, special::ALL_TRUSTED),
            exclude,
        }
    }

    fn grant(&mut self, policy_name: &str, policy: &ConditionalAccessPolicy) -> CompiledGrant {
        let Some(grant) = policy.configured_grant_controls() else {
            return CompiledGrant::default();
        };
        let mut controls = Vec::new();
        let mut names = Vec::new();
        let mut block = false;
        for control in &grant.built_in_controls {
            names.push(control.as_str().to_owned());
            controls.push(match control {
                BuiltInControl::Block => {
                    block = true;
                    continue;
                }
                BuiltInControl::Mfa => GrantControl::Mfa,
                BuiltInControl::CompliantDevice => GrantControl::CompliantDevice,
                BuiltInControl::DomainJoinedDevice => GrantControl::DomainJoinedDevice,
                BuiltInControl::ApprovedApplication => GrantControl::ApprovedApplication,
                BuiltInControl::CompliantApplication => GrantControl::CompliantApplication,
                BuiltInControl::PasswordChange => GrantControl::PasswordChange,
                BuiltInControl::RiskRemediation => GrantControl::RiskRemediation,
                other => GrantControl::Unknown(SharedText::new(other.as_str())),
            });
        }
        let mut strength = None;
        if let Some(reference) = &grant.authentication_strength {
            strength = self.resolve_strength(policy_name, reference);
            names.push("authenticationStrength".to_owned());
            controls.push(GrantControl::Strength(strength));
        }
        for terms in &grant.terms_of_use {
            names.push(terms.clone());
            controls.push(GrantControl::TermsOfUse(SharedText::new(terms)));
        }
        for factor in &grant.custom_authentication_factors {
            names.push(factor.clone());
            controls.push(GrantControl::CustomFactor(SharedText::new(factor)));
        }
        CompiledGrant {
            block,
            // Graph's operator is required when several controls are set; a missing or
            // unknown operator is read as AND, the restrictive choice.
            require_all: grant.operator != Some(model::GrantOperator::Or),
            controls,
            names: SharedList::new(names),
            strength,
        }
    }
}

/// The inverted index from user, group and role symbols to the policies naming them.
fn postings(policies: &[CompiledPolicy], symbol_count: usize) -> Vec<Vec<Posting>> {
    let mut postings: Vec<Vec<Posting>> = vec![Vec::new(); symbol_count];
    for (index, policy) in policies.iter().enumerate() {
        let Ok(policy_index) = u32::try_from(index) else {
            break;
        };
        let users = &policy.user_lists;
        let lists = [
            (&users.include_users, user_slot::INCLUDE_USER),
            (&users.exclude_users, user_slot::EXCLUDE_USER),
            (&users.include_groups, user_slot::INCLUDE_GROUP),
            (&users.exclude_groups, user_slot::EXCLUDE_GROUP),
            (&users.include_roles, user_slot::INCLUDE_ROLE),
            (&users.exclude_roles, user_slot::EXCLUDE_ROLE),
        ];
        for (symbols, slot) in lists {
            for symbol in symbols {
                if let Some(list) = postings.get_mut(*symbol as usize) {
                    list.push(Posting {
                        policy: policy_index,
                        slots: slot,
                    });
                }
            }
        }
    }
    postings
}

fn guest_selector(selection: &GuestsOrExternalUsers) -> Option<GuestSelector> {
    if !selection.is_configured() {
        return None;
    }
    let types = selection
        .guest_or_external_user_types
        .iter()
        .fold(0, |mask, kind| mask | guest_bit(kind));
    let tenants = match &selection.external_tenants {
        None => TenantSelector::Any,
        Some(tenants) => match tenants.membership_kind {
            Some(ExternalTenantsMembershipKind::All) => TenantSelector::All,
            Some(ExternalTenantsMembershipKind::Enumerated) => TenantSelector::Listed(
                tenants
                    .members
                    .iter()
                    .map(|member| member.trim().to_ascii_lowercase())
                    .collect(),
            ),
            _ => TenantSelector::Nothing,
        },
    };
    Some(GuestSelector { types, tenants })
}

/// The bit of a guest or external user type (0 for `none` and unknown values).
pub(crate) fn guest_bit(kind: &GuestOrExternalUserType) -> u8 {
    match kind {
        GuestOrExternalUserType::InternalGuest => guest::INTERNAL_GUEST,
        GuestOrExternalUserType::B2bCollaborationGuest => guest::B2B_COLLABORATION_GUEST,
        GuestOrExternalUserType::B2bCollaborationMember => guest::B2B_COLLABORATION_MEMBER,
        GuestOrExternalUserType::B2bDirectConnectUser => guest::B2B_DIRECT_CONNECT_USER,
        GuestOrExternalUserType::OtherExternalUser => guest::OTHER_EXTERNAL_USER,
        GuestOrExternalUserType::ServiceProvider => guest::SERVICE_PROVIDER,
        _ => 0,
    }
}

/// The bit of a client app type: `easSupported` and the deprecated `easUnsupported` are
/// both Exchange ActiveSync (entra.md §1.2).
pub(crate) fn client_app_bit(kind: &ClientAppType) -> u8 {
    match kind {
        ClientAppType::Browser => client_app::BROWSER,
        ClientAppType::MobileAppsAndDesktopClients => client_app::MOBILE_AND_DESKTOP,
        ClientAppType::ExchangeActiveSync
        | ClientAppType::EasSupported
        | ClientAppType::EasUnsupported => client_app::EXCHANGE_ACTIVE_SYNC,
        ClientAppType::OtherClients => client_app::OTHER,
        _ => 0,
    }
}

fn client_app_mask(conditions: &model::ConditionSet) -> Option<u8> {
    if !conditions.client_app_types_configured() {
        return None;
    }
    Some(
        conditions
            .client_app_types
            .iter()
            .fold(0, |mask, kind| mask | client_app_bit(kind)),
    )
}

/// The bit of a platform (0 for `all` and unknown values).
pub(crate) fn platform_bit(kind: &DevicePlatform) -> u8 {
    match kind {
        DevicePlatform::Android => platform::ANDROID,
        DevicePlatform::IOs => platform::IOS,
        DevicePlatform::Windows => platform::WINDOWS,
        DevicePlatform::WindowsPhone => platform::WINDOWS_PHONE,
        DevicePlatform::MacOs => platform::MACOS,
        DevicePlatform::Linux => platform::LINUX,
        _ => 0,
    }
}

fn platform_scope(platforms: &model::Platforms) -> Option<PlatformScope> {
    if !platforms.is_configured() {
        return None;
    }
    let fold = |list: &[DevicePlatform]| list.iter().fold(0, |mask, p| mask | platform_bit(p));
    Some(PlatformScope {
        include_all: platforms.include_platforms.contains(&DevicePlatform::All),
        include: fold(&platforms.include_platforms),
        exclude_all: platforms.exclude_platforms.contains(&DevicePlatform::All),
        exclude: fold(&platforms.exclude_platforms),
    })
}

/// The bit of a risk level (0 for unknown values).
pub(crate) fn risk_bit(level: &RiskLevel) -> u8 {
    match level {
        RiskLevel::Low => risk::LOW,
        RiskLevel::Medium => risk::MEDIUM,
        RiskLevel::High => risk::HIGH,
        RiskLevel::Hidden => risk::HIDDEN,
        RiskLevel::None => risk::NONE,
        _ => 0,
    }
}

fn risk_mask(levels: &[RiskLevel]) -> Option<u8> {
    if levels.is_empty() {
        return None;
    }
    Some(levels.iter().fold(0, |mask, level| mask | risk_bit(level)))
}

/// The bit of an insider risk level (0 for unknown values).
pub(crate) fn insider_bit(level: &InsiderRiskLevel) -> u8 {
    match level {
        InsiderRiskLevel::Minor => insider::MINOR,
        InsiderRiskLevel::Moderate => insider::MODERATE,
        InsiderRiskLevel::Elevated => insider::ELEVATED,
        _ => 0,
    }
}

fn insider_mask(conditions: &model::ConditionSet) -> Option<u8> {
    if conditions.insider_risk_levels.is_empty() {
        return None;
    }
    Some(
        conditions
            .insider_risk_levels
            .iter()
            .fold(0, |mask, level| mask | insider_bit(level)),
    )
}

fn session(policy: &ConditionalAccessPolicy) -> CompiledSession {
    let Some(controls) = policy.configured_session_controls() else {
        return CompiledSession::default();
    };
    let mut names = Vec::new();
    let sign_in_frequency = controls.enabled_sign_in_frequency().map(|control| {
        names.push("SignInFrequency".to_owned());
        // A time-based control without a usable period, or an unknown interval, is read
        // as "every time": the restrictive choice.
        let period_seconds = if control.is_every_time() {
            None
        } else {
            control.period_seconds()
        };
        CompiledSignInFrequency {
            period_seconds,
            secondary_only: control.authentication_type
                == Some(SignInFrequencyAuthenticationType::SecondaryAuthentication),
        }
    });
    let persistent_browser = controls
        .enabled_persistent_browser()
        .and_then(|control| control.mode.clone());
    if persistent_browser.is_some() {
        names.push("PersistentBrowserSessionMode".to_owned());
    }
    let application_enforced_restrictions = controls
        .application_enforced_restrictions
        .as_ref()
        .is_some_and(|control| control.is_enabled);
    if application_enforced_restrictions {
        names.push("AppEnforcedRestrictions".to_owned());
    }
    let cloud_app_security = controls
        .cloud_app_security
        .as_ref()
        .filter(|control| control.is_enabled)
        .map(|control| {
            control
                .cloud_app_security_type
                .clone()
                .unwrap_or(model::CloudAppSecurityType::McasConfigured)
        });
    if cloud_app_security.is_some() {
        names.push("CloudAppSecurity".to_owned());
    }
    let continuous_access_evaluation = controls
        .continuous_access_evaluation
        .as_ref()
        .and_then(|control| control.mode.clone());
    if continuous_access_evaluation.is_some() {
        names.push("ContinuousAccessEvaluation".to_owned());
    }
    let disable_resilience_defaults = controls.disable_resilience_defaults == Some(true);
    if disable_resilience_defaults {
        names.push("DisableResilienceDefaults".to_owned());
    }
    let secure_sign_in_session = controls
        .secure_sign_in_session
        .as_ref()
        .is_some_and(|control| control.is_enabled);
    if secure_sign_in_session {
        names.push("SecureSignInSession".to_owned());
    }
    CompiledSession {
        sign_in_frequency,
        persistent_browser,
        application_enforced_restrictions,
        cloud_app_security,
        continuous_access_evaluation,
        disable_resilience_defaults,
        secure_sign_in_session,
        names: SharedList::new(names),
    }
}

/// Whether every allowed combination of `candidate` also satisfies the built-in
/// "Multifactor authentication" strength, so that satisfying `candidate` satisfies `mfa`.
fn implies_mfa(candidate: &strength::AuthenticationStrength) -> bool {
    let mfa = strength::multifactor_authentication();
    !candidate.allowed_combinations.is_empty()
        && candidate.allowed_combinations.iter().all(|combination| {
            let used: Vec<strength::MethodCredential> = combination
                .methods()
                .cloned()
                .map(strength::MethodCredential::new)
                .collect();
            mfa.is_satisfied_by(&used)
        })
}
