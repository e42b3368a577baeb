//! What validation reports: the rule broken, where, how bad, and why.

use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth an admin's attention, but the policy is valid and will be used as written
    /// (for example an enum value this build does not know, or `block` combined with other
    /// controls).
    Warning,
    /// The policy breaks a documented constraint; Entra would refuse it, and Portcullis
    /// refuses to store or enforce it.
    Error,
}

/// Every rule validation checks. [`Rule::code`] is a stable identifier for logs and APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `displayName` is empty.
    DisplayNameRequired,
    /// `state` is missing.
    StateRequired,
    /// `conditions` is missing.
    ConditionsRequired,
    /// `conditions.applications` is missing.
    ApplicationsRequired,
    /// Neither `conditions.users` nor `conditions.clientApplications` is present.
    UsersOrClientApplicationsRequired,
    /// No grant control and no session control: the policy would do nothing.
    EmptyPolicy,
    /// No user, group, role, guest type, workload identity or agent is included.
    TargetsNoIdentity,
    /// No application, user action or authentication context is included.
    TargetsNoResource,
    /// `grantControls.operator` is neither `AND` nor `OR`, or is missing with several controls.
    InvalidOperator,
    /// `block` is combined with other controls (the result is always block).
    BlockCombined,
    /// `mfa` and an authentication strength in the same policy.
    MfaWithAuthenticationStrength,
    /// `passwordChange` composition rules (entra.md §1.6).
    PasswordChangeComposition,
    /// `persistentBrowser` needs All resources.
    PersistentBrowserScope,
    /// Sign-in frequency "every time" outside risk policies and Intune enrollment.
    EveryTimeScope,
    /// A sign-in frequency control whose settings do not fit together.
    SignInFrequencySettings,
    /// User actions mixed with applications or authentication contexts.
    UserActionExclusive,
    /// "Register or join devices" allows only `mfa` or an authentication strength.
    RegisterDeviceControls,
    /// "Register or join devices" cannot use client apps, device filter or device states.
    RegisterDeviceConditions,
    /// Report-only mode does not apply to user actions.
    ReportOnlyUserAction,
    /// An authentication context cannot be used with workload identities.
    AuthenticationContextWithWorkloadIdentities,
    /// A device, application or service-principal filter is malformed.
    InvalidFilter,
    /// Device filter together with the deprecated device-state condition.
    DeviceFilterWithDeviceStates,
    /// `externalTenants` without guest types, or inconsistent with its kind.
    ExternalTenants,
    /// A guests-or-external-users object without any guest type.
    GuestTypesRequired,
    /// macOS or Linux with an approved-app / app-protection grant that cannot work there.
    PlatformGrantIncompatible,
    /// An ID that the supplied directory facts do not know.
    UnknownReference,
    /// An enum value this build does not know (kept as written).
    UnknownEnumValue,
    /// A deprecated or retiring value.
    Deprecated,
    /// A special value in a list where it is not allowed or makes other entries redundant.
    SpecialValue,
    /// A malformed or too-wide IP range in a named location.
    InvalidIpRange,
    /// A malformed country code, or no country at all.
    InvalidCountry,
    /// A named location with more entries than Entra allows.
    LimitExceeded,
}

impl Rule {
    /// A stable camelCase identifier.
    pub fn code(self) -> &'static str {
        match self {
            Rule::DisplayNameRequired => "displayNameRequired",
            Rule::StateRequired => "stateRequired",
            Rule::ConditionsRequired => "conditionsRequired",
            Rule::ApplicationsRequired => "applicationsRequired",
            Rule::UsersOrClientApplicationsRequired => "usersOrClientApplicationsRequired",
            Rule::EmptyPolicy => "emptyPolicy",
            Rule::TargetsNoIdentity => "targetsNoIdentity",
            Rule::TargetsNoResource => "targetsNoResource",
            Rule::InvalidOperator => "invalidOperator",
            Rule::BlockCombined => "blockCombined",
            Rule::MfaWithAuthenticationStrength => "mfaWithAuthenticationStrength",
            Rule::PasswordChangeComposition => "passwordChangeComposition",
            Rule::PersistentBrowserScope => "persistentBrowserScope",
            Rule::EveryTimeScope => "everyTimeScope",
            Rule::SignInFrequencySettings => "signInFrequencySettings",
            Rule::UserActionExclusive => "userActionExclusive",
            Rule::RegisterDeviceControls => "registerDeviceControls",
            Rule::RegisterDeviceConditions => "registerDeviceConditions",
            Rule::ReportOnlyUserAction => "reportOnlyUserAction",
            Rule::AuthenticationContextWithWorkloadIdentities => {
                "authenticationContextWithWorkloadIdentities"
            }
            Rule::InvalidFilter => "invalidFilter",
            Rule::DeviceFilterWithDeviceStates => "deviceFilterWithDeviceStates",
            Rule::ExternalTenants => "externalTenants",
            Rule::GuestTypesRequired => "guestTypesRequired",
            Rule::PlatformGrantIncompatible => "platformGrantIncompatible",
            Rule::UnknownReference => "unknownReference",
            Rule::UnknownEnumValue => "unknownEnumValue",
            Rule::Deprecated => "deprecated",
            Rule::SpecialValue => "specialValue",
            Rule::InvalidIpRange => "invalidIpRange",
            Rule::InvalidCountry => "invalidCountry",
            Rule::LimitExceeded => "limitExceeded",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One finding: displays as `path: message`, e.g.
/// `grantControls.builtInControls: 'mfa' cannot be combined with authenticationStrength`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Error or warning.
    pub severity: Severity,
    /// The rule that produced it.
    pub rule: Rule,
    /// The JSON path of the offending property (`conditions.users.includeGroups[2]`).
    pub path: String,
    /// What is wrong, in words an admin understands.
    pub message: String,
}

impl ValidationError {
    /// An error.
    pub fn error(rule: Rule, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            rule,
            path: path.into(),
            message: message.into(),
        }
    }

    /// A warning.
    pub fn warning(rule: Rule, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            rule,
            path: path.into(),
            message: message.into(),
        }
    }

    /// Whether this finding is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ValidationError {}

/// Whether any finding is an error (warnings alone do not make a policy invalid).
pub fn has_errors(findings: &[ValidationError]) -> bool {
    findings.iter().any(ValidationError::is_error)
}
