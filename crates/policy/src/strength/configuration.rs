//! Advanced options of a strength (`combinationConfigurations`, `entra.md` §4): which FIDO2
//! authenticator models and which certificates may satisfy the combinations they apply to.

use uuid::Uuid;

use super::combination::Combination;
use super::credential::{MethodCredential, MethodDetail};
use super::method::AuthenticationMethodMode;

/// Only the first this-many policy OIDs of a certificate, in lexical order, count (§4).
const CERTIFICATE_POLICY_OIDS_CONSIDERED: usize = 5;

/// One `authenticationCombinationConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CombinationConfiguration {
    /// `fido2CombinationConfiguration`.
    Fido2 {
        applies_to_combinations: Vec<Combination>,
        /// Allowed authenticator models. Empty means no restriction.
        allowed_aaguids: Vec<Uuid>,
    },
    /// `x509CertificateCombinationConfiguration`.
    X509Certificate {
        applies_to_combinations: Vec<Combination>,
        /// Allowed issuer subject key identifiers (hex, case-insensitive). Empty: any issuer.
        allowed_issuer_skis: Vec<String>,
        /// Allowed certificate policy OIDs. Empty: any policy.
        allowed_policy_oids: Vec<String>,
    },
}

impl CombinationConfiguration {
    /// The combinations this configuration restricts.
    pub fn applies_to_combinations(&self) -> &[Combination] {
        match self {
            CombinationConfiguration::Fido2 {
                applies_to_combinations,
                ..
            }
            | CombinationConfiguration::X509Certificate {
                applies_to_combinations,
                ..
            } => applies_to_combinations,
        }
    }

    /// Whether the configuration restricts `combination`.
    pub fn applies_to(&self, combination: &Combination) -> bool {
        self.applies_to_combinations().contains(combination)
    }

    /// Whether `credential` passes this configuration. Credentials of a mode the
    /// configuration does not restrict always pass; a restricted credential without the
    /// detail needed to check it fails (a restriction never passes on missing evidence).
    pub fn accepts(&self, credential: &MethodCredential) -> bool {
        match self {
            CombinationConfiguration::Fido2 {
                allowed_aaguids, ..
            } => {
                if credential.mode != AuthenticationMethodMode::Fido2 || allowed_aaguids.is_empty()
                {
                    return true;
                }
                matches!(
                    &credential.detail,
                    MethodDetail::Fido2 { aaguid: Some(aaguid) } if allowed_aaguids.contains(aaguid)
                )
            }
            CombinationConfiguration::X509Certificate {
                allowed_issuer_skis,
                allowed_policy_oids,
                ..
            } => {
                let is_certificate = matches!(
                    credential.mode,
                    AuthenticationMethodMode::X509CertificateSingleFactor
                        | AuthenticationMethodMode::X509CertificateMultiFactor
                );
                if !is_certificate {
                    return true;
                }
                let (issuer_ski, policy_oids) = match &credential.detail {
                    MethodDetail::X509Certificate {
                        issuer_ski,
                        policy_oids,
                    } => (issuer_ski.as_deref(), policy_oids.as_slice()),
                    _ => (None, &[][..]),
                };
                issuer_allowed(allowed_issuer_skis, issuer_ski)
                    && policy_allowed(allowed_policy_oids, policy_oids)
            }
        }
    }
}

fn issuer_allowed(allowed: &[String], issuer_ski: Option<&str>) -> bool {
    if allowed.is_empty() {
        return true;
    }
    issuer_ski.is_some_and(|ski| {
        allowed
            .iter()
            .any(|a| a.trim().eq_ignore_ascii_case(ski.trim()))
    })
}

fn policy_allowed(allowed: &[String], certificate_oids: &[String]) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let mut considered: Vec<&str> = certificate_oids.iter().map(String::as_str).collect();
    considered.sort_unstable();
    considered
        .iter()
        .take(CERTIFICATE_POLICY_OIDS_CONSIDERED)
        .any(|oid| allowed.iter().any(|a| a == oid))
}
