//! Per-policy applicability (entra.md §2.1–§2.2): includes OR, exclusions win, configured
//! conditions AND, documented defaults.

use crate::evaluate_support;
use evaluate_support::*;
use portcullis_policy::evaluate::PolicySet;
use serde_json::json;

fn applies(policy_overrides: serde_json::Value, context: serde_json::Value) -> bool {
    let set = set(vec![policy("p", policy_overrides)]);
    let decision = decide(&set, &sign_in(context));
    match result_of(&decision, "p") {
        "success" | "failure" => true,
        "notApplied" => false,
        other => panic!("unexpected result {other}"),
    }
}

#[test]
fn users_includes_are_ored_and_exclusions_win() {
    let by_group =
        json!({"conditions": {"users": {"includeUsers": [], "includeGroups": [GROUP_A]}}});
    assert!(!applies(by_group.clone(), json!({})));
    assert!(applies(
        by_group,
        json!({"identity": {"groupIds": [GROUP_A]}})
    ));

    let by_role = json!({"conditions": {"users": {"includeUsers": [OTHER_USER], "includeRoles": [GLOBAL_ADMIN]}}});
    assert!(applies(
        by_role.clone(),
        json!({"identity": {"roleTemplateIds": [GLOBAL_ADMIN]}})
    ));
    assert!(!applies(by_role, json!({})));

    let excluded_group = json!({"conditions": {"users": {"includeUsers": ["All"], "excludeGroups": [BREAK_GLASS_GROUP]}}});
    assert!(applies(
        excluded_group.clone(),
        json!({"identity": {"groupIds": [GROUP_A]}})
    ));
    assert!(!applies(
        excluded_group,
        json!({"identity": {"groupIds": [GROUP_A, BREAK_GLASS_GROUP]}})
    ));

    // Included by ID and excluded by role: exclusion wins.
    let both =
        json!({"conditions": {"users": {"includeUsers": [USER], "excludeRoles": [GLOBAL_ADMIN]}}});
    assert!(!applies(
        both,
        json!({"identity": {"roleTemplateIds": [GLOBAL_ADMIN]}})
    ));

    // IDs compare case-insensitively, as GUIDs do.
    let upper = json!({"conditions": {"users": {"includeUsers": [USER.to_uppercase()]}}});
    assert!(applies(upper, json!({})));
}

#[test]
fn include_none_targets_nobody() {
    assert!(!applies(
        json!({"conditions": {"users": {"includeUsers": ["None"]}}}),
        json!({})
    ));
}

#[test]
fn guests_and_external_users() {
    let guests = json!({"conditions": {"users": {"includeUsers": [], "includeGuestsOrExternalUsers": {
        "guestOrExternalUserTypes": "b2bCollaborationGuest,b2bDirectConnectUser",
        "externalTenants": {"membershipKind": "enumerated", "members": ["tenant-a"]}
    }}}});
    assert!(
        !applies(guests.clone(), json!({})),
        "a member is not a guest"
    );
    assert!(applies(
        guests.clone(),
        json!({"identity": {"userType": "guest", "externalTenantId": "TENANT-A"}})
    ));
    assert!(!applies(
        guests.clone(),
        json!({"identity": {"userType": "guest", "externalTenantId": "tenant-b"}})
    ));
    assert!(!applies(
        guests,
        json!({"identity": {"userType": "guest", "guestOrExternalUserType": "internalGuest"}})
    ));

    let legacy = json!({"conditions": {"users": {"includeUsers": ["All"], "excludeUsers": ["GuestsOrExternalUsers"]}}});
    assert!(applies(legacy.clone(), json!({})));
    assert!(!applies(legacy, json!({"identity": {"userType": "guest"}})));

    let internal = json!({"conditions": {"users": {"includeUsers": [], "includeGuestsOrExternalUsers": {
        "guestOrExternalUserTypes": "internalGuest",
        "externalTenants": {"membershipKind": "enumerated", "members": ["tenant-a"]}
    }}}});
    assert!(
        applies(
            internal,
            json!({"identity": {"userType": "guest", "guestOrExternalUserType": "internalGuest"}})
        ),
        "internal guests have no external tenant to restrict"
    );
}

