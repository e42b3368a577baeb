//! The sign-in being judged: Portcullis's own documented JSON (camelCase), the input of
//! `portcullis policy evaluate` and of every protocol path.
//!
//! ```json
//! {
//!   "identity": { "kind": "user", "id": "…", "userType": "member",
//!                 "guestOrExternalUserType": null, "externalTenantId": null,
//!                 "groupIds": ["…"], "roleTemplateIds": ["62e90394-…"] },
//!   "target": { "kind": "application", "appId": "00000003-0000-0ff1-ce00-000000000000" },
//!   "clientAppType": "browser",
//!   "devicePlatform": "windows",
//!   "ipAddress": "203.0.113.7",
//!   "country": "NL",
//!   "device": { "deviceId": "…", "trustType": "AzureAD", "isCompliant": true },
//!   "signInRiskLevel": "none", "userRiskLevel": "none",
//!   "insiderRiskLevel": null, "servicePrincipalRiskLevel": null,
//!   "authenticationFlow": null,
//!   "session": { "authenticatedAt": "2026-11-23T08:00:00Z",
//!                "methods": [ { "method": "password", "at": "2026-11-23T08:00:00Z" },
//!                             { "method": "microsoftAuthenticatorPush", "at": "2026-11-23T08:00:05Z" } ] },
//!   "facts": { "deviceCompliant": true, "deviceHybridJoined": false, "approvedApplication": false,
//!              "appProtectionPolicy": false, "passwordChanged": false, "riskRemediated": false,
//!              "acceptedTermsOfUse": [], "satisfiedCustomControls": [],
//!              "mfaRegistered": true, "unfamiliarSignInProperties": false,
//!              "securityDefaultsFirstInteractiveSignInAt": null },
//!   "now": "2026-11-23T08:00:06Z"
//! }
//! ```
//!
//! `identity.kind` is `user` or `servicePrincipal` (`{ "kind": "servicePrincipal", "id": "…" }`);
//! `target.kind` is `application` (`appId`), `userAction` (`userAction`:
//! `urn:user:registersecurityinfo` or `urn:user:registerdevice`) or `authenticationContext`
//! (`id`: `c1` … `c99`, optional `appId`). Every signal but `identity`, `target` and `now` may be omitted
//! (`null`); what an omitted signal means is documented on each field.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::device_filter::DeviceProperties;
use crate::model::{
    ClientAppType, DevicePlatform, GuestOrExternalUserType, InsiderRiskLevel, RiskLevel,
    TransferMethod, UserAction,
};
use crate::strength::{AuthenticationMethodMode, MethodCredential, MethodDetail};

