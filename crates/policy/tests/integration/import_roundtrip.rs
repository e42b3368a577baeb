//! Property test: any policy (and named location) the model can hold exports to JSON that
//! imports back equal, in UTF-8 and in UTF-16.

use portcullis_policy::import::{export_json, import_named_locations, import_policies};
use portcullis_policy::model::*;
use portcullis_policy::strength::{AuthenticationMethodMode, Combination};
use portcullis_policy::validate::{ValidationContext, validate, validate_named_location};
use proptest::collection::{btree_set, vec};
use proptest::option;
use proptest::prelude::*;
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// Known members and a few unknown strings, so both kinds of variant are generated.
fn open<T: OpenEnum + 'static>() -> impl Strategy<Value = T> {
    prop_oneof![
        4 => proptest::sample::select(T::KNOWN).prop_map(T::from_wire),
        1 => "[a-zA-Z][a-zA-Z0-9]{0,11}".prop_map(|s| T::from_wire(&s)),
    ]
}

fn flags<T: OpenEnum + 'static>() -> impl Strategy<Value = FlagSet<T>> {
    // Unknown flag strings must not contain a comma or surrounding spaces, or they would
    // split differently; the generator's alphabet guarantees that.
    btree_set(open::<T>(), 0..4).prop_map(|set| set.into_iter().collect())
}

fn ids() -> impl Strategy<Value = Vec<String>> {
    vec(
        prop_oneof![
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            Just("All".to_owned()),
            Just("None".to_owned()),
            ".{0,8}",
        ],
        0..4,
    )
}

fn text() -> impl Strategy<Value = String> {
    // Any Unicode, including quotes, backslashes and control characters.
    ".{0,24}"
}

fn date() -> impl Strategy<Value = OffsetDateTime> {
    (0i64..4_102_444_800, 0u32..1_000_000_000).prop_map(|(seconds, nanos)| {
        OffsetDateTime::from_unix_timestamp(seconds)
            .expect("in range")
            .replace_nanosecond(nanos)
            .expect("valid nanosecond")
    })
}

/// Unknown properties: names that no model field uses, simple JSON values (no floats,
/// which JSON may not round-trip bit for bit).
fn extra() -> impl Strategy<Value = Extra> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            vec(("[a-z]{1,6}", inner), 0..3)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    });
    vec(("zz[A-Za-z]{1,8}", value), 0..2)
        .prop_map(|pairs| Extra(pairs.into_iter().collect::<Map<_, _>>()))
}

fn filter() -> impl Strategy<Value = ConditionalAccessFilter> {
    (option::of(open::<FilterMode>()), text(), extra())
        .prop_map(|(mode, rule, extra)| ConditionalAccessFilter { mode, rule, extra })
}

fn guests() -> BoxedStrategy<GuestsOrExternalUsers> {
    let tenants = (
        option::of(prop_oneof![
            Just(ExternalTenants::ALL_ODATA_TYPE.to_owned()),
            Just(ExternalTenants::ENUMERATED_ODATA_TYPE.to_owned()),
        ]),
        option::of(open::<ExternalTenantsMembershipKind>()),
        ids(),
        extra(),
    )
        .prop_map(
            |(odata_type, membership_kind, members, extra)| ExternalTenants {
                odata_type,
                membership_kind,
                members,
                extra,
            },
        );
    (
        flags::<GuestOrExternalUserType>(),
        option::of(tenants),
        extra(),
    )
        .prop_map(
            |(guest_or_external_user_types, external_tenants, extra)| GuestsOrExternalUsers {
                guest_or_external_user_types,
                external_tenants,
                extra,
            },
        )
        .boxed()
}

fn users() -> BoxedStrategy<Users> {
    (
        ids(),
        ids(),
        ids(),
        ids(),
        ids(),
        ids(),
        option::of(guests()),
        option::of(guests()),
        extra(),
    )
        .prop_map(|(iu, eu, ig, eg, ir, er, ige, ege, extra)| Users {
            include_users: iu,
            exclude_users: eu,
            include_groups: ig,
            exclude_groups: eg,
            include_roles: ir,
            exclude_roles: er,
            include_guests_or_external_users: ige,
            exclude_guests_or_external_users: ege,
            extra,
        })
        .boxed()
}

