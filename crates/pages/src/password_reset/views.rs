//! The password reset pages' template data.

use askama::Template;

#[derive(Template)]
#[template(path = "password_reset/start.html")]
pub struct StartPage {
    pub csrf: String,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "password_reset/verify.html")]
pub struct VerifyPage {
    pub csrf: String,
    pub handle: String,
    pub verified: u8,
    pub required: u8,
    pub wrong_answer: bool,
    /// "email address" or "phone number": where a code was (or seemed to be) sent.
    pub code_sent: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "password_reset/new_password.html")]
pub struct NewPasswordPage {
    pub csrf: String,
    pub handle: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "password_reset/done.html")]
pub struct DonePage;

#[derive(Template)]
#[template(path = "password_reset/failed.html")]
pub struct FailedPage;
