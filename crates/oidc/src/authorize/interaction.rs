//! What the authorization endpoint does with a valid request once the glue knows
//! the browser's SSO session: issue a code from it, run the sign-in pipeline, ask for
//! consent, or — under `prompt=none` — answer with the OpenID Connect Core §3.1.2.6
//! error instead of showing anything.
//!
//! Call it once when the request arrives. After the sign-in or consent it asked for
//! has completed, issue the code; do not call it again (or `prompt=login` would loop).

use super::request::AuthorizationRequest;
use crate::error::{ErrorCode, OAuthError};

/// The parts of the SSO session that matter here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFacts<'a> {
    pub subject: &'a str,
    /// When the user last actively authenticated (Unix seconds).
    pub auth_time: i64,
    /// The authentication strength or context the session has met.
    pub acr: Option<&'a str>,
}

/// What the glue knows besides the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InteractionContext<'a> {
    pub session: Option<SessionFacts<'a>>,
    /// The `sub` of `id_token_hint`, after the glue verified the hint.
    pub hinted_subject: Option<&'a str>,
    /// Whether the user already consented to this client and scope.
    pub consent_given: bool,
    pub now: i64,
}

/// Why the user must go through the sign-in pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInReason {
    NoSession,
    /// `id_token_hint` names another user than the session's.
    HintedUserDiffers,
    PromptLogin,
    MaxAgeExceeded,
    SelectAccount,
    /// The client asked for an `acr` the session has not met: step up.
    AcrNotMet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InteractionDecision {
    /// Issue the code from the existing session (after Conditional Access judged it
    /// for this client).
    UseSession,
    SignIn(SignInReason),
    Consent,
    /// Redirect back with this error (`prompt=none` could not be honoured).
    Fail(OAuthError),
}

/// Decides, in the order OpenID Connect implies: session, hinted user, forced login,
/// age, account choice, authentication context, consent.
pub fn decide_interaction(
    request: &AuthorizationRequest,
    context: &InteractionContext<'_>,
) -> InteractionDecision {
    let silent = request.prompt.none;
    let sign_in = |reason: SignInReason, error: ErrorCode, description: &str| {
        if silent {
            InteractionDecision::Fail(OAuthError::new(error, description))
        } else {
            InteractionDecision::SignIn(reason)
        }
    };
    let Some(session) = context.session else {
        return sign_in(
            SignInReason::NoSession,
            ErrorCode::LoginRequired,
            "no signed-in session and prompt=none",
        );
    };
    if context
        .hinted_subject
        .is_some_and(|hinted| hinted != session.subject)
    {
        return sign_in(
            SignInReason::HintedUserDiffers,
            ErrorCode::LoginRequired,
            "the signed-in user is not the one id_token_hint names",
        );
    }
    if request.prompt.login {
        return InteractionDecision::SignIn(SignInReason::PromptLogin);
    }
    if request.requires_fresh_login(session.auth_time, context.now) {
        return sign_in(
            SignInReason::MaxAgeExceeded,
            ErrorCode::LoginRequired,
            "the last sign-in is older than max_age",
        );
    }
    if request.prompt.select_account {
        return InteractionDecision::SignIn(SignInReason::SelectAccount);
    }
    let acr_met = request.acr_values.is_empty()
        || session.acr.is_some_and(|acr| {
            request
                .acr_values
                .iter()
                .any(|wanted| wanted.as_claim() == acr)
        });
    if !acr_met {
        return sign_in(
            SignInReason::AcrNotMet,
            ErrorCode::InteractionRequired,
            "the requested acr_values need a stronger sign-in",
        );
    }
    if request.prompt.consent || !context.consent_given {
        return if silent {
            InteractionDecision::Fail(OAuthError::new(
                ErrorCode::ConsentRequired,
                "consent is needed and prompt=none",
            ))
        } else {
            InteractionDecision::Consent
        };
    }
    InteractionDecision::UseSession
}