/// One sign-in (or token refresh, forward-auth check, LDAP bind, RADIUS request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInContext {
    /// Who is signing in.
    pub identity: SignInIdentity,
    /// What is being accessed.
    pub target: SignInTarget,
    /// `browser`, `mobileAppsAndDesktopClients`, `exchangeActiveSync` or `other`
    /// (`easSupported` reads as `exchangeActiveSync`). Omitted reads as `other`: Entra
    /// files every client it cannot identify as a modern client under "Other clients",
    /// and that is also the reading under which legacy-authentication blocks still apply.
    #[serde(default)]
    pub client_app_type: Option<ClientAppType>,
    /// The platform from the user agent. Omitted means an unknown platform, which only
    /// an `all` include matches and no exclusion removes (entra.md §2.2; this is how
    /// "block unknown platforms" policies work).
    #[serde(default)]
    pub device_platform: Option<DevicePlatform>,
    /// The client IP as Portcullis sees it (never `X-Forwarded-For` from an untrusted hop).
    /// Omitted: no IP location matches, so the sign-in is in no trusted location.
    #[serde(default)]
    pub ip_address: Option<IpAddr>,
    /// ISO 3166 two-letter country of the IP, or omitted/`null` when it maps to no country
    /// ("unknown countries and regions").
    #[serde(default)]
    pub country: Option<String>,
    /// Country reported by the authenticator app's GPS, used by country locations whose
    /// `countryLookupMethod` is `authenticatorAppGps`. Omitted: unknown.
    #[serde(default)]
    pub gps_country: Option<String>,
    /// The device's filter properties. Omitted: an unregistered device (every property
    /// null, entra.md §2.6).
    #[serde(default)]
    pub device: Option<DeviceProperties>,
    /// Sign-in risk. Omitted reads as `none`.
    #[serde(default)]
    pub sign_in_risk_level: Option<RiskLevel>,
    /// User risk. Omitted reads as `none`.
    #[serde(default)]
    pub user_risk_level: Option<RiskLevel>,
    /// Insider risk (`minor`, `moderate`, `elevated`). Omitted: no insider risk.
    #[serde(default)]
    pub insider_risk_level: Option<InsiderRiskLevel>,
    /// Service principal risk (workload identities only). Omitted reads as `none`.
    #[serde(default)]
    pub service_principal_risk_level: Option<RiskLevel>,
    /// The transfer method of this session: `deviceCodeFlow` or `authenticationTransfer`.
    /// Pass the session's *original* transfer method for later requests of the same
    /// session (entra.md §11.5 "protocol tracking"). Omitted: neither.
    #[serde(default)]
    pub authentication_flow: Option<TransferMethod>,
    /// What this session has already proven, and when.
    #[serde(default)]
    pub session: SessionState,
    /// Non-interactive facts the grant controls check.
    #[serde(default)]
    pub facts: SessionFacts,
    /// The current time (the engine has no clock).
    #[serde(with = "time::serde::rfc3339")]
    pub now: OffsetDateTime,
}

/// Who signs in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SignInIdentity {
    /// A user.
    User(UserIdentity),
    /// A workload identity (service principal), as in a client-credentials grant.
    #[serde(rename_all = "camelCase")]
    ServicePrincipal {
        /// The service principal object ID.
        id: String,
    },
}

/// A user and the directory facts policies match on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    /// The user object ID.
    pub id: String,
    /// `member` or `guest`.
    #[serde(default)]
    pub user_type: UserType,
    /// For guests and external users: which kind. A `guest` without one counts as
    /// `b2bCollaborationGuest` (an invited guest from another tenant, the common case).
    #[serde(default)]
    pub guest_or_external_user_type: Option<GuestOrExternalUserType>,
    /// The home tenant of an external user (matched against `externalTenants`).
    #[serde(default)]
    pub external_tenant_id: Option<String>,
    /// Every group the user is in, directly or through nesting (transitive).
    #[serde(default)]
    pub group_ids: Vec<String>,
    /// Directory role template IDs of the user's active, tenant-wide built-in roles.
    #[serde(default)]
    pub role_template_ids: Vec<String>,
}

/// `userType`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UserType {
    /// An internal user.
    #[default]
    Member,
    /// A guest.
    Guest,
}

impl UserIdentity {
    /// The guest or external type policies see, or `None` for an internal member.
    pub fn effective_guest_type(&self) -> Option<GuestOrExternalUserType> {
        match (&self.guest_or_external_user_type, self.user_type) {
            (Some(GuestOrExternalUserType::None), UserType::Guest) | (None, UserType::Guest) => {
                Some(GuestOrExternalUserType::B2bCollaborationGuest)
            }
            (Some(GuestOrExternalUserType::None), UserType::Member) | (None, UserType::Member) => {
                None
            }
            (Some(kind), _) => Some(kind.clone()),
        }
    }
}

