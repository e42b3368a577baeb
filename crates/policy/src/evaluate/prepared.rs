//! The sign-in reduced to what the compiled policies test: interned IDs, bits, and which
//! named locations match. Computed once per decision.

use time::OffsetDateTime;

use super::compile::{
    CompiledPolicySet, client_app_bit, guest_bit, insider_bit, platform_bit, risk_bit,
};
use super::compiled::user_slot;
use super::compiled::{LocationKind, client_app, flow, risk, user_action};
use super::context::{SignInContext, SignInIdentity, SignInTarget};
use super::symbols::Symbol;
use crate::device_filter::DeviceProperties;
use crate::model::{TransferMethod, UserAction};
use crate::strength::MethodCredential;

/// How strictly missing signals are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// A real sign-in: every missing signal has a documented default.
    SignIn,
    /// The What If analysis (entra.md §2.7): a policy that needs a signal the request
    /// lacks does not apply, and app groups never match a concrete app ID.
    WhatIf,
}

/// Who, reduced.
pub(crate) enum PreparedIdentity {
    User {
        /// Guest type bit (0 for a member).
        guest_bit: u8,
        external_tenant: Option<String>,
    },
    ServicePrincipal {
        symbol: Option<Symbol>,
    },
}

/// What, reduced.
pub(crate) struct PreparedTarget {
    /// The application accessed, if any.
    pub(crate) app: Option<PreparedApp>,
    /// The user action bit (0 = none).
    pub(crate) user_action: u8,
    /// The authentication context asked for: `Some(None)` when no policy mentions it.
    pub(crate) authentication_context: Option<Option<Symbol>>,
}

pub(crate) struct PreparedApp {
    pub(crate) symbol: Option<Symbol>,
    pub(crate) in_office365: bool,
    pub(crate) in_admin_portals: bool,
}

pub(crate) struct PreparedSignIn<'a> {
    pub(crate) context: &'a SignInContext,
    pub(crate) strictness: Strictness,
    pub(crate) identity: PreparedIdentity,
    /// Per policy, which of its user lists name this user, one of their groups or one of
    /// their roles ([`user_slot`] bits).
    pub(crate) user_hits: Vec<u8>,
    pub(crate) target: PreparedTarget,
    /// `None` = the signal is missing (What If) — in a sign-in, the default is applied.
    pub(crate) client_app: Option<u8>,
    /// `Some(0)` = unknown platform.
    pub(crate) platform: Option<u8>,
    /// Which compiled locations match; `None` = no network signal (What If).
    pub(crate) locations: Option<Vec<bool>>,
    pub(crate) trusted: bool,
    pub(crate) sign_in_risk: Option<u8>,
    pub(crate) user_risk: Option<u8>,
    pub(crate) service_principal_risk: Option<u8>,
    pub(crate) insider_risk: Option<u8>,
    pub(crate) flow: Option<u8>,
    /// Per distinct device filter rule, whether the device matches it; `None` = no device
    /// signal (What If).
    pub(crate) device_rule_matches: Option<Vec<bool>>,
    pub(crate) used_methods: Vec<MethodCredential>,
    pub(crate) now: OffsetDateTime,
}

static UNREGISTERED_DEVICE: std::sync::OnceLock<DeviceProperties> = std::sync::OnceLock::new();

