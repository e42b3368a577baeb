//! A method a user has used in this sign-in session, or has registered, with the detail a
//! combination configuration may check.

use uuid::Uuid;

use super::method::AuthenticationMethodMode;

/// One authentication method instance: the mode plus what restrictions look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodCredential {
    pub mode: AuthenticationMethodMode,
    pub detail: MethodDetail,
}

/// Detail of a method instance that combination configurations restrict.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum MethodDetail {
    /// Nothing beyond the mode (password, OTP, push, TAP, …), or not known.
    #[default]
    None,
    /// A passkey; `aaguid` is the authenticator model if the ceremony reported one.
    Fido2 { aaguid: Option<Uuid> },
    /// A client certificate: its issuer's subject key identifier (hex, as Graph writes it)
    /// and its certificate policy OIDs.
    X509Certificate {
        issuer_ski: Option<String>,
        policy_oids: Vec<String>,
    },
}

impl MethodCredential {
    /// A method without detail.
    pub fn new(mode: AuthenticationMethodMode) -> Self {
        Self {
            mode,
            detail: MethodDetail::None,
        }
    }

    /// A passkey of the given authenticator model.
    pub fn fido2(aaguid: Uuid) -> Self {
        Self {
            mode: AuthenticationMethodMode::Fido2,
            detail: MethodDetail::Fido2 {
                aaguid: Some(aaguid),
            },
        }
    }

    /// A certificate sign-in (`mode` is `x509CertificateSingleFactor` or
    /// `x509CertificateMultiFactor`).
    pub fn x509_certificate(
        mode: AuthenticationMethodMode,
        issuer_ski: Option<String>,
        policy_oids: Vec<String>,
    ) -> Self {
        Self {
            mode,
            detail: MethodDetail::X509Certificate {
                issuer_ski,
                policy_oids,
            },
        }
    }
}
