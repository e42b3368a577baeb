//! My security info template data.

use askama::Template;
use portcullis_core::CredentialKind;
use portcullis_service::security_info::{MethodDetail, SecurityMethod};

/// One row of the methods list.
pub struct MethodRow {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub is_default: bool,
    /// Password and passes are not renamed, removed or made default here.
    pub manageable: bool,
    pub note: Option<String>,
}

impl MethodRow {
    pub fn new(method: &SecurityMethod) -> Self {
        let kind = match method.kind {
            CredentialKind::Password => "Password",
            CredentialKind::SoftwareOath => "Authenticator app",
            CredentialKind::Fido2 => "Passkey",
            CredentialKind::MicrosoftAuthenticator => "Portcullis Authenticator",
            CredentialKind::Phone => "Phone",
            CredentialKind::Email => "Email",
            CredentialKind::TemporaryAccessPass => "Temporary Access Pass",
        };
        let note = match &method.detail {
            MethodDetail::Passkey {
                clone_suspected: true,
                ..
            } => Some("Suspected copy: no longer signs in. Remove it.".to_owned()),
            MethodDetail::Phone { phone_number, .. } => phone_number.clone(),
            MethodDetail::Email { email_address } => email_address.clone(),
            MethodDetail::TemporaryAccessPass { is_usable, .. } => {
                Some(if *is_usable { "Usable" } else { "Not usable" }.to_owned())
            }
            _ => None,
        };
        MethodRow {
            id: method.id.to_string(),
            kind,
            name: method
                .display_name
                .clone()
                .unwrap_or_else(|| kind.to_owned()),
            is_default: method.is_default,
            manageable: !matches!(
                method.kind,
                CredentialKind::Password | CredentialKind::TemporaryAccessPass
            ),
            note,
        }
    }
}

#[derive(Template)]
#[template(path = "security_info/list.html")]
pub struct ListPage {
    pub csrf: String,
    pub user_name: String,
    pub rows: Vec<MethodRow>,
    pub error: Option<String>,
    /// Whether the methods policy lets the user add a phone / an email address.
    pub offer_phone: bool,
    pub offer_email: bool,
}

#[derive(Template)]
#[template(path = "security_info/totp.html")]
pub struct TotpPage {
    pub csrf: String,
    pub setup: crate::signin::views::TotpSetupView,
}