fn applications() -> BoxedStrategy<Applications> {
    (
        ids(),
        ids(),
        vec(open::<UserAction>(), 0..3),
        ids(),
        option::of(filter()),
        extra(),
    )
        .prop_map(
            |(include, exclude, actions, contexts, application_filter, extra)| Applications {
                include_applications: include,
                exclude_applications: exclude,
                include_user_actions: actions,
                include_authentication_context_class_references: contexts,
                application_filter,
                extra,
            },
        )
        .boxed()
}

fn client_applications() -> BoxedStrategy<ClientApplications> {
    (
        ids(),
        ids(),
        option::of(filter()),
        ids(),
        ids(),
        option::of(filter()),
        extra(),
    )
        .prop_map(
            |(include, exclude, sp_filter, agent_include, agent_exclude, agent_filter, extra)| {
                ClientApplications {
                    include_service_principals: include,
                    exclude_service_principals: exclude,
                    service_principal_filter: sp_filter,
                    include_agent_id_service_principals: agent_include,
                    exclude_agent_id_service_principals: agent_exclude,
                    agent_id_service_principal_filter: agent_filter,
                    extra,
                }
            },
        )
        .boxed()
}

fn conditions() -> BoxedStrategy<ConditionSet> {
    let platforms = (
        vec(open::<DevicePlatform>(), 0..3),
        vec(open::<DevicePlatform>(), 0..3),
        extra(),
    )
        .prop_map(|(include_platforms, exclude_platforms, extra)| Platforms {
            include_platforms,
            exclude_platforms,
            extra,
        });
    let locations =
        (ids(), ids(), extra()).prop_map(|(include_locations, exclude_locations, extra)| {
            Locations {
                include_locations,
                exclude_locations,
                extra,
            }
        });
    let devices = (option::of(filter()), extra()).prop_map(|(device_filter, extra)| Devices {
        device_filter,
        extra,
    });
    let flows = (flags::<TransferMethod>(), extra()).prop_map(|(transfer_methods, extra)| {
        AuthenticationFlows {
            transfer_methods,
            extra,
        }
    });
    let risks = (
        vec(open::<RiskLevel>(), 0..3),
        vec(open::<RiskLevel>(), 0..3),
        vec(open::<RiskLevel>(), 0..3),
        flags::<InsiderRiskLevel>(),
    );
    (
        (
            option::of(users()),
            option::of(client_applications()),
            option::of(applications()),
        ),
        vec(open::<ClientAppType>(), 0..3),
        (
            option::of(platforms),
            option::of(locations),
            option::of(devices),
            option::of(flows),
        ),
        risks,
        extra(),
    )
        .prop_map(
            |(
                (users, client_applications, applications),
                client_app_types,
                (platforms, locations, devices, authentication_flows),
                (sign_in, user, sp, insider),
                extra,
            )| {
                ConditionSet {
                    users,
                    client_applications,
                    applications,
                    client_app_types,
                    platforms,
                    locations,
                    sign_in_risk_levels: sign_in,
                    user_risk_levels: user,
                    service_principal_risk_levels: sp,
                    insider_risk_levels: insider,
                    devices,
                    authentication_flows,
                    extra,
                }
            },
        )
        .boxed()
}

fn combination() -> impl Strategy<Value = Combination> {
    btree_set(open::<AuthenticationMethodMode>(), 1..3).prop_map(|set| set.into_iter().collect())
}

fn strength() -> BoxedStrategy<AuthenticationStrengthPolicy> {
    let configuration = (
        option::of(prop_oneof![
            Just(CombinationConfiguration::FIDO2_ODATA_TYPE.to_owned()),
            Just(CombinationConfiguration::X509_ODATA_TYPE.to_owned()),
        ]),
        option::of(text()),
        vec(combination(), 0..2),
        ids(),
        ids(),
        ids(),
        extra(),
    )
        .prop_map(|(odata_type, id, applies, aaguids, skis, oids, extra)| {
            CombinationConfiguration {
                odata_type,
                id,
                applies_to_combinations: applies,
                allowed_aaguids: aaguids,
                allowed_issuer_skis: skis,
                allowed_policy_oids: oids,
                extra,
            }
        });
    (
        (option::of(text()), option::of(text()), option::of(text())),
        (option::of(date()), option::of(date())),
        option::of(open::<AuthenticationStrengthPolicyType>()),
        flags::<AuthenticationStrengthRequirement>(),
        vec(combination(), 0..4),
        vec(configuration, 0..2),
        extra(),
    )
        .prop_map(
            |(
                (id, display_name, description),
                (created, modified),
                policy_type,
                requirements,
                combinations,
                configurations,
                extra,
            )| {
                AuthenticationStrengthPolicy {
                    id,
                    display_name,
                    description,
                    created_date_time: created,
                    modified_date_time: modified,
                    policy_type,
                    requirements_satisfied: requirements,
                    allowed_combinations: combinations,
                    combination_configurations: configurations,
                    extra,
                }
            },
        )
        .boxed()
}

