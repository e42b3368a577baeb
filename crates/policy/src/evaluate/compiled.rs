//! The precompiled form of a policy set: IDs interned, enums reduced to bit masks,
//! device filters parsed, strengths resolved. Built once by
//! [`CompiledPolicySet::compile`](super::CompiledPolicySet::compile), read by every decision.

use super::shared::{SharedList, SharedText};
use super::symbols::Symbol;
use crate::model::{CloudAppSecurityType, ContinuousAccessEvaluationMode, PersistentBrowserMode};
use crate::strength::AuthenticationStrength;

/// How a policy takes part in decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `enabled`.
    Enforced,
    /// `enabledForReportingButNotEnforced`.
    ReportOnly,
    /// `disabled`, or a state this build does not know (never evaluated).
    Disabled,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledPolicy {
    pub(crate) id: SharedText,
    pub(crate) display_name: SharedText,
    pub(crate) mode: Mode,
    pub(crate) users: UserScope,
    /// The users, groups and roles the policy names (feeds the inverted index; not read
    /// per decision, so kept out of line).
    pub(crate) user_lists: Box<UserLists>,
    pub(crate) workload: WorkloadScope,
    pub(crate) applications: ApplicationScope,
    /// Bit mask of [`client_app`] bits; `None` = all client apps.
    pub(crate) client_app_types: Option<u8>,
    pub(crate) platforms: Option<PlatformScope>,
    pub(crate) locations: Option<LocationScope>,
    /// Bit masks of [`risk`] bits; `None` = not configured.
    pub(crate) sign_in_risk: Option<u8>,
    pub(crate) user_risk: Option<u8>,
    pub(crate) service_principal_risk: Option<u8>,
    /// Bit mask of [`insider`] bits.
    pub(crate) insider_risk: Option<u8>,
    pub(crate) device_filter: Option<CompiledDeviceFilter>,
    /// Bit mask of [`flow`] bits.
    pub(crate) authentication_flows: Option<u8>,
    /// Whether the grant requires an authentication strength (read for every policy,
    /// so kept in line; the grant itself is only read when the policy applies).
    pub(crate) requires_strength: bool,
    pub(crate) grant: Box<CompiledGrant>,
    pub(crate) session: Box<CompiledSession>,
}

/// Client app type bits.
pub(crate) mod client_app {
    pub(crate) const BROWSER: u8 = 1;
    pub(crate) const MOBILE_AND_DESKTOP: u8 = 2;
    pub(crate) const EXCHANGE_ACTIVE_SYNC: u8 = 4;
    pub(crate) const OTHER: u8 = 8;
}

/// Risk level bits (`riskLevel`).
pub(crate) mod risk {
    pub(crate) const LOW: u8 = 1;
    pub(crate) const MEDIUM: u8 = 2;
    pub(crate) const HIGH: u8 = 4;
    pub(crate) const HIDDEN: u8 = 8;
    pub(crate) const NONE: u8 = 16;
}

/// Insider risk bits.
pub(crate) mod insider {
    pub(crate) const MINOR: u8 = 1;
    pub(crate) const MODERATE: u8 = 2;
    pub(crate) const ELEVATED: u8 = 4;
}

/// Authentication flow bits.
pub(crate) mod flow {
    pub(crate) const DEVICE_CODE: u8 = 1;
    pub(crate) const AUTHENTICATION_TRANSFER: u8 = 2;
}

/// Device platform bits.
pub(crate) mod platform {
    pub(crate) const ANDROID: u8 = 1;
    pub(crate) const IOS: u8 = 2;
    pub(crate) const WINDOWS: u8 = 4;
    pub(crate) const WINDOWS_PHONE: u8 = 8;
    pub(crate) const MACOS: u8 = 16;
    pub(crate) const LINUX: u8 = 32;
}

/// Guest and external user type bits.
pub(crate) mod guest {
    pub(crate) const INTERNAL_GUEST: u8 = 1;
    pub(crate) const B2B_COLLABORATION_GUEST: u8 = 2;
    pub(crate) const B2B_COLLABORATION_MEMBER: u8 = 4;
    pub(crate) const B2B_DIRECT_CONNECT_USER: u8 = 8;
    pub(crate) const OTHER_EXTERNAL_USER: u8 = 16;
    pub(crate) const SERVICE_PROVIDER: u8 = 32;
}

