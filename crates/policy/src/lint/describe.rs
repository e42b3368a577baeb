//! A policy's scope and controls in words, for lint messages: "blocks All users except
//! 3 groups, on All resources, from any location except 'ALLOWED COUNTRIES' (BE, LU, NL)".

use crate::model::{
    ConditionalAccessPolicy, FilterMode, NamedLocation, NamedLocationKind, special,
};

/// Describes what `policy` does and to which sign-ins.
pub(crate) fn describe(policy: &ConditionalAccessPolicy, named: &[NamedLocation]) -> String {
    let mut parts = vec![controls(policy)];
    let Some(conditions) = &policy.conditions else {
        return parts.join(" ");
    };
    if let Some(users) = &conditions.users {
        let mut who = if users.includes_all_users() {
            "All users".to_owned()
        } else {
            let mut kinds = Vec::new();
            count(&mut kinds, users.include_users.len(), "user");
            count(&mut kinds, users.include_groups.len(), "group");
            count(&mut kinds, users.include_roles.len(), "role");
            if users.include_guests_or_external_users.is_some() {
                kinds.push("guests".to_owned());
            }
            format!("users in {}", kinds.join(", "))
        };
        let mut excluded = Vec::new();
        count(&mut excluded, users.exclude_users.len(), "user");
        count(&mut excluded, users.exclude_groups.len(), "group");
        count(&mut excluded, users.exclude_roles.len(), "role");
        if !excluded.is_empty() {
            who.push_str(&format!(" except {}", excluded.join(", ")));
        }
        parts.push(who);
    }
    if let Some(applications) = &conditions.applications {
        let what = if applications.includes_all() {
            "on All resources".to_owned()
        } else if applications.targets_user_actions() {
            let actions: Vec<&str> = applications
                .include_user_actions
                .iter()
                .map(|action| action.as_str())
                .collect();
            format!("for the user action {}", actions.join(", "))
        } else {
            format!("on {}", applications.include_applications.join(", "))
        };
        parts.push(what);
    }
    if let Some(locations) = conditions.locations.as_ref().filter(|l| l.is_configured()) {
        let include = location_list(&locations.include_locations, named);
        let anywhere = locations
            .include_locations
            .iter()
            .any(|id| id == special::ALL);
        let mut text = if anywhere {
            "from any location".to_owned()
        } else {
            format!("from {include}")
        };
        if !locations.exclude_locations.is_empty() {
            text.push_str(&format!(
                " except {}",
                location_list(&locations.exclude_locations, named)
            ));
        }
        parts.push(text);
    }
    if let Some(platforms) = conditions.platforms.as_ref().filter(|p| p.is_configured()) {
        let include: Vec<&str> = platforms
            .include_platforms
            .iter()
            .map(|p| p.as_str())
            .collect();
        let mut text = if include.contains(&"all") {
            "on any platform".to_owned()
        } else {
            format!("on {}", include.join(", "))
        };
        if !platforms.exclude_platforms.is_empty() {
            let exclude: Vec<&str> = platforms
                .exclude_platforms
                .iter()
                .map(|p| p.as_str())
                .collect();
            text.push_str(&format!(" except {}", exclude.join(", ")));
        }
        parts.push(text);
    }
    if conditions.client_app_types_configured() {
        let clients: Vec<&str> = conditions
            .client_app_types
            .iter()
            .map(|client| client.as_str())
            .collect();
        parts.push(format!("for {} clients", clients.join(", ")));
    }
    if let Some(filter) = conditions.device_filter() {
        let verb = match filter.mode {
            Some(FilterMode::Exclude) => "except on devices matching",
            _ => "on devices matching",
        };
        parts.push(format!("{verb} `{}`", filter.rule));
    }
    parts.join(" ")
}

fn count(parts: &mut Vec<String>, n: usize, noun: &str) {
    match n {
        0 => {}
        1 => parts.push(format!("1 {noun}")),
        _ => parts.push(format!("{n} {noun}s")),
    }
}

fn controls(policy: &ConditionalAccessPolicy) -> String {
    let Some(grant) = policy.configured_grant_controls() else {
        return "applies session controls to".to_owned();
    };
    if grant.blocks() {
        return "blocks".to_owned();
    }
    let mut names: Vec<String> = grant
        .built_in_controls
        .iter()
        .map(|control| control.as_str().to_owned())
        .collect();
    if let Some(strength) = &grant.authentication_strength {
        let name = strength
            .display_name
            .clone()
            .or_else(|| strength.id.clone())
            .unwrap_or_else(|| "an authentication strength".to_owned());
        names.push(format!("the '{name}' strength"));
    }
    let joiner = format!(" {} ", grant.operator_or_default().as_str());
    format!("requires {} for", names.join(&joiner))
}

/// Named locations by name with what they hold: "'ALLOWED COUNTRIES' (BE, LU, NL)".
fn location_list(ids: &[String], named: &[NamedLocation]) -> String {
    let words: Vec<String> = ids
        .iter()
        .map(|id| match id.as_str() {
            special::ALL => "any location".to_owned(),
            special::ALL_TRUSTED => "trusted locations".to_owned(),
            _ => match named.iter().find(|location| {
                location
                    .id
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(id))
            }) {
                Some(location) => format!("'{}'{}", location.display_name, contents(location)),
                None => format!("unknown location {id}"),
            },
        })
        .collect();
    words.join(", ")
}

fn contents(location: &NamedLocation) -> String {
    match &location.kind {
        NamedLocationKind::Country(country) => {
            let mut codes = country.countries_and_regions.clone();
            if country.include_unknown_countries_and_regions {
                codes.push("unknown countries".to_owned());
            }
            format!(" ({})", codes.join(", "))
        }
        NamedLocationKind::Ip(ip) => {
            let ranges: Vec<&str> = ip
                .ip_ranges
                .iter()
                .take(3)
                .map(|range| range.cidr_address.as_str())
                .collect();
            let more = ip.ip_ranges.len().saturating_sub(3);
            let suffix = if more > 0 {
                format!(", +{more}")
            } else {
                String::new()
            };
            format!(" ({}{suffix})", ranges.join(", "))
        }
        NamedLocationKind::Other { .. } => String::new(),
    }
}
