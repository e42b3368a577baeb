//! `authenticationStrengthPolicy` and its combination configurations (entra.md §4).
//!
//! This is the data shape only; whether used methods satisfy a strength is decided in
//! `crate::strength`, whose [`Combination`] is also the type of the combinations here, so
//! the engine reads them without conversion.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::extra::{Extra, null_as_default};
use super::{AuthenticationStrengthPolicyType, AuthenticationStrengthRequirement, FlagSet};
use crate::strength::Combination;

/// `authenticationStrengthPolicy`.
///
/// Every field but `id` is optional because a policy's `grantControls` may reference a
/// strength by `{ "id": … }` alone (the write form), while exports embed the full object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationStrengthPolicy {
    /// The strength ID (built-ins are `00000000-0000-0000-0000-00000000000{2,3,4}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Read-only creation time.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_date_time: Option<OffsetDateTime>,
    /// Read-only modification time.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified_date_time: Option<OffsetDateTime>,
    /// `builtIn` or `custom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_type: Option<AuthenticationStrengthPolicyType>,
    /// What the strength satisfies (flags; `mfa` for all built-ins).
    #[serde(default, skip_serializing_if = "FlagSet::is_empty")]
    pub requirements_satisfied: FlagSet<AuthenticationStrengthRequirement>,
    /// The allowed method combinations, each one Graph string (`"password,sms"`); unknown
    /// method names are kept verbatim.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_combinations: Vec<Combination>,
    /// Advanced options (FIDO2 AAGUIDs, certificate issuers and policy OIDs).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub combination_configurations: Vec<CombinationConfiguration>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl AuthenticationStrengthPolicy {
    /// The built-in "Multifactor authentication" strength ID.
    pub const BUILT_IN_MFA_ID: &'static str = "00000000-0000-0000-0000-000000000002";
    /// The built-in "Passwordless MFA" strength ID.
    pub const BUILT_IN_PASSWORDLESS_MFA_ID: &'static str = "00000000-0000-0000-0000-000000000003";
    /// The built-in "Phishing-resistant MFA" strength ID.
    pub const BUILT_IN_PHISHING_RESISTANT_MFA_ID: &'static str =
        "00000000-0000-0000-0000-000000000004";

    /// Whether this is only a reference (`{ "id": … }`) without the combinations, so the
    /// caller must look the strength up by ID.
    pub fn is_reference_only(&self) -> bool {
        self.allowed_combinations.is_empty()
    }
}

/// Which kind of `authenticationCombinationConfiguration` this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CombinationConfigurationKind {
    /// `#microsoft.graph.fido2CombinationConfiguration`.
    Fido2,
    /// `#microsoft.graph.x509CertificateCombinationConfiguration`.
    X509Certificate,
    /// No or another discriminator.
    Other,
}

/// `authenticationCombinationConfiguration` (polymorphic through `@odata.type`). All
/// subtype fields live on one struct; `kind()` says which subtype it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CombinationConfiguration {
    /// The OData discriminator as written.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// The configuration ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The combinations this configuration restricts (e.g. `["fido2"]`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub applies_to_combinations: Vec<Combination>,
    /// FIDO2: allowed authenticator models. Not written when empty.
    #[serde(
        default,
        rename = "allowedAAGUIDs",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_aaguids: Vec<String>,
    /// Certificates: allowed issuer subject key identifiers. Not written when empty.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_issuer_skis: Vec<String>,
    /// Certificates: allowed policy OIDs. Not written when empty.
    #[serde(
        default,
        rename = "allowedPolicyOIDs",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_policy_oids: Vec<String>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl CombinationConfiguration {
    /// The FIDO2 discriminator.
    pub const FIDO2_ODATA_TYPE: &'static str = "#microsoft.graph.fido2CombinationConfiguration";
    /// The certificate discriminator.
    pub const X509_ODATA_TYPE: &'static str =
        "#microsoft.graph.x509CertificateCombinationConfiguration";

    /// Which subtype this is, from the discriminator.
    pub fn kind(&self) -> CombinationConfigurationKind {
        match self.odata_type.as_deref() {
            Some(Self::FIDO2_ODATA_TYPE) => CombinationConfigurationKind::Fido2,
            Some(Self::X509_ODATA_TYPE) => CombinationConfigurationKind::X509Certificate,
            _ => CombinationConfigurationKind::Other,
        }
    }
}