/// Which user-assignment lists of a policy mention a symbol.
pub(crate) mod user_slot {
    pub(crate) const INCLUDE_USER: u8 = 1;
    pub(crate) const EXCLUDE_USER: u8 = 2;
    pub(crate) const INCLUDE_GROUP: u8 = 4;
    pub(crate) const EXCLUDE_GROUP: u8 = 8;
    pub(crate) const INCLUDE_ROLE: u8 = 16;
    pub(crate) const EXCLUDE_ROLE: u8 = 32;
    pub(crate) const USER: u8 = INCLUDE_USER | EXCLUDE_USER;
    pub(crate) const GROUP: u8 = INCLUDE_GROUP | EXCLUDE_GROUP;
    pub(crate) const ROLE: u8 = INCLUDE_ROLE | EXCLUDE_ROLE;
    pub(crate) const INCLUDES: u8 = INCLUDE_USER | INCLUDE_GROUP | INCLUDE_ROLE;
    pub(crate) const EXCLUDES: u8 = EXCLUDE_USER | EXCLUDE_GROUP | EXCLUDE_ROLE;
}

/// One entry of the inverted index from a directory ID to the policies naming it: the
/// policy and which of its user lists name the ID. A decision walks the postings of the
/// user's own IDs, so its cost follows how often the user is mentioned, not how long the
/// policies' group and role lists are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Posting {
    pub(crate) policy: u32,
    pub(crate) slots: u8,
}

/// User action bits.
pub(crate) mod user_action {
    pub(crate) const REGISTER_SECURITY_INFO: u8 = 1;
    pub(crate) const REGISTER_DEVICE: u8 = 2;
}

#[derive(Debug, Clone, Default)]
pub(crate) struct UserScope {
    /// Whether the policy targets users at all (has an include other than `None`).
    pub(crate) targets_users: bool,
    pub(crate) include_all: bool,
    /// `GuestsOrExternalUsers` in `includeUsers`: every guest or external user.
    pub(crate) include_any_guest: bool,
    pub(crate) exclude_any_guest: bool,
    pub(crate) include_guests: Option<Box<GuestSelector>>,
    pub(crate) exclude_guests: Option<Box<GuestSelector>>,
}

/// The ID lists of a users assignment, as symbols.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserLists {
    pub(crate) include_users: Vec<Symbol>,
    pub(crate) include_groups: Vec<Symbol>,
    pub(crate) include_roles: Vec<Symbol>,
    pub(crate) exclude_users: Vec<Symbol>,
    pub(crate) exclude_groups: Vec<Symbol>,
    pub(crate) exclude_roles: Vec<Symbol>,
}

#[derive(Debug, Clone)]
pub(crate) struct GuestSelector {
    /// Bit mask of [`guest`] bits.
    pub(crate) types: u8,
    pub(crate) tenants: TenantSelector,
}