#[test]
fn applications_user_actions_and_authentication_contexts() {
    let specific = json!({"conditions": {"applications": {"includeApplications": [OTHER_APP]}}});
    assert!(!applies(specific.clone(), json!({})));
    assert!(applies(
        specific,
        json!({"target": {"kind": "application", "appId": OTHER_APP}})
    ));

    let excluded = json!({"conditions": {"applications": {"includeApplications": ["All"], "excludeApplications": [APP]}}});
    assert!(!applies(excluded, json!({})));

    let action = json!({"conditions": {"applications": {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]}}});
    assert!(
        !applies(action.clone(), json!({})),
        "an app sign-in is not a user action"
    );
    assert!(applies(
        action,
        json!({"target": {"kind": "userAction", "userAction": "urn:user:registersecurityinfo"}})
    ));
    assert!(
        !applies(
            json!({}),
            json!({"target": {"kind": "userAction", "userAction": "urn:user:registerdevice"}})
        ),
        "All resources does not cover user actions"
    );

    let context = json!({"conditions": {"applications": {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c1"]}}});
    assert!(!applies(context.clone(), json!({})));
    assert!(applies(
        context.clone(),
        json!({"target": {"kind": "authenticationContext", "id": "c1", "appId": APP}})
    ));
    assert!(!applies(
        context,
        json!({"target": {"kind": "authenticationContext", "id": "c2"}})
    ));
    // An app policy still applies when the app asks for a context.
    assert!(applies(
        json!({}),
        json!({"target": {"kind": "authenticationContext", "id": "c2", "appId": APP}})
    ));
}

#[test]
fn application_groups_come_from_the_policy_set() {
    let mut set = set(vec![policy(
        "p",
        json!({"conditions": {"applications": {"includeApplications": ["Office365"]}}}),
    )]);
    let decision = decide(&set, &sign_in(json!({})));
    assert_eq!(result_of(&decision, "p"), "notApplied");
    set.application_groups.office365 = vec![APP.to_owned()];
    let decision = decide(&set, &sign_in(json!({})));
    assert_eq!(result_of(&decision, "p"), "failure");
}

#[test]
fn application_filter_is_read_restrictively() {
    let include_filter = json!({"conditions": {"applications": {"includeApplications": [],
        "applicationFilter": {"mode": "include", "rule": "CustomSecurityAttribute.Tier -eq \"1\""}}}});
    assert!(applies(include_filter, json!({})));
    let exclude_filter = json!({"conditions": {"applications": {"includeApplications": ["All"],
        "applicationFilter": {"mode": "exclude", "rule": "CustomSecurityAttribute.Tier -eq \"1\""}}}});
    assert!(applies(exclude_filter, json!({})));
}

#[test]
fn client_app_types() {
    let legacy = json!({"conditions": {"clientAppTypes": ["exchangeActiveSync", "other"]}});
    assert!(!applies(legacy.clone(), json!({})));
    assert!(applies(legacy.clone(), json!({"clientAppType": "other"})));
    assert!(applies(
        legacy.clone(),
        json!({"clientAppType": "exchangeActiveSync"})
    ));
    assert!(applies(
        legacy.clone(),
        json!({"clientAppType": "easSupported"})
    ));
    assert!(
        applies(legacy, json!({"clientAppType": null})),
        "an unidentified client is 'other'"
    );
    let eas = json!({"conditions": {"clientAppTypes": ["easSupported"]}});
    assert!(applies(eas, json!({"clientAppType": "exchangeActiveSync"})));
    assert!(applies(
        json!({"conditions": {"clientAppTypes": []}}),
        json!({"clientAppType": "other"})
    ));
}

#[test]
fn platforms() {
    let all_but_known = json!({"conditions": {"platforms": {"includePlatforms": ["all"],
        "excludePlatforms": ["android", "iOS", "windows", "macOS", "linux"]}}});
    assert!(!applies(all_but_known.clone(), json!({})));
    assert!(
        applies(all_but_known.clone(), json!({"devicePlatform": null})),
        "unknown platform"
    );
    assert!(applies(
        all_but_known,
        json!({"devicePlatform": "windowsPhone"})
    ));
    let windows = json!({"conditions": {"platforms": {"includePlatforms": ["windows"]}}});
    assert!(applies(windows.clone(), json!({})));
    assert!(!applies(windows, json!({"devicePlatform": null})));
}

fn located_set(policy_overrides: serde_json::Value) -> PolicySet {
    let mut set = set(vec![policy("p", policy_overrides)]);
    set.named_locations = vec![
        location(
            json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "office",
            "displayName": "Office", "isTrusted": true,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"},
                         {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/32"}]}),
        ),
        location(
            json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "benelux",
            "displayName": "Benelux", "countriesAndRegions": ["BE", "NL", "LU"],
            "includeUnknownCountriesAndRegions": false}),
        ),
        location(
            json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "unknown",
            "displayName": "Unknown", "countriesAndRegions": [],
            "includeUnknownCountriesAndRegions": true}),
        ),
    ];
    set
}

