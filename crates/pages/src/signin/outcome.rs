//! Rendering where a sign-in stands: the password page, a challenge, the registration
//! interrupt, a password change, the end (cookie and redirect) or the error page.

use axum::http::StatusCode;
use axum::response::Response;
use portcullis_service::signin::SignInProgress;
use portcullis_signin::{
    Challenge, ChallengePurpose, ErrorCode, Outcome, PasswordChangeReason, RegistrationPrompt,
};
use time::format_description::well_known::Rfc2822;

use super::complete::complete;
use super::continuation::Continuation;
use super::views::{
    ChallengePage, FlowFields, OfferedView, PasswordChangePage, PasswordPage, RegisterPage,
    RegistrationChoice,
};
use crate::kit::{CookiePolicy, PageError, render};
use crate::labels::{error_message, error_title};

/// What the page handler knows besides the progress.
pub struct Rendering<'a> {
    pub csrf: &'a str,
    pub next: &'a Continuation,
    pub cookies: &'a CookiePolicy,
    /// The name typed at the start (for the password page).
    pub username: &'a str,
}

impl Rendering<'_> {
    fn flow(&self, progress: &SignInProgress) -> FlowFields {
        FlowFields {
            csrf: self.csrf.to_owned(),
            handle: progress.transaction.as_str().to_owned(),
            next: self.next.clone(),
        }
    }
}

/// The response for `progress`.
pub async fn respond(
    services: &portcullis_service::Services,
    rendering: &Rendering<'_>,
    progress: SignInProgress,
) -> Response {
    let flow = rendering.flow(&progress);
    match progress.outcome {
        None => render(&PasswordPage {
            flow,
            username: rendering.username.to_owned(),
            error: None,
        }),
        Some(Outcome::Done(_)) => match progress.session {
            Some(issued) => complete(services, rendering, issued).await,
            None => error_page(&PageError::internal_from(&"sign-in done without a session")),
        },
        Some(Outcome::Challenge(challenge)) => render(&challenge_page(flow, &challenge)),
        Some(Outcome::RegistrationRequired(prompt)) => render(&register_page(flow, &prompt)),
        Some(Outcome::PasswordChangeRequired { reason }) => {
            render(&password_change_page(flow, reason, None))
        }
        Some(Outcome::Blocked { code }) => error_page(&blocked(code, rendering.next)),
    }
}

fn error_page(error: &PageError) -> Response {
    axum::response::IntoResponse::into_response(error.clone())
}

/// The error page for a sign-in that ended.
pub fn blocked(code: ErrorCode, next: &Continuation) -> PageError {
    let status = match code {
        ErrorCode::AccountLocked => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::InvalidUserNameOrPassword | ErrorCode::StrongAuthenticationFailed => {
            StatusCode::UNAUTHORIZED
        }
        _ => StatusCode::FORBIDDEN,
    };
    PageError::new(status, error_title(code), error_message(code))
        .with_code(code.code())
        .with_retry(next.signin_href())
}

/// The challenge page: the method a code was just sent to, else the first offered
/// (system-preferred) method, prompted; the rest under "use another method".
pub fn challenge_page(flow: FlowFields, challenge: &Challenge) -> ChallengePage {
    let mut views: Vec<OfferedView> = challenge
        .methods
        .iter()
        .map(|m| OfferedView::new(m, challenge.code_sent_to.as_ref() == Some(&m.credential_id)))
        .collect();
    let prompted_index = challenge
        .code_sent_to
        .as_ref()
        .and_then(|sent| {
            challenge
                .methods
                .iter()
                .position(|m| &m.credential_id == sent)
        })
        .unwrap_or(0);
    let prompted = (prompted_index < views.len()).then(|| {
        let mut view = views.remove(prompted_index);
        view.prompted = true;
        view
    });
    let notice = challenge
        .code_throttled_until
        .and_then(|until| until.format(&Rfc2822).ok())
        .map(|until| format!("A code was sent recently. You can ask for another after {until}."))
        .or_else(|| {
            challenge
                .code_sent_to
                .as_ref()
                .map(|_| "We sent you a code.".to_owned())
        });
    ChallengePage {
        flow,
        register_purpose: challenge.purpose == ChallengePurpose::RegisterSecurityInfo,
        error: challenge.error.map(error_message),
        notice,
        prompted,
        others: views,
    }
}

/// The forced password change, with the refusal of the last attempt if any.
pub fn password_change_page(
    flow: FlowFields,
    reason: PasswordChangeReason,
    error: Option<String>,
) -> PasswordChangePage {
    PasswordChangePage {
        flow,
        reason: password_change_reason(reason),
        reason_key: password_change_reason_key(reason),
        error,
    }
}

/// The reason as posted back in the form.
fn password_change_reason_key(reason: PasswordChangeReason) -> &'static str {
    match reason {
        PasswordChangeReason::Expired => "expired",
        PasswordChangeReason::PolicyRequiresPasswordChange => "policy",
        PasswordChangeReason::RiskRemediation => "risk",
    }
}

/// The reason a form posted back (only its words depend on it).
pub fn parse_password_change_reason(key: &str) -> PasswordChangeReason {
    match key {
        "policy" => PasswordChangeReason::PolicyRequiresPasswordChange,
        "risk" => PasswordChangeReason::RiskRemediation,
        _ => PasswordChangeReason::Expired,
    }
}

fn register_page(flow: FlowFields, prompt: &RegistrationPrompt) -> RegisterPage {
    RegisterPage {
        flow,
        campaign: prompt.campaign,
        choices: prompt
            .methods
            .iter()
            .map(|kind| RegistrationChoice::for_kind(*kind))
            // Texts and calls share one phone form.
            .fold(Vec::new(), |mut choices, choice| {
                if !choices.contains(&choice) {
                    choices.push(choice);
                }
                choices
            }),
        skippable_until: prompt.skippable_until.map(|until| until.date().to_string()),
        error: None,
    }
}

/// Why the password must change, in the user's words.
pub fn password_change_reason(reason: PasswordChangeReason) -> &'static str {
    match reason {
        PasswordChangeReason::Expired => {
            "Your password has expired, or your administrator asked you to choose a new one."
        }
        PasswordChangeReason::PolicyRequiresPasswordChange => {
            "Your organisation requires you to change your password before continuing."
        }
        PasswordChangeReason::RiskRemediation => {
            "We noticed unusual activity on your account. Choose a new password to secure it."
        }
    }
}