#[derive(Debug, Clone)]
pub(crate) enum TenantSelector {
    /// No `externalTenants`: every tenant.
    Any,
    /// `membershipKind: all`.
    All,
    /// `membershipKind: enumerated` (lower-cased tenant IDs).
    Listed(Vec<String>),
    /// An unknown membership kind: no tenant (the restrictive reading of the model).
    Nothing,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct WorkloadScope {
    /// Whether the policy targets service principals at all.
    pub(crate) targets_service_principals: bool,
    /// `ServicePrincipalsInMyTenant`, or an include-mode filter (not evaluable, so every
    /// service principal is taken to match it).
    pub(crate) include_all: bool,
    pub(crate) include: Vec<Symbol>,
    pub(crate) exclude: Vec<Symbol>,
    /// An include- or exclude-mode `servicePrincipalFilter` is configured.
    pub(crate) has_filter: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ApplicationScope {
    pub(crate) include_all: bool,
    pub(crate) include_apps: Vec<Symbol>,
    pub(crate) include_office365: bool,
    pub(crate) include_admin_portals: bool,
    /// Bit mask of [`user_action`] bits.
    pub(crate) include_user_actions: u8,
    pub(crate) include_authentication_contexts: Vec<Symbol>,
    pub(crate) exclude_apps: Vec<Symbol>,
    pub(crate) exclude_office365: bool,
    pub(crate) exclude_admin_portals: bool,
    /// An include-mode `applicationFilter` (custom security attributes, not evaluable).
    pub(crate) include_filter: bool,
    /// An exclude-mode `applicationFilter`.
    pub(crate) exclude_filter: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct PlatformScope {
    pub(crate) include_all: bool,
    pub(crate) include: u8,
    pub(crate) exclude_all: bool,
    pub(crate) exclude: u8,
}

#[derive(Debug, Clone)]
pub(crate) struct LocationScope {
    pub(crate) include_all: bool,
    pub(crate) include_trusted: bool,
    /// Indexes into [`CompiledPolicySet::locations`](super::CompiledPolicySet).
    pub(crate) include: Vec<usize>,
    pub(crate) exclude_trusted: bool,
    pub(crate) exclude: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledLocation {
    pub(crate) trusted: bool,
    pub(crate) kind: LocationKind,
}

#[derive(Debug, Clone)]
pub(crate) enum LocationKind {
    /// Matched through `CompiledPolicySet::ip_index`.
    Ip,
    Country {
        /// Upper-cased ISO codes.
        countries: Vec<String>,
        include_unknown: bool,
        by_gps: bool,
    },
    /// A subtype without an evaluable signal (e.g. compliant network): never matches.
    Unmatchable,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledDeviceFilter {
    pub(crate) exclude_mode: bool,
    /// Index into `CompiledPolicySet::device_rules` (rules are shared by text); `Err`
    /// holds the parse error message of an invalid rule.
    pub(crate) rule: Result<usize, String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct CompiledGrant {
    pub(crate) block: bool,
    /// `AND` (all controls) rather than `OR` (any control).
    pub(crate) require_all: bool,
    /// The controls other than `block`.
    pub(crate) controls: Vec<GrantControl>,
    /// Graph names for `enforcedGrantControls`.
    pub(crate) names: SharedList,
    /// Index into `CompiledPolicySet::strengths`.
    pub(crate) strength: Option<usize>,
}

impl Default for SharedList {
    fn default() -> Self {
        SharedList::new(Vec::new())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GrantControl {
    Mfa,
    /// Index into `CompiledPolicySet::strengths`; `None` when the reference resolves to no
    /// known strength (never satisfiable).
    Strength(Option<usize>),
    CompliantDevice,
    DomainJoinedDevice,
    ApprovedApplication,
    CompliantApplication,
    PasswordChange,
    RiskRemediation,
    TermsOfUse(SharedText),
    CustomFactor(SharedText),
    /// A control this build does not know: never satisfiable.
    Unknown(SharedText),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct CompiledSession {
    pub(crate) sign_in_frequency: Option<CompiledSignInFrequency>,
    pub(crate) persistent_browser: Option<PersistentBrowserMode>,
    pub(crate) application_enforced_restrictions: bool,
    pub(crate) cloud_app_security: Option<CloudAppSecurityType>,
    pub(crate) continuous_access_evaluation: Option<ContinuousAccessEvaluationMode>,
    pub(crate) disable_resilience_defaults: bool,
    pub(crate) secure_sign_in_session: bool,
    /// Graph names for `enforcedSessionControls`.
    pub(crate) names: SharedList,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CompiledSignInFrequency {
    /// `None` = every time.
    pub(crate) period_seconds: Option<i64>,
    /// `secondaryAuthentication`: only MFA must be repeated.
    pub(crate) secondary_only: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledStrength {
    pub(crate) id: SharedText,
    pub(crate) display_name: SharedText,
    pub(crate) strength: AuthenticationStrength,
    /// Satisfying this strength also satisfies `mfa`.
    pub(crate) implies_mfa: bool,
}
