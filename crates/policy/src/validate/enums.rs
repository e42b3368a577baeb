//! Enum values this build does not know: kept as written, reported as warnings (Graph
//! adds members over time, entra.md §13). `grantControls.operator` is not here: it is a
//! string with two documented values, checked as an error in `grant`.

use super::{Rule, ValidationError};
use crate::model::{ClientAppType, ConditionalAccessPolicy, FlagSet, OpenEnum};

pub(super) fn check(policy: &ConditionalAccessPolicy, findings: &mut Vec<ValidationError>) {
    let mut out = Findings(findings);
    out.one(policy.state.as_ref(), "state");
    if let Some(conditions) = &policy.conditions {
        out.list(&conditions.client_app_types, "conditions.clientAppTypes");
        for (index, client_app) in conditions.client_app_types.iter().enumerate() {
            if *client_app == ClientAppType::EasUnsupported {
                out.0.push(ValidationError::warning(
                    Rule::Deprecated,
                    format!("conditions.clientAppTypes[{index}]"),
                    "'easUnsupported' is deprecated; use 'exchangeActiveSync'",
                ));
            }
        }
        out.list(
            &conditions.sign_in_risk_levels,
            "conditions.signInRiskLevels",
        );
        out.list(&conditions.user_risk_levels, "conditions.userRiskLevels");
        out.list(
            &conditions.service_principal_risk_levels,
            "conditions.servicePrincipalRiskLevels",
        );
        out.flags(
            &conditions.insider_risk_levels,
            "conditions.insiderRiskLevels",
        );
        if let Some(platforms) = &conditions.platforms {
            out.list(
                &platforms.include_platforms,
                "conditions.platforms.includePlatforms",
            );
            out.list(
                &platforms.exclude_platforms,
                "conditions.platforms.excludePlatforms",
            );
        }
        if let Some(flows) = &conditions.authentication_flows {
            out.flags(
                &flows.transfer_methods,
                "conditions.authenticationFlows.transferMethods",
            );
        }
        if let Some(filter) = conditions
            .devices
            .as_ref()
            .and_then(|d| d.device_filter.as_ref())
        {
            out.one(filter.mode.as_ref(), "conditions.devices.deviceFilter.mode");
        }
        if let Some(applications) = &conditions.applications {
            out.list(
                &applications.include_user_actions,
                "conditions.applications.includeUserActions",
            );
            if let Some(filter) = &applications.application_filter {
                out.one(
                    filter.mode.as_ref(),
                    "conditions.applications.applicationFilter.mode",
                );
            }
        }
        if let Some(users) = &conditions.users {
            for (guests, path) in [
                (
                    &users.include_guests_or_external_users,
                    "conditions.users.includeGuestsOrExternalUsers",
                ),
                (
                    &users.exclude_guests_or_external_users,
                    "conditions.users.excludeGuestsOrExternalUsers",
                ),
            ] {
                let Some(guests) = guests else { continue };
                out.flags(
                    &guests.guest_or_external_user_types,
                    &format!("{path}.guestOrExternalUserTypes"),
                );
                if let Some(tenants) = &guests.external_tenants {
                    out.one(
                        tenants.membership_kind.as_ref(),
                        &format!("{path}.externalTenants.membershipKind"),
                    );
                }
            }
        }
    }
    if let Some(grant) = &policy.grant_controls {
        out.list(&grant.built_in_controls, "grantControls.builtInControls");
        if let Some(strength) = &grant.authentication_strength {
            let path = "grantControls.authenticationStrength";
            out.one(strength.policy_type.as_ref(), &format!("{path}.policyType"));
            out.flags(
                &strength.requirements_satisfied,
                &format!("{path}.requirementsSatisfied"),
            );
            for (index, combination) in strength.allowed_combinations.iter().enumerate() {
                out.members(
                    combination.methods(),
                    &format!("{path}.allowedCombinations[{index}]"),
                );
            }
        }
    }
    if let Some(session) = &policy.session_controls {
        if let Some(frequency) = &session.sign_in_frequency {
            let path = "sessionControls.signInFrequency";
            out.one(frequency.frequency_type.as_ref(), &format!("{path}.type"));
            out.one(
                frequency.authentication_type.as_ref(),
                &format!("{path}.authenticationType"),
            );
            out.one(
                frequency.frequency_interval.as_ref(),
                &format!("{path}.frequencyInterval"),
            );
        }
        if let Some(browser) = &session.persistent_browser {
            out.one(
                browser.mode.as_ref(),
                "sessionControls.persistentBrowser.mode",
            );
        }
        if let Some(cloud) = &session.cloud_app_security {
            out.one(
                cloud.cloud_app_security_type.as_ref(),
                "sessionControls.cloudAppSecurity.cloudAppSecurityType",
            );
        }
        if let Some(cae) = &session.continuous_access_evaluation {
            out.one(
                cae.mode.as_ref(),
                "sessionControls.continuousAccessEvaluation.mode",
            );
        }
    }
}

struct Findings<'a>(&'a mut Vec<ValidationError>);

impl Findings<'_> {
    fn one<T: OpenEnum>(&mut self, value: Option<&T>, path: &str) {
        if let Some(value) = value.filter(|value| !value.is_known()) {
            self.0.push(unknown_value(value, path));
        }
    }

    fn list<T: OpenEnum>(&mut self, values: &[T], path: &str) {
        for (index, value) in values.iter().enumerate() {
            if !value.is_known() {
                self.0
                    .push(unknown_value(value, &format!("{path}[{index}]")));
            }
        }
    }

    fn flags<T: OpenEnum>(&mut self, values: &FlagSet<T>, path: &str) {
        self.members(values.iter(), path);
    }

    /// The members of one flags-like value (a flag set or a method combination), all
    /// reported at the value's path.
    fn members<'v, T: OpenEnum + 'v>(&mut self, values: impl Iterator<Item = &'v T>, path: &str) {
        for value in values.filter(|value| !value.is_known()) {
            self.0.push(unknown_value(value, path));
        }
    }
}

/// "unknown conditionalAccessClientApp value 'Browser' (kept as written); did you mean
/// 'browser'?" — the hint catches the common case of wrong capitalisation, which Graph
/// would not match.
pub(super) fn unknown_value<T: OpenEnum>(value: &T, path: &str) -> ValidationError {
    let written = value.as_str();
    let hint = T::KNOWN
        .iter()
        .find(|known| known.eq_ignore_ascii_case(written))
        .map(|known| format!("; did you mean '{known}'?"))
        .unwrap_or_default();
    ValidationError::warning(
        Rule::UnknownEnumValue,
        path,
        format!(
            "unknown {} value '{written}' (kept as written){hint}",
            T::GRAPH_TYPE
        ),
    )
}