fn grant_controls() -> BoxedStrategy<GrantControls> {
    (
        option::of(open::<GrantOperator>()),
        vec(open::<BuiltInControl>(), 0..3),
        ids(),
        ids(),
        option::of(strength()),
        extra(),
    )
        .prop_map(
            |(operator, built_in, custom, terms, strength, extra)| GrantControls {
                operator,
                built_in_controls: built_in,
                custom_authentication_factors: custom,
                terms_of_use: terms,
                authentication_strength: strength,
                extra,
            },
        )
        .boxed()
}

fn simple_control() -> impl Strategy<Value = SessionControl> {
    (any::<bool>(), extra()).prop_map(|(is_enabled, extra)| SessionControl { is_enabled, extra })
}

fn session_controls() -> BoxedStrategy<SessionControls> {
    let cloud = (
        any::<bool>(),
        option::of(open::<CloudAppSecurityType>()),
        extra(),
    )
        .prop_map(|(is_enabled, cloud_app_security_type, extra)| {
            CloudAppSecuritySessionControl {
                is_enabled,
                cloud_app_security_type,
                extra,
            }
        });
    let frequency = (
        any::<bool>(),
        option::of(open::<SignInFrequencyType>()),
        option::of(any::<i32>()),
        option::of(open::<SignInFrequencyAuthenticationType>()),
        option::of(open::<SignInFrequencyInterval>()),
        extra(),
    )
        .prop_map(
            |(
                is_enabled,
                frequency_type,
                value,
                authentication_type,
                frequency_interval,
                extra,
            )| {
                SignInFrequencySessionControl {
                    is_enabled,
                    frequency_type,
                    value,
                    authentication_type,
                    frequency_interval,
                    extra,
                }
            },
        );
    let browser = (
        any::<bool>(),
        option::of(open::<PersistentBrowserMode>()),
        extra(),
    )
        .prop_map(
            |(is_enabled, mode, extra)| PersistentBrowserSessionControl {
                is_enabled,
                mode,
                extra,
            },
        );
    let cae = (
        option::of(open::<ContinuousAccessEvaluationMode>()),
        extra(),
    )
        .prop_map(|(mode, extra)| ContinuousAccessEvaluationSessionControl { mode, extra });
    (
        (
            option::of(simple_control()),
            option::of(cloud),
            option::of(frequency),
        ),
        (
            option::of(browser),
            option::of(any::<bool>()),
            option::of(simple_control()),
            option::of(cae),
        ),
        extra(),
    )
        .prop_map(
            |((restrictions, cloud, frequency), (browser, resilience, secure, cae), extra)| {
                SessionControls {
                    application_enforced_restrictions: restrictions,
                    cloud_app_security: cloud,
                    sign_in_frequency: frequency,
                    persistent_browser: browser,
                    disable_resilience_defaults: resilience,
                    secure_sign_in_session: secure,
                    continuous_access_evaluation: cae,
                    extra,
                }
            },
        )
        .boxed()
}

fn policy() -> BoxedStrategy<ConditionalAccessPolicy> {
    (
        (
            option::of(text()),
            text(),
            option::of(text()),
            option::of(text()),
        ),
        (
            option::of(date()),
            option::of(date()),
            option::of(open::<PolicyState>()),
        ),
        option::of(conditions()),
        option::of(grant_controls()),
        option::of(session_controls()),
        extra(),
    )
        .prop_map(
            |(
                (id, display_name, description, template_id),
                (created, modified, state),
                conditions,
                grant,
                session,
                extra,
            )| {
                ConditionalAccessPolicy {
                    id,
                    display_name,
                    description,
                    created_date_time: created,
                    modified_date_time: modified,
                    state,
                    template_id,
                    conditions,
                    grant_controls: grant,
                    session_controls: session,
                    extra,
                }
            },
        )
        .boxed()
}