#[test]
fn locations_all_minus_trusted_ip_ranges_and_countries() {
    let untrusted = json!({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}});
    let decide_at = |overrides: serde_json::Value, context: serde_json::Value| {
        let set = located_set(overrides);
        result_of(&decide(&set, &sign_in(context)), "p")
    };
    assert_eq!(decide_at(untrusted.clone(), json!({})), "failure");
    assert_eq!(
        decide_at(untrusted.clone(), json!({"ipAddress": "203.0.113.9"})),
        "notApplied"
    );
    assert_eq!(
        decide_at(untrusted.clone(), json!({"ipAddress": "2001:db8::1"})),
        "notApplied"
    );
    assert_eq!(
        decide_at(untrusted, json!({"ipAddress": null, "country": null})),
        "failure"
    );

    let outside_benelux = json!({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["benelux"]}}});
    assert_eq!(
        decide_at(outside_benelux.clone(), json!({"country": "nl"})),
        "notApplied"
    );
    assert_eq!(
        decide_at(outside_benelux.clone(), json!({"country": "US"})),
        "failure"
    );
    assert_eq!(
        decide_at(outside_benelux, json!({"country": null})),
        "failure"
    );

    let unknown = json!({"conditions": {"locations": {"includeLocations": ["unknown"]}}});
    assert_eq!(
        decide_at(unknown.clone(), json!({"country": null})),
        "failure"
    );
    assert_eq!(decide_at(unknown, json!({"country": "US"})), "notApplied");
}

#[test]
fn legacy_mfa_trusted_ips_count_as_all_trusted() {
    let mut set =
        located_set(json!({"conditions": {"locations": {"includeLocations": ["AllTrusted"]}}}));
    let context = sign_in(json!({"ipAddress": "192.0.2.10"}));
    assert_eq!(result_of(&decide(&set, &context), "p"), "notApplied");
    set.mfa_trusted_ips = vec!["192.0.2.0/24".parse().expect("cidr")];
    assert_eq!(result_of(&decide(&set, &context), "p"), "failure");
}

#[test]
fn risk_levels() {
    let high_user_risk = json!({"conditions": {"userRiskLevels": ["high"]}});
    assert!(!applies(high_user_risk.clone(), json!({})));
    assert!(applies(
        high_user_risk.clone(),
        json!({"userRiskLevel": "high"})
    ));
    assert!(!applies(high_user_risk, json!({"userRiskLevel": "medium"})));
    let sign_in_risk = json!({"conditions": {"signInRiskLevels": ["medium", "high"]}});
    assert!(applies(
        sign_in_risk.clone(),
        json!({"signInRiskLevel": "medium"})
    ));
    assert!(!applies(sign_in_risk, json!({"signInRiskLevel": "low"})));
    let none_level = json!({"conditions": {"signInRiskLevels": ["none"]}});
    assert!(
        applies(none_level, json!({})),
        "an absent level reads as none"
    );
    let insider = json!({"conditions": {"insiderRiskLevels": "moderate,elevated"}});
    assert!(!applies(insider.clone(), json!({})));
    assert!(applies(insider, json!({"insiderRiskLevel": "elevated"})));
}

