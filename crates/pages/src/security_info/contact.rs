//! Adding a phone or an email address on My security info: the number or address, a
//! code sent to it, the code typed back. The service decides everything (Conditional
//! Access, the methods policy, validation, attempts, throttling); these handlers render
//! its answers, with the form's own mistakes shown beside the field.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_service::security_info::{
    ContactMethod, ContactOffer, ContactVerification, SecurityInfoError,
};
use portcullis_service::sessions::ActiveSession;
use portcullis_signin::PhoneChannel;
use serde::Deserialize;
use time::OffsetDateTime;

use super::context::{Visit, user_message};
use super::{back_to_list, refused, service};
use crate::kit::{CsrfToken, PageError, PageForm, SignedIn, render, render_status};
use crate::signin::views::FlowFields;
use crate::state::PagesState;

/// Longest input echoed back into a form.
const MAX_ECHO_CHARS: usize = 254;

/// Where the contact forms post: My security info, or the sign-in's registration
/// interrupt (the same pages, with the sign-in's hidden fields).
#[derive(Debug, Clone, Copy)]
pub struct ContactActions {
    pub phone: &'static str,
    pub email: &'static str,
    pub verify: &'static str,
    pub resend: &'static str,
}

pub const SECURITY_INFO_ACTIONS: ContactActions = ContactActions {
    phone: "/security-info/phone",
    email: "/security-info/email",
    verify: "/security-info/verify",
    resend: "/security-info/verify/resend",
};

pub const SIGN_IN_ACTIONS: ContactActions = ContactActions {
    phone: "/signin/register/phone/send",
    email: "/signin/register/email/send",
    verify: "/signin/register/contact/verify",
    resend: "/signin/register/contact/resend",
};

#[derive(Template)]
#[template(path = "security_info/phone.html")]
pub struct PhonePage {
    pub csrf: String,
    /// The sign-in's hidden fields, inside the registration interrupt.
    pub flow: Option<FlowFields>,
    pub actions: ContactActions,
    pub error: Option<String>,
    pub number: String,
    pub number_error: Option<String>,
    pub sms: bool,
    pub voice: bool,
    pub voice_chosen: bool,
}

#[derive(Template)]
#[template(path = "security_info/email.html")]
pub struct EmailPage {
    pub csrf: String,
    pub flow: Option<FlowFields>,
    pub actions: ContactActions,
    pub error: Option<String>,
    pub address: String,
    pub address_error: Option<String>,
}

#[derive(Template)]
#[template(path = "security_info/verify_contact.html")]
pub struct VerifyPage {
    pub csrf: String,
    pub flow: Option<FlowFields>,
    pub actions: ContactActions,
    /// "texted", "are calling you with", "emailed".
    pub how: &'static str,
    pub digits: usize,
    pub destination: String,
    pub minutes: i64,
    /// A neutral status ("a new code was sent").
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl VerifyPage {
    pub fn new(
        csrf: String,
        verification: &ContactVerification,
        now: OffsetDateTime,
        notice: Option<String>,
        error: Option<String>,
    ) -> Self {
        let how = match &verification.method {
            ContactMethod::Phone {
                channel: PhoneChannel::Sms,
                ..
            } => "texted",
            ContactMethod::Phone {
                channel: PhoneChannel::Voice,
                ..
            } => "are calling you with",
            ContactMethod::Email { .. } => "emailed",
        };
        VerifyPage {
            csrf,
            flow: None,
            actions: SECURITY_INFO_ACTIONS,
            how,
            digits: verification.digits,
            destination: verification.method.destination().to_owned(),
            minutes: (verification.expires_at - now).whole_minutes().max(1),
            notice,
            error,
        }
    }

    /// The same page inside a sign-in's registration interrupt.
    pub fn in_sign_in(mut self, flow: FlowFields) -> Self {
        self.flow = Some(flow);
        self.actions = SIGN_IN_ACTIONS;
        self
    }
}

fn echo(text: &str) -> String {
    text.trim().chars().take(MAX_ECHO_CHARS).collect()
}

/// Refusals shown on the form being filled in (the user can fix them there); `None`:
/// the list page answers (a policy refusal) or the error page (our failure).
pub(crate) fn form_message(error: &SecurityInfoError) -> Option<String> {
    match error {
        SecurityInfoError::AlreadyRegistered { .. }
        | SecurityInfoError::SendThrottled { .. }
        | SecurityInfoError::CodeNotSent { .. } => user_message(error),
        _ => None,
    }
}

fn actions_for(flow: &Option<FlowFields>) -> ContactActions {
    match flow {
        Some(_) => SIGN_IN_ACTIONS,
        None => SECURITY_INFO_ACTIONS,
    }
}

/// A method the policy does not offer: back to the list, saying so.
async fn not_offered(
    state: &PagesState,
    visit: Visit,
    what: &'static str,
) -> Result<Response, PageError> {
    refused(
        state,
        visit,
        SecurityInfoError::MethodNotAllowed { method: what },
    )
    .await
}

/// The phone form; `flow`: inside a sign-in's registration interrupt.
pub(crate) fn phone_page(
    csrf: String,
    flow: Option<FlowFields>,
    offer: ContactOffer,
    number: &str,
    channel: PhoneChannel,
    error: Option<String>,
    number_error: Option<String>,
) -> PhonePage {
    PhonePage {
        csrf,
        actions: actions_for(&flow),
        flow,
        error,
        number: echo(number),
        number_error,
        sms: offer.sms,
        voice: offer.voice,
        voice_chosen: channel == PhoneChannel::Voice,
    }
}

/// The address form; `flow`: inside a sign-in's registration interrupt.
pub(crate) fn email_page(
    csrf: String,
    flow: Option<FlowFields>,
    address: &str,
    error: Option<String>,
    address_error: Option<String>,
) -> EmailPage {
    EmailPage {
        csrf,
        actions: actions_for(&flow),
        flow,
        error,
        address: echo(address),
        address_error,
    }
}

/// `GET /security-info/phone`.
pub async fn phone_form(
    State(state): State<PagesState>,
    visit: Visit,
) -> Result<Response, PageError> {
    let offer = service(&state)?.contact_offer(&visit.parts.context());
    if !offer.phone() {
        return not_offered(&state, visit, "Adding a phone").await;
    }
    Ok(render(&phone_page(
        visit.csrf,
        None,
        offer,
        "",
        PhoneChannel::Sms,
        None,
        None,
    )))
}

#[derive(Debug, Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    channel: String,
}

