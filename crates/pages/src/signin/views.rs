//! The sign-in pages' template data.

use askama::Template;
use portcullis_authn::methods::MethodKind;
use portcullis_signin::OfferedMethod;

use super::continuation::Continuation;
use crate::labels::method_name;

/// The hidden fields every step's form carries.
#[derive(Debug, Clone)]
pub struct FlowFields {
    pub csrf: String,
    /// The transaction handle (empty before the transaction begins).
    pub handle: String,
    pub next: Continuation,
}

#[derive(Template)]
#[template(path = "signin/start.html")]
pub struct StartPage {
    pub flow: FlowFields,
    pub username: String,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "signin/password.html")]
pub struct PasswordPage {
    pub flow: FlowFields,
    pub username: String,
    pub error: Option<&'static str>,
}

/// How one offered method is answered on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodForm {
    Totp,
    /// A button that sends a code (SMS, voice, email).
    SendCode,
    /// The code was sent: the entry field and "send a new code".
    EnterCode,
    Passkey,
    TemporaryAccessPass,
    /// A request to the Portcullis Authenticator (`signin::push`).
    Push,
    /// A method these pages do not drive.
    Unavailable,
}

/// One offered method, ready to render.
#[derive(Debug, Clone)]
pub struct OfferedView {
    pub label: &'static str,
    pub credential_id: String,
    pub display_name: Option<String>,
    pub form: MethodForm,
    pub prompted: bool,
}

impl OfferedView {
    pub fn new(method: &OfferedMethod, code_sent: bool) -> Self {
        let form = match method.kind {
            MethodKind::Totp => MethodForm::Totp,
            MethodKind::Sms | MethodKind::Voice | MethodKind::Email if code_sent => {
                MethodForm::EnterCode
            }
            MethodKind::Sms | MethodKind::Voice | MethodKind::Email => MethodForm::SendCode,
            MethodKind::Fido2 => MethodForm::Passkey,
            MethodKind::TemporaryAccessPassOneTime | MethodKind::TemporaryAccessPassMultiUse => {
                MethodForm::TemporaryAccessPass
            }
            MethodKind::AuthenticatorPush => MethodForm::Push,
            MethodKind::Password | MethodKind::PasswordlessPhoneSignIn => MethodForm::Unavailable,
        };
        OfferedView {
            label: method_name(method.kind),
            credential_id: method.credential_id.to_string(),
            display_name: method.display_name.clone(),
            form,
            prompted: false,
        }
    }
}

#[derive(Template)]
#[template(path = "signin/challenge.html")]
pub struct ChallengePage {
    pub flow: FlowFields,
    pub register_purpose: bool,
    pub error: Option<&'static str>,
    pub notice: Option<String>,
    pub prompted: Option<OfferedView>,
    pub others: Vec<OfferedView>,
}

/// A method the registration interrupt offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationChoice {
    Totp,
    Passkey,
    /// The Portcullis Authenticator, activated with a one-time link (the campaign's target).
    Authenticator,
    /// A phone for text messages or calls, verified with a code sent to it.
    Phone,
    /// An email address, verified with a code sent to it.
    Email,
    /// Offered by policy but not registrable on this page.
    Unavailable(&'static str),
}

impl RegistrationChoice {
    pub fn for_kind(kind: MethodKind) -> Self {
        match kind {
            MethodKind::Totp => RegistrationChoice::Totp,
            MethodKind::Fido2 => RegistrationChoice::Passkey,
            MethodKind::AuthenticatorPush => RegistrationChoice::Authenticator,
            MethodKind::Sms | MethodKind::Voice => RegistrationChoice::Phone,
            MethodKind::Email => RegistrationChoice::Email,
            other => RegistrationChoice::Unavailable(method_name(other)),
        }
    }
}

#[derive(Template)]
#[template(path = "signin/register.html")]
pub struct RegisterPage {
    pub flow: FlowFields,
    pub campaign: bool,
    pub choices: Vec<RegistrationChoice>,
    /// Human-readable date until which skipping is allowed.
    pub skippable_until: Option<String>,
    pub error: Option<&'static str>,
}

/// An authenticator app being set up.
#[derive(Debug, Clone)]
pub struct TotpSetupView {
    /// Inline SVG of the `otpauth://` URI (generated here, never user text).
    pub qr_svg: String,
    /// The base32 secret, for typing in by hand.
    pub secret: String,
    pub account: String,
    pub digits: u32,
}

impl From<portcullis_service::security_info::TotpEnrolment> for TotpSetupView {
    fn from(enrolment: portcullis_service::security_info::TotpEnrolment) -> Self {
        TotpSetupView {
            qr_svg: enrolment.qr_svg,
            secret: enrolment.secret,
            account: enrolment.account,
            digits: enrolment.digits,
        }
    }
}

#[derive(Template)]
#[template(path = "signin/register_totp.html")]
pub struct RegisterTotpPage {
    pub flow: FlowFields,
    pub setup: TotpSetupView,
    pub error: Option<&'static str>,
}

/// The Portcullis Authenticator being activated inside the sign-in.
#[derive(Template)]
#[template(path = "signin/register_authenticator.html")]
pub struct RegisterAuthenticatorPage {
    pub flow: FlowFields,
    /// Inline SVG of the link (generated by the server, never user text).
    pub qr_svg: String,
    pub link: String,
    /// Minutes left to use the link.
    pub minutes: i64,
    /// Whether "Skip for now" (the campaign's snooze) is still allowed.
    pub skippable: bool,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "signin/password_change.html")]
pub struct PasswordChangePage {
    pub flow: FlowFields,
    pub reason: &'static str,
    /// The reason's name, posted back so a refused password re-renders the same words.
    pub reason_key: &'static str,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "signin/stay.html")]
pub struct StayPage {
    pub csrf: String,
    pub return_to: String,
}

#[derive(Template)]
#[template(path = "signin/continue.html")]
pub struct ContinuePage {
    pub destination: String,
    pub host: String,
}

#[derive(Template)]
#[template(path = "signin/signout.html")]
pub struct SignOutPage {
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "signin/signed_out.html")]
pub struct SignedOutPage;
