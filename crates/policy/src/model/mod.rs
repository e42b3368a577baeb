//! The Graph `conditionalAccessPolicy` model and its companions (named locations, authentication strengths).
//!
//! Faithful to the Graph JSON shape (field names, `null`s, flags strings) so that a policy
//! exported from Entra imports unchanged and exports back equal; convenient for the
//! evaluator through small helpers (`Users::includes_all_users`,
//! `ConditionSet::client_app_types_configured`, `IpRange::network`, …).
//!
//! Design rules:
//! * every Graph enum is open ([`OpenEnum`]): unknown values are kept, never fatal;
//! * flags enums are [`FlagSet`]s, except authentication method combinations, which are
//!   the strength engine's [`crate::strength::Combination`] (same wire form, one type);
//! * `null`, absent and `[]` collections are the same "not configured" value;
//! * OData annotations are dropped, other unknown properties are kept in [`Extra`].

mod authentication_strength;
mod conditions;
mod enums;
mod extra;
mod flags;
mod grant;
mod named_location;
pub(crate) mod open_enum;
mod policy;
mod session;
pub mod special;

pub use authentication_strength::{
    AuthenticationStrengthPolicy, CombinationConfiguration, CombinationConfigurationKind,
};
pub use conditions::{
    Applications, AuthenticationFlows, ClientApplications, ConditionSet, ConditionalAccessFilter,
    Devices, ExternalTenants, GuestsOrExternalUsers, Locations, Platforms, Users,
};
pub use enums::{
    AuthenticationStrengthPolicyType, AuthenticationStrengthRequirement, BuiltInControl,
    ClientAppType, CloudAppSecurityType, ContinuousAccessEvaluationMode, CountryLookupMethod,
    DevicePlatform, ExternalTenantsMembershipKind, FilterMode, GrantOperator,
    GuestOrExternalUserType, InsiderRiskLevel, PersistentBrowserMode, PolicyState, RiskLevel,
    SignInFrequencyAuthenticationType, SignInFrequencyInterval, SignInFrequencyType,
    TransferMethod, UserAction,
};
pub use extra::{Extra, is_odata_annotation};
pub use flags::FlagSet;
pub use grant::GrantControls;
pub use named_location::{
    CountryNamedLocation, IpNamedLocation, IpRange, NamedLocation, NamedLocationKind,
};
pub use open_enum::{OpenEnum, UnknownValue};
pub use policy::ConditionalAccessPolicy;
pub use session::{
    CloudAppSecuritySessionControl, ContinuousAccessEvaluationSessionControl,
    PersistentBrowserSessionControl, SessionControl, SessionControls,
    SignInFrequencySessionControl,
};

#[cfg(test)]
mod tests;