#[test]
fn device_filter_null_semantics() {
    let exclude_compliant = json!({"conditions": {"devices": {"deviceFilter": {"mode": "exclude",
        "rule": "device.trustType -eq \"AzureAD\""}}}});
    assert!(
        applies(exclude_compliant.clone(), json!({})),
        "unregistered device is not excluded"
    );
    assert!(!applies(
        exclude_compliant,
        json!({"device": {"trustType": "AzureAD"}})
    ));

    let include_negative = json!({"conditions": {"devices": {"deviceFilter": {"mode": "include",
        "rule": "device.trustType -ne \"ServerAD\""}}}});
    assert!(
        applies(include_negative.clone(), json!({})),
        "negative operators match null"
    );
    assert!(!applies(
        include_negative,
        json!({"device": {"trustType": "ServerAD"}})
    ));

    let include_positive = json!({"conditions": {"devices": {"deviceFilter": {"mode": "include",
        "rule": "device.model -startsWith \"Surface\""}}}});
    assert!(
        !applies(include_positive.clone(), json!({})),
        "positive operators never match null"
    );
    assert!(applies(
        include_positive,
        json!({"device": {"model": "surface laptop"}})
    ));
}

#[test]
fn unparsable_device_filter_keeps_the_policy_in_scope() {
    let broken = json!({"conditions": {"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.nope -eq 1"}}}});
    let set = set(vec![policy("p", broken)]);
    let compiled = set.compile();
    assert_eq!(compiled.warnings().len(), 1);
    assert_eq!(
        result_of(&decide(&set, &sign_in(json!({}))), "p"),
        "failure"
    );
}

#[test]
fn authentication_flows() {
    let device_code =
        json!({"conditions": {"authenticationFlows": {"transferMethods": "deviceCodeFlow"}}});
    assert!(!applies(device_code.clone(), json!({})));
    assert!(applies(
        device_code.clone(),
        json!({"authenticationFlow": "deviceCodeFlow"})
    ));
    assert!(!applies(
        device_code,
        json!({"authenticationFlow": "authenticationTransfer"})
    ));
}

#[test]
fn workload_identity_policies_apply_only_to_service_principals() {
    let workload = json!({"conditions": {"users": {"includeUsers": ["None"]},
        "clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"], "excludeServicePrincipals": ["sp-2"]}},
        "grantControls": {"builtInControls": ["block"]}});
    let set = set(vec![
        policy("workload", workload),
        policy("users", json!({})),
    ]);
    let sp = sign_in(json!({"identity": {"kind": "servicePrincipal", "id": "sp-1"}}));
    let decision = decide(&set, &sp);
    assert_eq!(result_of(&decision, "workload"), "failure");
    assert_eq!(
        result_of(&decision, "users"),
        "notApplied",
        "user policies never apply to service principals"
    );
    let excluded = sign_in(json!({"identity": {"kind": "servicePrincipal", "id": "SP-2"}}));
    assert_eq!(
        result_of(&decide(&set, &excluded), "workload"),
        "notApplied"
    );
    let user = decide(&set, &sign_in(json!({})));
    assert_eq!(result_of(&user, "workload"), "notApplied");
    assert_eq!(result_of(&user, "users"), "failure");
}

#[test]
fn service_principal_risk() {
    let risky = json!({"conditions": {"users": {"includeUsers": ["None"]},
        "clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"]},
        "servicePrincipalRiskLevels": ["high"]},
        "grantControls": {"builtInControls": ["block"]}});
    let set = set(vec![policy("p", risky)]);
    let calm = sign_in(json!({"identity": {"kind": "servicePrincipal", "id": "sp-1"}}));
    assert_eq!(result_of(&decide(&set, &calm), "p"), "notApplied");
    let high = sign_in(
        json!({"identity": {"kind": "servicePrincipal", "id": "sp-1"}, "servicePrincipalRiskLevel": "high"}),
    );
    assert_eq!(result_of(&decide(&set, &high), "p"), "failure");
}

#[test]
fn conditions_satisfied_and_not_satisfied_are_recorded() {
    let p = json!({"conditions": {"clientAppTypes": ["browser"], "signInRiskLevels": ["high"]}});
    let set = set(vec![policy("p", p)]);
    let decision = decide(&set, &sign_in(json!({})));
    let trace =
        serde_json::to_value(&decision.applied_conditional_access_policies[0]).expect("json");
    assert_eq!(trace["result"], "notApplied");
    assert_eq!(trace["conditionsSatisfied"], "users,application,clientType");
    assert_eq!(trace["conditionsNotSatisfied"], "signInRisk");
    assert_eq!(trace["enforcedGrantControls"], json!([]));
}
