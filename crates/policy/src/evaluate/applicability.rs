//! Whether one policy applies to a sign-in (entra.md §2.1–§2.2): every configured
//! assignment and condition must match (AND); inside each, includes are ORed and any
//! exclusion wins; unconfigured conditions are not evaluated.

use super::compiled::{
    ApplicationScope, CompiledPolicy, GuestSelector, LocationScope, PlatformScope, TenantSelector,
    UserScope, WorkloadScope, guest, user_slot,
};
use super::condition::{Condition, ConditionFlags};
use super::prepared::{PreparedIdentity, PreparedSignIn, Strictness};

/// The outcome of one condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Satisfied,
    NotSatisfied,
    /// What If only: the request lacks the signal the condition needs.
    Missing,
    /// What If only: the condition cannot be evaluated (an invalid device filter).
    Invalid,
}

/// Which conditions of a policy matched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Applicability {
    pub(crate) satisfied: ConditionFlags,
    pub(crate) not_satisfied: ConditionFlags,
    pub(crate) missing: ConditionFlags,
    pub(crate) invalid: ConditionFlags,
}

impl Applicability {
    /// Every configured condition matched.
    pub(crate) fn applies(&self) -> bool {
        self.not_satisfied.is_empty() && self.missing.is_empty() && self.invalid.is_empty()
    }

    /// The first condition, in evaluation order, that did not match, and how.
    pub(crate) fn first_unmet(&self) -> Option<(Condition, Status)> {
        Condition::ALL.into_iter().find_map(|condition| {
            if self.not_satisfied.contains(condition) {
                Some((condition, Status::NotSatisfied))
            } else if self.missing.contains(condition) {
                Some((condition, Status::Missing))
            } else if self.invalid.contains(condition) {
                Some((condition, Status::Invalid))
            } else {
                None
            }
        })
    }

    fn record(&mut self, condition: Condition, status: Status) {
        match status {
            Status::Satisfied => self.satisfied.insert(condition),
            Status::NotSatisfied => self.not_satisfied.insert(condition),
            Status::Missing => self.missing.insert(condition),
            Status::Invalid => self.invalid.insert(condition),
        }
    }
}

fn status(matched: bool) -> Status {
    if matched {
        Status::Satisfied
    } else {
        Status::NotSatisfied
    }
}

/// Evaluates every configured condition of `policy` (no short cut, so the trace can list
/// all satisfied and unsatisfied conditions).
pub(crate) fn evaluate(
    policy: &CompiledPolicy,
    index: usize,
    sign_in: &PreparedSignIn<'_>,
) -> Applicability {
    let mut result = Applicability::default();
    match &sign_in.identity {
        PreparedIdentity::User {
            guest_bit,
            external_tenant,
        } => result.record(
            Condition::Users,
            status(user_matches(
                &policy.users,
                sign_in.user_hits.get(index).copied().unwrap_or(0),
                *guest_bit,
                external_tenant.as_deref(),
            )),
        ),
        PreparedIdentity::ServicePrincipal { symbol } => result.record(
            Condition::ServicePrincipals,
            workload_status(&policy.workload, *symbol, sign_in.strictness),
        ),
    }
    result.record(
        Condition::Application,
        application_status(&policy.applications, sign_in),
    );
    if let Some(scope) = &policy.platforms {
        result.record(
            Condition::DevicePlatform,
            match sign_in.platform {
                Some(bit) => status(platform_matches(scope, bit)),
                None => Status::Missing,
            },
        );
    }
    if let Some(filter) = &policy.device_filter {
        result.record(
            Condition::DeviceState,
            match (&filter.rule, &sign_in.device_rule_matches) {
                (Err(_), _) if sign_in.strictness == Strictness::WhatIf => Status::Invalid,
                // An unparsable rule in a real sign-in: the policy stays in scope.
                (Err(_), _) => Status::Satisfied,
                (Ok(_), None) => Status::Missing,
                (Ok(rule), Some(matches)) => {
                    status(matches.get(*rule).copied().unwrap_or(false) != filter.exclude_mode)
                }
            },
        );
    }
    if let Some(mask) = policy.client_app_types {
        result.record(Condition::ClientType, mask_status(mask, sign_in.client_app));
    }
    if let Some(scope) = &policy.locations {
        result.record(
            Condition::Location,
            match &sign_in.locations {
                Some(matches) => status(location_matches(scope, matches, sign_in.trusted)),
                None => Status::Missing,
            },
        );
    }
    if let Some(mask) = policy.sign_in_risk {
        result.record(
            Condition::SignInRisk,
            mask_status(mask, sign_in.sign_in_risk),
        );
    }
    if let Some(mask) = policy.user_risk {
        result.record(Condition::UserRisk, mask_status(mask, sign_in.user_risk));
    }
    if let Some(mask) = policy.service_principal_risk {
        result.record(
            Condition::ServicePrincipalRisk,
            mask_status(mask, sign_in.service_principal_risk),
        );
    }
    if let Some(mask) = policy.insider_risk {
        result.record(
            Condition::InsiderRisk,
            mask_status(mask, sign_in.insider_risk),
        );
    }
    if let Some(mask) = policy.authentication_flows {
        result.record(
            Condition::AuthenticationFlows,
            mask_status(mask, sign_in.flow),
        );
    }
    result
}