/// `POST /security-info/phone`: sends the code, then the code form.
pub async fn begin_phone(
    State(state): State<PagesState>,
    visit: Visit,
    PageForm(form): PageForm<PhoneForm>,
) -> Result<Response, PageError> {
    let offer = service(&state)?.contact_offer(&visit.parts.context());
    let channel = if form.channel == "voice" {
        PhoneChannel::Voice
    } else {
        PhoneChannel::Sms
    };
    let csrf = visit.csrf.clone();
    let again = |error: Option<String>, number_error: Option<String>| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &phone_page(
                csrf,
                None,
                offer,
                &form.number,
                channel,
                error,
                number_error,
            ),
        )
    };
    begin(
        &state,
        visit,
        ContactMethod::phone(&form.number, channel),
        again,
    )
    .await
}

/// `GET /security-info/email`.
pub async fn email_form(
    State(state): State<PagesState>,
    visit: Visit,
) -> Result<Response, PageError> {
    if !service(&state)?.contact_offer(&visit.parts.context()).email {
        return not_offered(&state, visit, "Adding an email address").await;
    }
    Ok(render(&email_page(visit.csrf, None, "", None, None)))
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    address: String,
}

/// `POST /security-info/email`: sends the code, then the code form.
pub async fn begin_email(
    State(state): State<PagesState>,
    visit: Visit,
    PageForm(form): PageForm<EmailForm>,
) -> Result<Response, PageError> {
    let csrf = visit.csrf.clone();
    let again = |error: Option<String>, address_error: Option<String>| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &email_page(csrf, None, &form.address, error, address_error),
        )
    };
    begin(&state, visit, ContactMethod::email(&form.address), again).await
}

/// Sends the first code to a phone or an address the form named: a badly written one
/// goes back beside its field, a refusal the user can fix above the form (`again`
/// takes the form's message and the field's), a policy's refusal to the list.
async fn begin(
    state: &PagesState,
    visit: Visit,
    method: Result<ContactMethod, SecurityInfoError>,
    again: impl FnOnce(Option<String>, Option<String>) -> Response,
) -> Result<Response, PageError> {
    let method = match method {
        Ok(method) => method,
        Err(error) => return Ok(again(None, user_message(&error))),
    };
    match service(state)?
        .begin_contact_verification(&visit.parts.context(), method, OffsetDateTime::now_utc())
        .await
    {
        Ok(_) => Ok(Redirect::to("/security-info/verify").into_response()),
        Err(error) => match form_message(&error) {
            Some(message) => Ok(again(Some(message), None)),
            None => refused(state, visit, error).await,
        },
    }
}

/// The code form for the verification in progress, or the list when there is none.
async fn code_page(
    state: &PagesState,
    csrf: String,
    active: &ActiveSession,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let now = OffsetDateTime::now_utc();
    let pending = service(state)?
        .pending_contact_verification(active.user_id(), now)
        .await
        .map_err(|e| PageError::internal_from(&e))?;
    let Some(verification) = pending else {
        return Ok(back_to_list());
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_status(
        status,
        &VerifyPage::new(csrf, &verification, now, notice, error),
    ))
}

/// `GET /security-info/verify`.
pub async fn code_form(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    SignedIn(active): SignedIn,
) -> Result<Response, PageError> {
    code_page(&state, csrf, &active, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /security-info/verify`: the method is added if the code is right.
pub async fn finish(
    State(state): State<PagesState>,
    visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let code: String = form.code.trim().chars().take(16).collect();
    match service(&state)?
        .finish_contact_verification(&visit.parts.context(), &code, OffsetDateTime::now_utc())
        .await
    {
        Ok(_) => Ok(back_to_list()),
        Err(
            error @ (SecurityInfoError::WrongVerificationCode { .. }
            | SecurityInfoError::MalformedVerificationCode { .. }),
        ) => {
            code_page(
                &state,
                visit.csrf,
                &visit.active,
                None,
                user_message(&error),
            )
            .await
        }
        Err(error) => refused(&state, visit, error).await,
    }
}

/// `POST /security-info/verify/resend`: a new code (throttled).
pub async fn resend(State(state): State<PagesState>, visit: Visit) -> Result<Response, PageError> {
    let now = OffsetDateTime::now_utc();
    match service(&state)?
        .resend_contact_code(&visit.parts.context(), now)
        .await
    {
        Ok(verification) => Ok(render(&VerifyPage::new(
            visit.csrf,
            &verification,
            now,
            Some("A new code was sent. The previous code no longer works.".to_owned()),
            None,
        ))),
        Err(error @ SecurityInfoError::SendThrottled { .. }) => {
            code_page(
                &state,
                visit.csrf,
                &visit.active,
                None,
                user_message(&error),
            )
            .await
        }
        Err(error) => refused(&state, visit, error).await,
    }
}