/// What the sign-in asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SignInTarget {
    /// A resource application.
    #[serde(rename_all = "camelCase")]
    Application {
        /// Its application (client) ID.
        app_id: String,
    },
    /// A user action (register security information, register or join a device).
    #[serde(rename_all = "camelCase")]
    UserAction {
        /// `urn:user:registersecurityinfo` or `urn:user:registerdevice`.
        user_action: UserAction,
    },
    /// An authentication context an application asked for (`acrs` claim). Policies
    /// targeting the context apply, and, when `appId` is given, so do the policies of
    /// that application (the context is asked for while accessing it).
    #[serde(rename_all = "camelCase")]
    AuthenticationContext {
        /// `c1` … `c99`.
        id: String,
        /// The application being accessed, if any.
        #[serde(default)]
        app_id: Option<String>,
    },
}

/// The authentication state of the session so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionState {
    /// When the first factor of this session was performed. Omitted: now (a fresh
    /// interactive sign-in).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub authenticated_at: Option<OffsetDateTime>,
    /// Every method performed in this session, with when.
    #[serde(default)]
    pub methods: Vec<UsedMethod>,
}

/// One method performed in the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsedMethod {
    /// The `authenticationMethodModes` name (`password`, `fido2`, `sms`, …).
    pub method: AuthenticationMethodMode,
    /// When it was performed.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// FIDO2: the authenticator model, when the ceremony reported one.
    #[serde(default)]
    pub aaguid: Option<Uuid>,
    /// Certificates: the issuer's subject key identifier (hex).
    #[serde(default)]
    pub certificate_issuer_ski: Option<String>,
    /// Certificates: the certificate policy OIDs.
    #[serde(default)]
    pub certificate_policy_oids: Vec<String>,
}

impl UsedMethod {
    /// The method as the strength module sees it.
    pub fn credential(&self) -> MethodCredential {
        let detail = match self.method {
            AuthenticationMethodMode::Fido2 => MethodDetail::Fido2 {
                aaguid: self.aaguid,
            },
            AuthenticationMethodMode::X509CertificateSingleFactor
            | AuthenticationMethodMode::X509CertificateMultiFactor => {
                MethodDetail::X509Certificate {
                    issuer_ski: self.certificate_issuer_ski.clone(),
                    policy_oids: self.certificate_policy_oids.clone(),
                }
            }
            _ => MethodDetail::None,
        };
        MethodCredential {
            mode: self.method.clone(),
            detail,
        }
    }
}

/// Facts established without asking the user, as of this sign-in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionFacts {
    /// The device is marked compliant (satisfies `compliantDevice`).
    pub device_compliant: bool,
    /// The device is hybrid joined (satisfies `domainJoinedDevice`).
    pub device_hybrid_joined: bool,
    /// The client is an approved client app (satisfies `approvedApplication`).
    pub approved_application: bool,
    /// The client app has an app protection policy (satisfies `compliantApplication`).
    pub app_protection_policy: bool,
    /// The user changed their password securely in this sign-in (satisfies `passwordChange`).
    pub password_changed: bool,
    /// The risk was remediated in this sign-in (satisfies `riskRemediation`).
    pub risk_remediated: bool,
    /// Terms-of-use agreement IDs the user has accepted.
    pub accepted_terms_of_use: Vec<String>,
    /// Custom control IDs satisfied in this sign-in.
    pub satisfied_custom_controls: Vec<String>,
    /// The user has registered at least one MFA method (security defaults registration).
    pub mfa_registered: bool,
    /// The sign-in has unfamiliar properties for this user (new country, network or
    /// device); security defaults ask for MFA then.
    pub unfamiliar_sign_in_properties: bool,
    /// When the user's first successful interactive sign-in after security defaults were
    /// enabled happened; starts the 14-day registration grace. Omitted: this sign-in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub security_defaults_first_interactive_sign_in_at: Option<OffsetDateTime>,
}

impl SignInContext {
    /// The application accessed, if any (an application target, or an authentication
    /// context asked for while accessing an app).
    pub fn target_app_id(&self) -> Option<&str> {
        match &self.target {
            SignInTarget::Application { app_id } => Some(app_id),
            SignInTarget::AuthenticationContext { app_id, .. } => app_id.as_deref(),
            SignInTarget::UserAction { .. } => None,
        }
    }
}