fn mask_status(mask: u8, signal: Option<u8>) -> Status {
    match signal {
        Some(bit) => status(mask & bit != 0),
        None => Status::Missing,
    }
}

fn user_matches(scope: &UserScope, hits: u8, guest_bit: u8, external_tenant: Option<&str>) -> bool {
    if !scope.targets_users {
        return false;
    }
    let guest_matches = |selector: &Option<Box<GuestSelector>>| {
        selector
            .as_ref()
            .is_some_and(|selector| guest_selector_matches(selector, guest_bit, external_tenant))
    };
    let included = scope.include_all
        || hits & user_slot::INCLUDES != 0
        || (scope.include_any_guest && guest_bit != 0)
        || guest_matches(&scope.include_guests);
    if !included {
        return false;
    }
    let excluded = hits & user_slot::EXCLUDES != 0
        || (scope.exclude_any_guest && guest_bit != 0)
        || guest_matches(&scope.exclude_guests);
    !excluded
}

/// Whether a guest selection covers the user. Internal guests belong to this tenant, so
/// the external-tenant restriction does not concern them.
fn guest_selector_matches(selector: &GuestSelector, guest_bit: u8, tenant: Option<&str>) -> bool {
    if selector.types & guest_bit == 0 {
        return false;
    }
    if guest_bit == guest::INTERNAL_GUEST {
        return true;
    }
    match &selector.tenants {
        TenantSelector::Any | TenantSelector::All => true,
        TenantSelector::Listed(tenants) => {
            tenant.is_some_and(|tenant| tenants.iter().any(|listed| listed == tenant))
        }
        TenantSelector::Nothing => false,
    }
}

fn workload_status(scope: &WorkloadScope, symbol: Option<u32>, strictness: Strictness) -> Status {
    if !scope.targets_service_principals {
        return Status::NotSatisfied;
    }
    let listed = |list: &[u32]| symbol.is_some_and(|symbol| list.contains(&symbol));
    if listed(&scope.exclude) {
        return Status::NotSatisfied;
    }
    // The service principal filter reads custom security attributes Portcullis does not
    // have. In a sign-in it never removes a service principal from scope (restrictive);
    // What If cannot decide it.
    if scope.has_filter && strictness == Strictness::WhatIf {
        return Status::Missing;
    }
    status(scope.include_all || listed(&scope.include))
}

fn application_status(scope: &ApplicationScope, sign_in: &PreparedSignIn<'_>) -> Status {
    let target = &sign_in.target;
    if target.user_action & scope.include_user_actions != 0 {
        return Status::Satisfied;
    }
    if let Some(Some(context)) = target.authentication_context
        && scope.include_authentication_contexts.contains(&context)
    {
        return Status::Satisfied;
    }
    let Some(app) = &target.app else {
        return Status::NotSatisfied;
    };
    let listed = |list: &[u32]| app.symbol.is_some_and(|symbol| list.contains(&symbol));
    let explicitly_included = scope.include_all
        || listed(&scope.include_apps)
        || (scope.include_office365 && app.in_office365)
        || (scope.include_admin_portals && app.in_admin_portals);
    let excluded = listed(&scope.exclude_apps)
        || (scope.exclude_office365 && app.in_office365)
        || (scope.exclude_admin_portals && app.in_admin_portals);
    if excluded {
        return Status::NotSatisfied;
    }
    // The application filter reads custom security attributes Portcullis does not have.
    // In a sign-in, an include-mode filter is taken to match every app and an
    // exclude-mode filter to match none (the policy stays in scope either way, the
    // restrictive reading); What If cannot decide it.
    let what_if = sign_in.strictness == Strictness::WhatIf;
    match (
        explicitly_included,
        scope.include_filter,
        scope.exclude_filter,
    ) {
        (true, _, true) if what_if => Status::Missing,
        (true, _, _) => Status::Satisfied,
        (false, true, _) if what_if => Status::Missing,
        (false, true, _) => Status::Satisfied,
        (false, false, _) => Status::NotSatisfied,
    }
}

fn platform_matches(scope: &PlatformScope, bit: u8) -> bool {
    let included = scope.include_all || scope.include & bit != 0;
    let excluded = scope.exclude_all || scope.exclude & bit != 0;
    included && !excluded
}

fn location_matches(scope: &LocationScope, matches: &[bool], trusted: bool) -> bool {
    let matched = |indexes: &[usize]| {
        indexes
            .iter()
            .any(|index| matches.get(*index).copied().unwrap_or(false))
    };
    let included =
        scope.include_all || (scope.include_trusted && trusted) || matched(&scope.include);
    let excluded = (scope.exclude_trusted && trusted) || matched(&scope.exclude);
    included && !excluded
}
