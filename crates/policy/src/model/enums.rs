//! Every Graph enum the model uses, with its exact wire strings (entra.md §1, §3, §4).
//! All are open: unknown strings are kept in `Other` (see [`super::open_enum`]).

use super::open_enum::open_enum;

open_enum! {
    /// `conditionalAccessPolicyState`.
    pub enum PolicyState: "conditionalAccessPolicyState" {
        Enabled = "enabled",
        Disabled = "disabled",
        /// Report-only.
        EnabledForReportingButNotEnforced = "enabledForReportingButNotEnforced",
    }
}

open_enum! {
    /// `conditionalAccessClientApp`. `easUnsupported` is deprecated (replaced by
    /// `exchangeActiveSync`) but still parses as a known value.
    pub enum ClientAppType: "conditionalAccessClientApp" {
        All = "all",
        Browser = "browser",
        MobileAppsAndDesktopClients = "mobileAppsAndDesktopClients",
        ExchangeActiveSync = "exchangeActiveSync",
        EasSupported = "easSupported",
        /// "Other clients" (legacy authentication such as IMAP, SMTP, POP).
        OtherClients = "other",
        UnknownFutureValue = "unknownFutureValue",
        EasUnsupported = "easUnsupported",
    }
}

open_enum! {
    /// `conditionalAccessDevicePlatform`.
    pub enum DevicePlatform: "conditionalAccessDevicePlatform" {
        Android = "android",
        IOs = "iOS",
        Windows = "windows",
        WindowsPhone = "windowsPhone",
        MacOs = "macOS",
        All = "all",
        UnknownFutureValue = "unknownFutureValue",
        Linux = "linux",
    }
}

open_enum! {
    /// `riskLevel`, used by `signInRiskLevels`, `userRiskLevels` and
    /// `servicePrincipalRiskLevels` (the latter documents no `hidden`).
    pub enum RiskLevel: "riskLevel" {
        Low = "low",
        Medium = "medium",
        High = "high",
        Hidden = "hidden",
        None = "none",
        UnknownFutureValue = "unknownFutureValue",
    }
}

open_enum! {
    /// `conditionalAccessInsiderRiskLevels` (flags).
    pub enum InsiderRiskLevel: "conditionalAccessInsiderRiskLevels" {
        Minor = "minor",
        Moderate = "moderate",
        Elevated = "elevated",
        UnknownFutureValue = "unknownFutureValue",
    }
}

open_enum! {
    /// `filterMode` of a `conditionalAccessFilter`.
    pub enum FilterMode: "filterMode" {
        Include = "include",
        Exclude = "exclude",
    }
}

open_enum! {
    /// `conditionalAccessTransferMethods` (flags).
    pub enum TransferMethod: "conditionalAccessTransferMethods" {
        None = "none",
        DeviceCodeFlow = "deviceCodeFlow",
        AuthenticationTransfer = "authenticationTransfer",
        UnknownFutureValue = "unknownFutureValue",
    }
}

open_enum! {
    /// `conditionalAccessGuestOrExternalUserTypes` (flags).
    pub enum GuestOrExternalUserType: "conditionalAccessGuestOrExternalUserTypes" {
        None = "none",
        InternalGuest = "internalGuest",
        B2bCollaborationGuest = "b2bCollaborationGuest",
        B2bCollaborationMember = "b2bCollaborationMember",
        B2bDirectConnectUser = "b2bDirectConnectUser",
        OtherExternalUser = "otherExternalUser",
        ServiceProvider = "serviceProvider",
        UnknownFutureValue = "unknownFutureValue",
    }
}

open_enum! {
    /// `conditionalAccessExternalTenantsMembershipKind`.
    pub enum ExternalTenantsMembershipKind: "conditionalAccessExternalTenantsMembershipKind" {
        All = "all",
        Enumerated = "enumerated",
        UnknownFutureValue = "unknownFutureValue",
    }
}

open_enum! {
    /// The `includeUserActions` values.
    pub enum UserAction: "userAction" {
        RegisterSecurityInfo = "urn:user:registersecurityinfo",
        RegisterDevice = "urn:user:registerdevice",
    }
}

open_enum! {
    /// `conditionalAccessGrantControl`. `riskRemediation` comes after `unknownFutureValue`.
    pub enum BuiltInControl: "conditionalAccessGrantControl" {
        Block = "block",
        Mfa = "mfa",
        CompliantDevice = "compliantDevice",
        DomainJoinedDevice = "domainJoinedDevice",
        ApprovedApplication = "approvedApplication",
        CompliantApplication = "compliantApplication",
        PasswordChange = "passwordChange",
        UnknownFutureValue = "unknownFutureValue",
        RiskRemediation = "riskRemediation",
    }
}

open_enum! {
    /// `grantControls.operator`. Graph types it as a plain string; only `AND` and `OR` are
    /// documented, so anything else is kept and reported by validation.
    pub enum GrantOperator: "grantControls.operator" {
        And = "AND",
        Or = "OR",
    }
}

open_enum! {
    /// `cloudAppSecuritySessionControlType`.
    pub enum CloudAppSecurityType: "cloudAppSecuritySessionControlType" {
        McasConfigured = "mcasConfigured",
        MonitorOnly = "monitorOnly",
        BlockDownloads = "blockDownloads",
        UnknownFutureValue = "unknownFutureValue",
    }
}

open_enum! {
    /// `signinFrequencyType`.
    pub enum SignInFrequencyType: "signinFrequencyType" {
        Days = "days",
        Hours = "hours",
    }
}

open_enum! {
    /// `signInFrequencyAuthenticationType`.
    pub enum SignInFrequencyAuthenticationType: "signInFrequencyAuthenticationType" {
        PrimaryAndSecondaryAuthentication = "primaryAndSecondaryAuthentication",
        SecondaryAuthentication = "secondaryAuthentication",
        UnknownFutureValue = "unknownFutureValue",
    }
}

open_enum! {
    /// `signInFrequencyInterval`.
    pub enum SignInFrequencyInterval: "signInFrequencyInterval" {
        TimeBased = "timeBased",
        EveryTime = "everyTime",
        UnknownFutureValue = "unknownFutureValue",
    }
}

open_enum! {
    /// `persistentBrowserSessionMode`.
    pub enum PersistentBrowserMode: "persistentBrowserSessionMode" {
        Always = "always",
        Never = "never",
    }
}

open_enum! {
    /// `continuousAccessEvaluationMode` (beta session control).
    pub enum ContinuousAccessEvaluationMode: "continuousAccessEvaluationMode" {
        StrictEnforcement = "strictEnforcement",
        Disabled = "disabled",
        UnknownFutureValue = "unknownFutureValue",
        StrictLocation = "strictLocation",
    }
}

open_enum! {
    /// `countryLookupMethodType` of a country named location.
    pub enum CountryLookupMethod: "countryLookupMethodType" {
        ClientIpAddress = "clientIpAddress",
        AuthenticatorAppGps = "authenticatorAppGps",
        UnknownFutureValue = "unknownFutureValue",
    }
}

open_enum! {
    /// `authenticationStrengthPolicyType`.
    pub enum AuthenticationStrengthPolicyType: "authenticationStrengthPolicyType" {
        BuiltIn = "builtIn",
        Custom = "custom",
        UnknownFutureValue = "unknownFutureValue",
    }
}

open_enum! {
    /// `authenticationStrengthRequirements` (flags).
    pub enum AuthenticationStrengthRequirement: "authenticationStrengthRequirements" {
        None = "none",
        Mfa = "mfa",
        UnknownFutureValue = "unknownFutureValue",
    }
}
