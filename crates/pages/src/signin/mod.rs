//! The sign-in pages: `/signin` and its steps. Every step posts its form (CSRF-checked
//! by the kit) with the transaction handle in the hidden `flow` field, and the answer
//! renders the next step directly.

mod complete;
pub mod continuation;
pub(crate) mod flow;
mod interrupt;
mod outcome;
mod passkey;
mod phone;
mod push;
mod register_contact;
mod start;
mod stay;
mod steps;
pub mod views;

use axum::Router;
use axum::routing::{get, post};

use crate::state::PagesState;

pub fn routes() -> Router<PagesState> {
    Router::new()
        .route("/signin", get(start::show).post(start::submit))
        .route("/signin/password", post(steps::password))
        .route("/signin/tap", post(steps::temporary_access_pass))
        .route("/signin/passkey/options", post(passkey::options))
        .route("/signin/passkey", post(passkey::answer))
        .route("/signin/totp", post(steps::totp))
        .route("/signin/send-code", post(steps::send_code))
        .route("/signin/code", post(steps::one_time_code))
        .route("/signin/register/skip", post(steps::skip_registration))
        .route("/signin/register/totp", post(interrupt::begin_totp))
        .route("/signin/register/totp/verify", post(interrupt::verify_totp))
        .route(
            "/signin/register/passkey/options",
            post(interrupt::passkey_options),
        )
        .route("/signin/register/passkey", post(interrupt::finish_passkey))
        .route(
            "/signin/register/authenticator",
            post(interrupt::begin_authenticator),
        )
        .route(
            "/signin/register/authenticator/done",
            post(interrupt::finish_authenticator),
        )
        .route("/signin/register/phone", post(register_contact::phone_form))
        .route(
            "/signin/register/phone/send",
            post(register_contact::send_phone),
        )
        .route("/signin/register/email", post(register_contact::email_form))
        .route(
            "/signin/register/email/send",
            post(register_contact::send_email),
        )
        .route(
            "/signin/register/contact/verify",
            post(register_contact::verify),
        )
        .route(
            "/signin/register/contact/resend",
            post(register_contact::resend),
        )
        .route("/signin/password-change", post(interrupt::change_password))
        .route("/signin/stay", post(stay::answer))
        .merge(push::routes())
        .merge(phone::routes())
}
