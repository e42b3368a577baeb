//! Device, application and service-principal filters (entra.md §1.2, §1.4, §2.6).

use super::value_has_entries;
use super::{Rule, ValidationError};
use crate::device_filter;
use crate::model::{ConditionalAccessFilter, ConditionalAccessPolicy};

pub(super) fn check(policy: &ConditionalAccessPolicy, findings: &mut Vec<ValidationError>) {
    let Some(conditions) = &policy.conditions else {
        return;
    };
    if let Some(filter) = conditions
        .devices
        .as_ref()
        .and_then(|d| d.device_filter.as_ref())
    {
        let path = "conditions.devices.deviceFilter";
        check_mode(filter, path, findings);
        check_device_rule(&filter.rule, path, findings);
        if filter.is_configured()
            && conditions
                .extra
                .get("deviceStates")
                .is_some_and(value_has_entries)
        {
            findings.push(ValidationError::error(
                Rule::DeviceFilterWithDeviceStates,
                "conditions.deviceStates",
                "the deprecated device state condition cannot be combined with a device filter",
            ));
        }
    }
    // Application and service-principal filters use custom security attributes, a
    // different grammar that Portcullis does not evaluate; only their shape is checked.
    if let Some(filter) = conditions
        .applications
        .as_ref()
        .and_then(|a| a.application_filter.as_ref())
    {
        check_mode(
            filter,
            "conditions.applications.applicationFilter",
            findings,
        );
        check_rule_present(
            filter,
            "conditions.applications.applicationFilter",
            findings,
        );
    }
    if let Some(clients) = &conditions.client_applications
        && let Some(filter) = &clients.service_principal_filter
    {
        check_mode(
            filter,
            "conditions.clientApplications.servicePrincipalFilter",
            findings,
        );
        check_rule_present(
            filter,
            "conditions.clientApplications.servicePrincipalFilter",
            findings,
        );
    }
}

fn check_mode(filter: &ConditionalAccessFilter, path: &str, findings: &mut Vec<ValidationError>) {
    if filter.mode.is_none() && filter.is_configured() {
        findings.push(ValidationError::error(
            Rule::InvalidFilter,
            format!("{path}.mode"),
            "mode is required: include or exclude",
        ));
    }
}

fn check_rule_present(
    filter: &ConditionalAccessFilter,
    path: &str,
    findings: &mut Vec<ValidationError>,
) {
    if !filter.is_configured() {
        findings.push(ValidationError::warning(
            Rule::InvalidFilter,
            format!("{path}.rule"),
            "the filter has an empty rule and filters nothing",
        ));
    }
}

/// Length first (Entra's documented limit), then the grammar, so an over-long rule gets
/// the one message that says what to fix.
fn check_device_rule(rule: &str, path: &str, findings: &mut Vec<ValidationError>) {
    let rule_path = format!("{path}.rule");
    if rule.trim().is_empty() {
        findings.push(ValidationError::warning(
            Rule::InvalidFilter,
            rule_path,
            "the device filter has an empty rule and filters nothing",
        ));
        return;
    }
    let length = rule.chars().count();
    if length > device_filter::MAX_RULE_CHARS {
        findings.push(ValidationError::error(
            Rule::InvalidFilter,
            rule_path,
            format!(
                "the rule is {length} characters long; at most {} are allowed",
                device_filter::MAX_RULE_CHARS
            ),
        ));
        return;
    }
    if let Err(error) = device_filter::parse(rule) {
        findings.push(ValidationError::error(
            Rule::InvalidFilter,
            rule_path,
            format!("invalid device filter rule: {error}"),
        ));
    }
}