impl<'a> PreparedSignIn<'a> {
    pub(crate) fn new(
        set: &CompiledPolicySet,
        context: &'a SignInContext,
        strictness: Strictness,
    ) -> PreparedSignIn<'a> {
        let what_if = strictness == Strictness::WhatIf;
        let mut user_hits = vec![0u8; set.policies.len()];
        let identity = match &context.identity {
            SignInIdentity::User(user) => {
                let ids = std::iter::once((&user.id, user_slot::USER))
                    .chain(user.group_ids.iter().map(|id| (id, user_slot::GROUP)))
                    .chain(
                        user.role_template_ids
                            .iter()
                            .map(|id| (id, user_slot::ROLE)),
                    );
                for (id, kind) in ids {
                    let Some(symbol) = set.symbols.lookup(id) else {
                        continue;
                    };
                    for posting in set.postings.get(symbol as usize).into_iter().flatten() {
                        if let Some(hits) = user_hits.get_mut(posting.policy as usize) {
                            *hits |= posting.slots & kind;
                        }
                    }
                }
                PreparedIdentity::User {
                    guest_bit: user
                        .effective_guest_type()
                        .map(|kind| guest_bit(&kind))
                        .unwrap_or(0),
                    external_tenant: user
                        .external_tenant_id
                        .as_deref()
                        .map(|tenant| tenant.trim().to_ascii_lowercase()),
                }
            }
            SignInIdentity::ServicePrincipal { id } => PreparedIdentity::ServicePrincipal {
                symbol: set.symbols.lookup(id),
            },
        };
        let app = |app_id: &str| {
            let key = app_id.trim().to_ascii_lowercase();
            PreparedApp {
                symbol: set.symbols.lookup(app_id),
                in_office365: !what_if && set.office365.contains(&key),
                in_admin_portals: !what_if && set.admin_portals.contains(&key),
            }
        };
        let target = match &context.target {
            SignInTarget::Application { app_id } => PreparedTarget {
                app: Some(app(app_id)),
                user_action: 0,
                authentication_context: None,
            },
            SignInTarget::UserAction { user_action } => PreparedTarget {
                app: None,
                user_action: match user_action {
                    UserAction::RegisterSecurityInfo => user_action::REGISTER_SECURITY_INFO,
                    UserAction::RegisterDevice => user_action::REGISTER_DEVICE,
                    UserAction::Other(_) => 0,
                },
                authentication_context: None,
            },
            SignInTarget::AuthenticationContext { id, app_id } => PreparedTarget {
                app: app_id.as_deref().map(app),
                user_action: 0,
                authentication_context: Some(set.symbols.lookup(id)),
            },
        };
        let client_app = match &context.client_app_type {
            Some(kind) => Some(client_app_bit(kind)),
            None if what_if => None,
            None => Some(client_app::OTHER),
        };
        let platform = match &context.device_platform {
            Some(kind) => Some(platform_bit(kind)),
            None if what_if => None,
            None => Some(0),
        };
        let has_network = context.ip_address.is_some() || context.country.is_some();
        let (locations, trusted) = if what_if && !has_network {
            (None, false)
        } else {
            let country = normalized_country(context.country.as_deref());
            let gps_country = normalized_country(context.gps_country.as_deref());
            let mut matches: Vec<bool> = set
                .locations
                .iter()
                .map(|location| {
                    country_matches(&location.kind, country.as_deref(), gps_country.as_deref())
                })
                .collect();
            if let Some(ip) = context.ip_address {
                set.ip_index.for_each_match(ip, |index| {
                    if let Some(matched) = matches.get_mut(index) {
                        *matched = true;
                    }
                });
            }
            let trusted = set
                .locations
                .iter()
                .zip(&matches)
                .any(|(location, matched)| location.trusted && *matched)
                || context.ip_address.is_some_and(|ip| {
                    set.mfa_trusted_ips
                        .iter()
                        .any(|network| network.contains(&ip))
                });
            (Some(matches), trusted)
        };
        let level = |level: &Option<crate::model::RiskLevel>| match level {
            Some(level) => Some(risk_bit(level)),
            None if what_if => None,
            None => Some(risk::NONE),
        };
        let insider_risk = match &context.insider_risk_level {
            Some(level) => Some(insider_bit(level)),
            None if what_if => None,
            None => Some(0),
        };
        let flow = match &context.authentication_flow {
            Some(TransferMethod::DeviceCodeFlow) => Some(flow::DEVICE_CODE),
            Some(TransferMethod::AuthenticationTransfer) => Some(flow::AUTHENTICATION_TRANSFER),
            Some(_) => Some(0),
            None if what_if => None,
            None => Some(0),
        };
        let device = match &context.device {
            Some(device) => Some(device),
            None if what_if => None,
            None => Some(UNREGISTERED_DEVICE.get_or_init(DeviceProperties::default)),
        };
        PreparedSignIn {
            context,
            strictness,
            identity,
            user_hits,
            target,
            client_app,
            platform,
            locations,
            trusted,
            sign_in_risk: level(&context.sign_in_risk_level),
            user_risk: level(&context.user_risk_level),
            service_principal_risk: level(&context.service_principal_risk_level),
            insider_risk,
            flow,
            device_rule_matches: device.map(|device| {
                set.device_rules
                    .iter()
                    .map(|rule| rule.matches(device))
                    .collect()
            }),
            used_methods: context
                .session
                .methods
                .iter()
                .map(|method| method.credential())
                .collect(),
            now: context.now,
        }
    }
}

/// The ISO code as the compiled locations hold it (trimmed, upper case); `None` for an
/// unknown country.
fn normalized_country(code: Option<&str>) -> Option<String> {
    code.map(str::trim)
        .filter(|code| !code.is_empty())
        .map(str::to_ascii_uppercase)
}

/// Whether a country named location matches the sign-in's country (IP locations are
/// matched through the IP index).
fn country_matches(kind: &LocationKind, country: Option<&str>, gps_country: Option<&str>) -> bool {
    match kind {
        LocationKind::Country {
            countries,
            include_unknown,
            by_gps,
        } => match if *by_gps { gps_country } else { country } {
            Some(code) => countries.iter().any(|listed| listed == code),
            None => *include_unknown,
        },
        LocationKind::Ip | LocationKind::Unmatchable => false,
    }
}
