//! Small constructors for the policy pieces templates are made of, so each template
//! reads like §9's table row.

use crate::model::{
    Applications, AuthenticationStrengthPolicy, BuiltInControl, ClientAppType, ConditionSet,
    ConditionalAccessFilter, Devices, ExternalTenants, ExternalTenantsMembershipKind, FilterMode,
    FlagSet, GrantControls, GrantOperator, GuestOrExternalUserType, GuestsOrExternalUsers,
    Locations, SessionControl, SessionControls, SignInFrequencyAuthenticationType,
    SignInFrequencyInterval, SignInFrequencySessionControl, SignInFrequencyType, UserAction, Users,
    special,
};

/// `includeUsers: ["All"]`.
pub(super) fn all_users() -> Users {
    Users {
        include_users: vec![special::ALL.to_owned()],
        ..Users::default()
    }
}

/// `includeRoles: roles`.
pub(super) fn users_in_roles(roles: Vec<String>) -> Users {
    Users {
        include_roles: roles,
        ..Users::default()
    }
}

/// Guests and external users of `types` from every external tenant.
pub(super) fn guests_of(types: &[GuestOrExternalUserType]) -> GuestsOrExternalUsers {
    GuestsOrExternalUsers {
        guest_or_external_user_types: types.iter().cloned().collect::<FlagSet<_>>(),
        external_tenants: Some(ExternalTenants {
            odata_type: Some(ExternalTenants::ALL_ODATA_TYPE.to_owned()),
            membership_kind: Some(ExternalTenantsMembershipKind::All),
            ..ExternalTenants::default()
        }),
        ..GuestsOrExternalUsers::default()
    }
}

/// Every guest and external user type (the portal's "all guest and external users").
pub(super) const ALL_GUEST_TYPES: [GuestOrExternalUserType; 6] = [
    GuestOrExternalUserType::InternalGuest,
    GuestOrExternalUserType::B2bCollaborationGuest,
    GuestOrExternalUserType::B2bCollaborationMember,
    GuestOrExternalUserType::B2bDirectConnectUser,
    GuestOrExternalUserType::OtherExternalUser,
    GuestOrExternalUserType::ServiceProvider,
];

/// `includeApplications: ids`.
pub(super) fn applications(ids: &[&str]) -> Applications {
    Applications {
        include_applications: ids.iter().map(|id| (*id).to_owned()).collect(),
        ..Applications::default()
    }
}

/// `includeApplications: ["All"]`.
pub(super) fn all_resources() -> Applications {
    applications(&[special::ALL])
}

/// A user action instead of applications.
pub(super) fn user_action(action: UserAction) -> Applications {
    Applications {
        include_user_actions: vec![action],
        ..Applications::default()
    }
}

/// Conditions with users and target resources; every client app type.
pub(super) fn conditions(users: Users, applications: Applications) -> ConditionSet {
    ConditionSet {
        users: Some(users),
        applications: Some(applications),
        client_app_types: vec![ClientAppType::All],
        ..ConditionSet::default()
    }
}

/// `includeLocations: ["All"]` minus `excluded`.
pub(super) fn any_location_except(excluded: Vec<String>) -> Locations {
    Locations {
        include_locations: vec![special::ALL.to_owned()],
        exclude_locations: excluded,
        ..Locations::default()
    }
}

/// A device filter.
pub(super) fn device_filter(mode: FilterMode, rule: &str) -> Devices {
    Devices {
        device_filter: Some(ConditionalAccessFilter {
            mode: Some(mode),
            rule: rule.to_owned(),
            ..ConditionalAccessFilter::default()
        }),
        ..Devices::default()
    }
}

/// Built-in grant controls joined by `operator`.
pub(super) fn grant(operator: GrantOperator, controls: &[BuiltInControl]) -> GrantControls {
    GrantControls {
        operator: Some(operator),
        built_in_controls: controls.to_vec(),
        ..GrantControls::default()
    }
}

/// `block`.
pub(super) fn block() -> GrantControls {
    grant(GrantOperator::Or, &[BuiltInControl::Block])
}

/// A built-in authentication strength, referenced by ID (the Graph write form).
pub(super) fn strength(id: &str, display_name: &str) -> GrantControls {
    GrantControls {
        operator: Some(GrantOperator::Or),
        authentication_strength: Some(AuthenticationStrengthPolicy {
            id: Some(id.to_owned()),
            display_name: Some(display_name.to_owned()),
            ..AuthenticationStrengthPolicy::default()
        }),
        ..GrantControls::default()
    }
}

/// The built-in "Multifactor authentication" strength.
pub(super) fn mfa_strength() -> GrantControls {
    strength(
        AuthenticationStrengthPolicy::BUILT_IN_MFA_ID,
        "Multifactor authentication",
    )
}

/// Sign-in frequency "every time" (the risk templates).
pub(super) fn every_time() -> SessionControls {
    SessionControls {
        sign_in_frequency: Some(SignInFrequencySessionControl {
            is_enabled: true,
            authentication_type: Some(
                SignInFrequencyAuthenticationType::PrimaryAndSecondaryAuthentication,
            ),
            frequency_interval: Some(SignInFrequencyInterval::EveryTime),
            ..SignInFrequencySessionControl::default()
        }),
        ..SessionControls::default()
    }
}

/// Time-based sign-in frequency of `hours`.
pub(super) fn every_hours(hours: i32) -> SignInFrequencySessionControl {
    SignInFrequencySessionControl {
        is_enabled: true,
        frequency_type: Some(SignInFrequencyType::Hours),
        value: Some(hours),
        authentication_type: Some(
            SignInFrequencyAuthenticationType::PrimaryAndSecondaryAuthentication,
        ),
        frequency_interval: Some(SignInFrequencyInterval::TimeBased),
        ..SignInFrequencySessionControl::default()
    }
}

/// An on/off session control that is on.
pub(super) fn enabled() -> SessionControl {
    SessionControl {
        is_enabled: true,
        ..SessionControl::default()
    }
}
