//! Graph's `authenticationMethod` subtypes for a stored method. Secrets are never
//! returned (`password`, `secretKey`, `temporaryAccessPass` are `null`, as in Graph).

use portcullis_core::CredentialKind;
use portcullis_service::security_info::{MethodDetail, SecurityMethod};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

/// The typed collections under `/authentication`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphMethodKind {
    Fido2,
    SoftwareOath,
    TemporaryAccessPass,
    Email,
    Phone,
}

impl GraphMethodKind {
    pub fn credential_kind(self) -> CredentialKind {
        match self {
            GraphMethodKind::Fido2 => CredentialKind::Fido2,
            GraphMethodKind::SoftwareOath => CredentialKind::SoftwareOath,
            GraphMethodKind::TemporaryAccessPass => CredentialKind::TemporaryAccessPass,
            GraphMethodKind::Email => CredentialKind::Email,
            GraphMethodKind::Phone => CredentialKind::Phone,
        }
    }

    pub fn segment(self) -> &'static str {
        match self {
            GraphMethodKind::Fido2 => "fido2Methods",
            GraphMethodKind::SoftwareOath => "softwareOathMethods",
            GraphMethodKind::TemporaryAccessPass => "temporaryAccessPassMethods",
            GraphMethodKind::Email => "emailMethods",
            GraphMethodKind::Phone => "phoneMethods",
        }
    }
}

fn time(value: time::OffsetDateTime) -> Value {
    value
        .format(&Rfc3339)
        .map(Value::String)
        .unwrap_or(Value::Null)
}

/// The Graph object; `None` for an unreadable stored method (left out of listings).
pub fn method_json(method: &SecurityMethod) -> Option<Value> {
    let created = time(method.created_date_time);
    let id = method.id.as_str();
    let shape = match &method.detail {
        MethodDetail::Password => json!({
            "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
            "id": id,
            "password": null,
            "createdDateTime": created,
        }),
        MethodDetail::AuthenticatorApp => json!({
            "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
            "id": id,
            "secretKey": null,
            "displayName": method.display_name,
            "createdDateTime": created,
        }),
        MethodDetail::Passkey {
            aaguid,
            passkey_type,
            clone_suspected,
        } => json!({
            "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
            "id": id,
            "displayName": method.display_name,
            "createdDateTime": created,
            "aaGuid": aaguid.unwrap_or(uuid::Uuid::nil()).to_string(),
            "model": null,
            "attestationLevel": "notAttested",
            "attestationCertificates": [],
            "passkeyType": passkey_type,
            // Portcullis's own: a signature-counter regression flagged it.
            "cloneSuspected": clone_suspected,
        }),
        MethodDetail::Phone {
            phone_number,
            phone_type,
        } => json!({
            "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
            "id": id,
            "phoneNumber": phone_number,
            "phoneType": phone_type,
            "smsSignInState": "notSupported",
        }),
        MethodDetail::Email { email_address } => json!({
            "@odata.type": "#microsoft.graph.emailAuthenticationMethod",
            "id": id,
            "emailAddress": email_address,
        }),
        MethodDetail::PushApp => json!({
            "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
            "id": id,
            "displayName": method.display_name,
            "createdDateTime": created,
            "deviceTag": null,
            "phoneAppVersion": null,
        }),
        MethodDetail::TemporaryAccessPass {
            start_date_time,
            lifetime_in_minutes,
            is_usable_once,
            is_usable,
            method_usability_reason,
        } => json!({
            "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
            "id": id,
            "temporaryAccessPass": null,
            "createdDateTime": created,
            "startDateTime": time(*start_date_time),
            "lifetimeInMinutes": lifetime_in_minutes,
            "isUsableOnce": is_usable_once,
            "isUsable": is_usable,
            "methodUsabilityReason": method_usability_reason,
        }),
        MethodDetail::Unreadable => return None,
    };
    Some(shape)
}