fn named_location() -> BoxedStrategy<NamedLocation> {
    let range = prop_oneof![
        "(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}/[0-9]{1,2}",
        "2001:db8:[0-9a-f]{1,4}::/[0-9]{1,3}",
        ".{0,12}",
    ]
    .prop_map(|cidr: String| IpRange::new(&cidr));
    let ip = (vec(range, 0..4), any::<bool>()).prop_map(|(ip_ranges, is_trusted)| {
        NamedLocationKind::Ip(IpNamedLocation {
            ip_ranges,
            is_trusted,
        })
    });
    let country = (
        vec("[A-Z]{2}", 0..4),
        any::<bool>(),
        option::of(open::<CountryLookupMethod>()),
    )
        .prop_map(
            |(
                countries_and_regions,
                include_unknown_countries_and_regions,
                country_lookup_method,
            )| {
                NamedLocationKind::Country(CountryNamedLocation {
                    countries_and_regions,
                    include_unknown_countries_and_regions,
                    country_lookup_method,
                })
            },
        );
    let other = option::of("#microsoft\\.graph\\.[a-zA-Z]{1,20}NamedLocation")
        .prop_map(|odata_type| NamedLocationKind::Other { odata_type });
    (
        option::of(text()),
        text(),
        option::of(date()),
        option::of(date()),
        prop_oneof![ip, country, other],
        extra(),
    )
        .prop_map(
            |(id, display_name, created, modified, kind, extra)| NamedLocation {
                id,
                display_name,
                created_date_time: created,
                modified_date_time: modified,
                kind,
                extra,
            },
        )
        .boxed()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(
        text.replace('\n', "\r\n")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn policies_round_trip(policy in policy()) {
        let exported = export_json(&policy).expect("serializes");
        let reimported = import_policies(exported.as_bytes()).expect("re-imports");
        prop_assert_eq!(&reimported, &vec![policy.clone()], "{}", exported);
        let from_utf16 = import_policies(&utf16le_with_bom(&exported)).expect("re-imports UTF-16");
        prop_assert_eq!(from_utf16, vec![policy]);
    }

    #[test]
    fn named_locations_round_trip(location in named_location()) {
        let exported = export_json(&location).expect("serializes");
        let reimported = import_named_locations(exported.as_bytes()).expect("re-imports");
        prop_assert_eq!(reimported, vec![location], "{}", exported);
    }

    #[test]
    fn flag_sets_parse_their_own_wire_form(set in flags::<GuestOrExternalUserType>()) {
        prop_assert_eq!(FlagSet::parse(&set.to_wire()), set);
    }

    #[test]
    fn validation_never_panics(policy in policy(), location in named_location()) {
        let context = ValidationContext {
            groups: ValidationContext::ids(["All"]),
            named_locations: ValidationContext::ids(Vec::<String>::new()),
            ..ValidationContext::default()
        };
        for finding in validate(&policy, &context).iter().chain(&validate_named_location(&location)) {
            prop_assert!(!finding.message.is_empty());
        }
    }

    #[test]
    fn import_never_panics_on_arbitrary_bytes(bytes in vec(any::<u8>(), 0..256)) {
        let _ = import_policies(&bytes);
        let _ = import_named_locations(&bytes);
    }

    #[test]
    fn import_never_panics_on_mangled_exports(policy in policy(), cut in 0usize..4096, junk in "[{}\\[\\]\",:0-9a-z ]{0,4}") {
        let exported = export_json(&policy).expect("serializes");
        let mut cut = cut.min(exported.len());
        while !exported.is_char_boundary(cut) {
            cut -= 1;
        }
        let mangled = format!("{}{junk}{}", &exported[..cut], &exported[cut..]);
        if let Err(error) = import_policies(mangled.as_bytes()) {
            prop_assert!(!error.to_string().is_empty());
        }
    }
}
