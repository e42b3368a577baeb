//! Adding a phone or an email address inside the sign-in's registration interrupt
//! (`/signin/register/{phone,email}[/send]`, `/signin/register/contact/{verify,resend}`),
//! on the same forms as My security info with the sign-in's hidden fields. The sign-in
//! service decides (the prompt's methods, Conditional Access on registering security
//! info, the methods policy, the code rules); these handlers render its answers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use portcullis_service::security_info::{ContactMethod, ContactOffer, SecurityInfoError};
use portcullis_service::signin::{RegistrationContactError, TransactionId};
use portcullis_signin::PhoneChannel;
use time::OffsetDateTime;

use super::flow;
use super::interrupt::{InterruptForm, render_progress, security_info};
use crate::kit::{CsrfToken, PageError, PageForm, render, render_status};
use crate::security_info::contact::{VerifyPage, email_page, form_message, phone_page};
use crate::security_info::context::user_message;
use crate::state::PagesState;

async fn offer(
    state: &PagesState,
    form: &InterruptForm,
    handle: &TransactionId,
) -> Result<ContactOffer, PageError> {
    state
        .app
        .signin
        .registration_contact_offer(handle, security_info(state)?)
        .await
        .map_err(|e| flow::service_error(e, &form.next))
}

fn not_offered(form: &InterruptForm, what: &str) -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "Not available here",
        format!("{what} cannot be set up in this sign-in. Choose another method."),
    )
    .with_retry(form.next.signin_href())
}

/// A refusal the forms cannot show beside a field (a policy, an ended verification),
/// in the user's words; a failure of the sign-in itself as its own page.
fn refused(error: RegistrationContactError, form: &InterruptForm) -> PageError {
    match error {
        RegistrationContactError::SignIn(error) => flow::service_error(error, &form.next),
        RegistrationContactError::Refused(SecurityInfoError::Service(_)) => PageError::internal(),
        RegistrationContactError::Refused(error) => PageError::new(
            StatusCode::FORBIDDEN,
            "Not accepted",
            user_message(&error).unwrap_or_else(|| error.to_string()),
        )
        .with_retry(form.next.signin_href()),
    }
}

fn channel(form: &InterruptForm, offer: ContactOffer) -> PhoneChannel {
    if form.channel == "voice" || !offer.sms {
        PhoneChannel::Voice
    } else {
        PhoneChannel::Sms
    }
}

/// `POST /signin/register/phone`: the number form.
pub async fn phone_form(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    let offer = offer(&state, &form, &handle).await?;
    if !offer.phone() {
        return Err(not_offered(&form, "A phone"));
    }
    Ok(render(&phone_page(
        csrf.clone(),
        Some(form.flow_fields(&csrf)),
        offer,
        "",
        channel(&form, offer),
        None,
        None,
    )))
}

/// `POST /signin/register/email`: the address form.
pub async fn email_form(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    if !offer(&state, &form, &handle).await?.email {
        return Err(not_offered(&form, "An email address"));
    }
    Ok(render(&email_page(
        csrf.clone(),
        Some(form.flow_fields(&csrf)),
        "",
        None,
        None,
    )))
}

/// `POST /signin/register/phone/send`: sends the code, then the code form.
pub async fn send_phone(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    let offer = offer(&state, &form, &handle).await?;
    let channel = channel(&form, offer);
    let again = |error: Option<String>, number_error: Option<String>| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &phone_page(
                csrf.clone(),
                Some(form.flow_fields(&csrf)),
                offer,
                &form.number,
                channel,
                error,
                number_error,
            ),
        )
    };
    let method = match ContactMethod::phone(&form.number, channel) {
        Ok(method) => method,
        Err(error) => return Ok(again(None, user_message(&error))),
    };
    send(&state, &csrf, &form, &handle, method, |message| {
        again(Some(message), None)
    })
    .await
}

/// `POST /signin/register/email/send`: sends the code, then the code form.
pub async fn send_email(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    let again = |error: Option<String>, address_error: Option<String>| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &email_page(
                csrf.clone(),
                Some(form.flow_fields(&csrf)),
                &form.address,
                error,
                address_error,
            ),
        )
    };
    let method = match ContactMethod::email(&form.address) {
        Ok(method) => method,
        Err(error) => return Ok(again(None, user_message(&error))),
    };
    send(&state, &csrf, &form, &handle, method, |message| {
        again(Some(message), None)
    })
    .await
}

/// Sends the first code; a refusal the user can fix goes back to the form (`again`).
async fn send(
    state: &PagesState,
    csrf: &str,
    form: &InterruptForm,
    handle: &TransactionId,
    method: ContactMethod,
    again: impl FnOnce(String) -> Response,
) -> Result<Response, PageError> {
    match state
        .app
        .signin
        .begin_registration_contact(handle, method, security_info(state)?)
        .await
    {
        Ok(verification) => Ok(render(
            &VerifyPage::new(
                csrf.to_owned(),
                &verification,
                OffsetDateTime::now_utc(),
                None,
                None,
            )
            .in_sign_in(form.flow_fields(csrf)),
        )),
        Err(RegistrationContactError::Refused(error)) if form_message(&error).is_some() => {
            Ok(again(form_message(&error).unwrap_or_default()))
        }
        Err(error) => Err(refused(error, form)),
    }
}

/// The code form again, with a notice or an error.
async fn code_page(
    state: &PagesState,
    csrf: &str,
    form: &InterruptForm,
    handle: &TransactionId,
    error: Option<String>,
) -> Result<Response, PageError> {
    let pending = state
        .app
        .signin
        .pending_registration_contact(handle, security_info(state)?)
        .await
        .map_err(|e| refused(e, form))?;
    let Some(verification) = pending else {
        return Err(refused(
            SecurityInfoError::NoPendingRegistration {
                what: "phone or email",
            }
            .into(),
            form,
        ));
    };
    Ok(render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &VerifyPage::new(
            csrf.to_owned(),
            &verification,
            OffsetDateTime::now_utc(),
            None,
            error,
        )
        .in_sign_in(form.flow_fields(csrf)),
    ))
}

/// `POST /signin/register/contact/verify`: a right code adds the method and the sign-in
/// goes on with it.
pub async fn verify(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    let code: String = form.code.trim().chars().take(16).collect();
    match state
        .app
        .signin
        .finish_registration_contact(&handle, &code, security_info(&state)?)
        .await
    {
        Ok(progress) => Ok(render_progress(&state, &csrf, &form, progress).await),
        Err(RegistrationContactError::Refused(
            error @ (SecurityInfoError::WrongVerificationCode { .. }
            | SecurityInfoError::MalformedVerificationCode { .. }),
        )) => code_page(&state, &csrf, &form, &handle, user_message(&error)).await,
        Err(error) => Err(refused(error, &form)),
    }
}

/// `POST /signin/register/contact/resend`: a new code (throttled).
pub async fn resend(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<InterruptForm>,
) -> Result<Response, PageError> {
    let handle = form.handle()?;
    match state
        .app
        .signin
        .resend_registration_contact(&handle, security_info(&state)?)
        .await
    {
        Ok(verification) => Ok(render(
            &VerifyPage::new(
                csrf.clone(),
                &verification,
                OffsetDateTime::now_utc(),
                Some("A new code was sent. The previous code no longer works.".to_owned()),
                None,
            )
            .in_sign_in(form.flow_fields(&csrf)),
        )),
        Err(RegistrationContactError::Refused(error @ SecurityInfoError::SendThrottled { .. })) => {
            code_page(&state, &csrf, &form, &handle, user_message(&error)).await
        }
        Err(error) => Err(refused(error, &form)),
    }
}
