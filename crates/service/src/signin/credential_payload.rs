//! The stored payload of each credential kind the sign-in pipeline verifies, and its
//! mapping to the pipeline's [`RegisteredMethod`]. Whoever registers a method (My
//! security info, the admin API, the helpdesk) writes these shapes; the sign-in service
//! reads and updates them (TOTP step, pass use, send throttle).
//!
//! | `CredentialKind` | `payload` |
//! |---|---|
//! | `password` | [`PasswordPayload`] `{"phc": "$argon2id$…", "mustChange": false}` |
//! | `softwareOath` | [`TotpPayload`] `{"secret": "<base32>", "config": {…}, "lastUsedStep": 123}` |
//! | `phone` | [`PhonePayload`] `{"phoneNumber": "+1…", "channel": "sms"\|"voice", "throttle": {…}}` |
//! | `email` | [`EmailPayload`] `{"emailAddress": "…", "throttle": {…}}` |
//! | `temporaryAccessPass` | [`TemporaryAccessPassPayload`] `{"pass": {…}}` |
//! | `fido2` | owned by the passkey code; the AAGUID is read from `metadata.aaGuid` |
//! | `microsoftAuthenticator` | owned by the push code (any payload) |

use portcullis_authn::otp_code::SendThrottle;
use portcullis_authn::tap::TemporaryAccessPass;
use portcullis_authn::totp::{Totp, TotpConfig, TotpSecret};
use portcullis_core::{Credential, CredentialKind};
use portcullis_signin::{MethodMaterial, PasswordRecord, PhoneChannel, RegisteredMethod};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Why a stored credential cannot be used (logged; the method is left out).
#[derive(Debug, thiserror::Error)]
#[error("credential payload of kind {kind} does not decode: {reason}")]
pub struct PayloadError {
    pub kind: &'static str,
    pub reason: String,
}

fn decode<T: for<'de> Deserialize<'de>>(credential: &Credential) -> Result<T, PayloadError> {
    // Read from the payload in place (every method of every step decodes its payload).
    T::deserialize(&credential.payload).map_err(|err| PayloadError {
        kind: credential.kind.as_str(),
        reason: err.to_string(),
    })
}

fn encode<T: Serialize>(value: &T) -> Value {
    // These are plain data structs: serialising cannot fail.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordPayload {
    /// argon2id PHC string.
    pub phc: String,
    /// An admin asked for a change at next sign-in.
    #[serde(default)]
    pub must_change: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotpPayload {
    /// The shared secret in base32 (RFC 4648, no padding).
    pub secret: String,
    #[serde(default)]
    pub config: TotpConfig,
    /// The last time step accepted (replay protection).
    #[serde(default)]
    pub last_used_step: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhonePayload {
    /// E.164.
    pub phone_number: String,
    pub channel: PhoneChannel,
    #[serde(default)]
    pub throttle: SendThrottle,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailPayload {
    pub email_address: String,
    #[serde(default)]
    pub throttle: SendThrottle,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemporaryAccessPassPayload {
    pub pass: TemporaryAccessPass,
}

macro_rules! payload_codec {
    ($($ty:ty),*) => {$(
        impl $ty {
            /// This payload as stored in `Credential::payload`.
            pub fn to_value(&self) -> Value {
                encode(self)
            }

            /// Reads the payload of `credential`.
            pub fn from_credential(credential: &Credential) -> Result<Self, PayloadError> {
                decode(credential)
            }
        }
    )*};
}

payload_codec!(
    PasswordPayload,
    TotpPayload,
    PhonePayload,
    EmailPayload,
    TemporaryAccessPassPayload
);

/// The password record of a `password` credential.
pub fn password_record(credential: &Credential) -> Result<PasswordRecord, PayloadError> {
    let payload = PasswordPayload::from_credential(credential)?;
    Ok(PasswordRecord {
        phc: payload.phc,
        must_change: payload.must_change,
    })
}

/// The pipeline's view of a registered method; `Ok(None)` for the password (not a
/// `RegisteredMethod`).
pub fn registered_method(
    credential: &Credential,
) -> Result<Option<RegisteredMethod>, PayloadError> {
    let material = match credential.kind {
        CredentialKind::Password => return Ok(None),
        CredentialKind::SoftwareOath => {
            let payload = TotpPayload::from_credential(credential)?;
            let secret = TotpSecret::from_base32(&payload.secret).map_err(|err| PayloadError {
                kind: credential.kind.as_str(),
                reason: err.to_string(),
            })?;
            MethodMaterial::Totp {
                totp: Totp::new(secret, payload.config),
                last_used_step: payload.last_used_step,
            }
        }
        CredentialKind::Phone => {
            let payload = PhonePayload::from_credential(credential)?;
            MethodMaterial::Phone {
                number: payload.phone_number,
                channel: payload.channel,
                throttle: payload.throttle,
            }
        }
        CredentialKind::Email => {
            let payload = EmailPayload::from_credential(credential)?;
            MethodMaterial::Email {
                address: payload.email_address,
                throttle: payload.throttle,
            }
        }
        CredentialKind::TemporaryAccessPass => MethodMaterial::TemporaryAccessPass(
            TemporaryAccessPassPayload::from_credential(credential)?.pass,
        ),
        CredentialKind::Fido2 => MethodMaterial::Passkey {
            aaguid: aaguid_of(credential),
        },
        CredentialKind::MicrosoftAuthenticator => MethodMaterial::AuthenticatorPush,
    };
    Ok(Some(RegisteredMethod {
        credential_id: credential.id.clone(),
        display_name: credential.display_name.clone(),
        material,
    }))
}

/// The passkey's authenticator model: `metadata.aaGuid` (Graph's name), or the payload's.
fn aaguid_of(credential: &Credential) -> Option<Uuid> {
    ["aaGuid", "aaguid"]
        .iter()
        .find_map(|key| {
            credential
                .metadata
                .get(key)
                .or_else(|| credential.payload.get(key))
        })
        .and_then(Value::as_str)
        .and_then(|text| Uuid::try_parse(text).ok())
}
