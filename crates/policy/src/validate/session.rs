//! Session-control rules (entra.md §1.7, §11.2, §11.3).
//!
//! Scope rules apply to controls that are switched on (`isEnabled: true`); a control that
//! is present but off has no effect.

use super::{Rule, ValidationError};
use crate::model::{
    BuiltInControl, ConditionalAccessPolicy, SignInFrequencyInterval,
    SignInFrequencySessionControl, SignInFrequencyType, special,
};

const FREQUENCY: &str = "sessionControls.signInFrequency";

pub(super) fn check(policy: &ConditionalAccessPolicy, findings: &mut Vec<ValidationError>) {
    let Some(session) = &policy.session_controls else {
        return;
    };
    if session.enabled_persistent_browser().is_some() {
        check_persistent_browser(policy, findings);
    }
    if let Some(frequency) = session.enabled_sign_in_frequency() {
        check_frequency_settings(frequency, findings);
        if frequency.is_every_time() {
            check_every_time_scope(policy, findings);
        }
    }
}

/// "The policy must target All resources" (browser session persistence is one session
/// token shared by every tab, so it cannot differ per app). The docs do not mention
/// exclusions; by the same reasoning they defeat the setting, but since Entra's text does
/// not forbid them they are a warning rather than an error.
fn check_persistent_browser(policy: &ConditionalAccessPolicy, findings: &mut Vec<ValidationError>) {
    let applications = policy
        .conditions
        .as_ref()
        .and_then(|c| c.applications.as_ref());
    match applications {
        Some(applications) if applications.includes_all() => {
            if applications.has_exclusions() {
                findings.push(ValidationError::warning(
                    Rule::PersistentBrowserScope,
                    "conditions.applications.excludeApplications",
                    "persistent browser session applies to the whole browser session; excluded resources share it anyway",
                ));
            }
        }
        _ => findings.push(ValidationError::error(
            Rule::PersistentBrowserScope,
            "sessionControls.persistentBrowser",
            "persistent browser session requires the policy to target All resources",
        )),
    }
}

/// "`everyTime` is available for risky users, risky sign-ins and Intune enrollment"
/// (Graph `signInFrequencySessionControl`, entra.md §1.7). The newer concept page
/// (`concept-session-lifetime.md`, 2025) lists more scenarios (sensitive apps, VPN, PIM,
/// Azure Virtual Desktop) — a \[conflict\]; following the brief and the Graph reference to
/// the letter, the restrictive reading is enforced: the policy must have a user or
/// sign-in risk condition, require risk remediation (which adds "every time" itself), or
/// target only the Microsoft Intune Enrollment application.
fn check_every_time_scope(policy: &ConditionalAccessPolicy, findings: &mut Vec<ValidationError>) {
    let Some(conditions) = &policy.conditions else {
        return;
    };
    let risk_based =
        !conditions.user_risk_levels.is_empty() || !conditions.sign_in_risk_levels.is_empty();
    let remediation = policy
        .grant_controls
        .as_ref()
        .is_some_and(|grant| grant.has(&BuiltInControl::RiskRemediation));
    let intune_enrollment_only = conditions
        .applications
        .as_ref()
        .is_some_and(|applications| {
            !applications.include_applications.is_empty()
                && applications
                    .include_applications
                    .iter()
                    .all(|id| id.eq_ignore_ascii_case(special::INTUNE_ENROLLMENT_APP_ID))
                && !applications.targets_user_actions()
                && !applications.targets_authentication_contexts()
        });
    if !(risk_based || remediation || intune_enrollment_only) {
        findings.push(ValidationError::error(
            Rule::EveryTimeScope,
            format!("{FREQUENCY}.frequencyInterval"),
            "sign-in frequency 'everyTime' is only available for risky users, risky sign-ins and Intune enrollment",
        ));
    }
}

/// A time-based frequency needs a unit and a positive value. The portal offers 1–23 hours
/// and 1–365 days; larger values are not documented for Graph, so they are warnings.
fn check_frequency_settings(
    frequency: &SignInFrequencySessionControl,
    findings: &mut Vec<ValidationError>,
) {
    let time_based = matches!(
        frequency.frequency_interval,
        None | Some(SignInFrequencyInterval::TimeBased)
    );
    if !time_based {
        return;
    }
    if frequency.frequency_type.is_none() {
        findings.push(ValidationError::error(
            Rule::SignInFrequencySettings,
            format!("{FREQUENCY}.type"),
            "a time-based sign-in frequency needs a type: hours or days",
        ));
    }
    match frequency.value {
        None => findings.push(ValidationError::error(
            Rule::SignInFrequencySettings,
            format!("{FREQUENCY}.value"),
            "a time-based sign-in frequency needs a value",
        )),
        Some(value) if value < 1 => findings.push(ValidationError::error(
            Rule::SignInFrequencySettings,
            format!("{FREQUENCY}.value"),
            format!("the sign-in frequency must be at least 1, not {value}"),
        )),
        Some(value) => {
            let maximum = match frequency.frequency_type {
                Some(SignInFrequencyType::Hours) => Some((23, "hours")),
                Some(SignInFrequencyType::Days) => Some((365, "days")),
                _ => None,
            };
            if let Some((maximum, unit)) = maximum.filter(|(maximum, _)| value > *maximum) {
                findings.push(ValidationError::warning(
                    Rule::SignInFrequencySettings,
                    format!("{FREQUENCY}.value"),
                    format!("{value} {unit} is more than Entra's portal offers (at most {maximum} {unit})"),
                ));
            }
        }
    }
}
