//! The facts of a registration that webauthn-rs's `Passkey` does not expose: the
//! authenticator model (AAGUID), the user-verified and backup-eligible flags.
//!
//! Read from the attestation object of a response that webauthn-rs has already verified
//! (signature over these very bytes, challenge, origin), so they are what the
//! authenticator said. Parsing is webauthn-rs's own (`AuthenticatorData`); only the
//! CBOR envelope around it is opened here.

use ciborium::Value;
use uuid::Uuid;
use webauthn_rs_core::internals::AuthenticatorData;
use webauthn_rs_core::proto::Registration;

use crate::error::PasskeyError;

pub(crate) struct RegistrationFacts {
    pub aaguid: Option<Uuid>,
    pub user_verified: bool,
    pub backup_eligible: bool,
}

pub(crate) fn registration_facts(
    attestation_object: &[u8],
) -> Result<RegistrationFacts, PasskeyError> {
    let malformed =
        |what: &str| PasskeyError::MalformedResponse(format!("attestation object: {what}"));
    let envelope: Value =
        ciborium::from_reader(attestation_object).map_err(|_| malformed("not CBOR"))?;
    let auth_data = envelope
        .as_map()
        .and_then(|entries| {
            entries
                .iter()
                .find(|(key, _)| key.as_text() == Some("authData"))
                .and_then(|(_, value)| value.as_bytes())
        })
        .ok_or_else(|| malformed("no authData"))?;
    let data = AuthenticatorData::<Registration>::try_from(auth_data.as_slice())
        .map_err(|_| malformed("authData unreadable"))?;
    let aaguid = data
        .acd
        .as_ref()
        .map(|acd| Uuid::from_bytes(acd.aaguid))
        .filter(|aaguid| !aaguid.is_nil());
    Ok(RegistrationFacts {
        aaguid,
        user_verified: data.user_verified,
        backup_eligible: data.backup_eligible,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for input in [
            &b""[..],
            b"\xff\xff",
            b"\xa1\x67authData\x01",
            b"\xa1\x67authData\x42ab",
        ] {
            assert!(matches!(
                registration_facts(input),
                Err(PasskeyError::MalformedResponse(_))
            ));
        }
    }
}
