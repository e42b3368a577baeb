//! Building the `RegistrationContext` the security-info service judges every change
//! with (Conditional Access on `urn:user:registersecurityinfo`), from the signed-in
//! session and the browser's facts.

use std::sync::Arc;

use portcullis_policy::evaluate::SessionState;
use portcullis_service::security_info::{RegistrationContext, SecurityInfoError};
use portcullis_service::sessions::ActiveSession;
use portcullis_service::signin::{LoadedPolicy, TargetApplication};
use portcullis_signin::{Protocol, RequestContext, UserRecord};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::kit::{CsrfToken, PageError, SignedIn};
use crate::signin::flow::BrowserFacts;
use crate::state::PagesState;

/// The owned parts a `RegistrationContext` borrows.
pub struct ContextParts {
    pub user: UserRecord,
    pub session: SessionState,
    pub request: RequestContext,
    pub policy: Arc<LoadedPolicy>,
    pub ip: String,
}

impl ContextParts {
    pub async fn load(
        state: &PagesState,
        active: &ActiveSession,
        facts: &BrowserFacts,
    ) -> Result<Self, PageError> {
        let signin = &state.app.signin;
        let mut request = portcullis_service::signin::SignInRequest::new(
            Protocol::Browser,
            TargetApplication::Portal,
            &active.user.user_principal_name,
        );
        request.ip_address = Some(facts.ip);
        request.user_agent = facts.user_agent.clone();
        request.correlation_id = Some(portcullis_core::CorrelationId::from_uuid(
            facts.correlation_id.0,
        ));
        let request = signin
            .request_context(&request)
            .await
            .map_err(|e| PageError::internal_from(&e))?;
        let user = signin
            .user_record(active.user_id(), &request)
            .await
            .map_err(|e| PageError::internal_from(&e))?
            .ok_or_else(|| PageError::internal_from(&"signed-in user not found"))?;
        let policy = signin
            .policy()
            .await
            .map_err(|e| PageError::internal_from(&e))?;
        Ok(ContextParts {
            user,
            session: SessionState {
                authenticated_at: Some(active.session.authenticated_date_time),
                methods: active.methods.clone(),
            },
            request,
            policy,
            ip: facts.ip.to_string(),
        })
    }

    pub fn context(&self) -> RegistrationContext<'_> {
        RegistrationContext {
            user: &self.user,
            session: &self.session,
            request: &self.request,
            policy: self.policy.environment(),
            ip_address: Some(&self.ip),
        }
    }
}

/// A refusal the user can act on, in words; `None`: a failure of ours.
pub fn user_message(error: &SecurityInfoError) -> Option<String> {
    match error {
        SecurityInfoError::RegistrationBlocked { .. } => Some(
            "Your organisation's policy does not allow changing security info from here \
             (for example, outside a trusted location)."
                .to_owned(),
        ),
        SecurityInfoError::StepUpRequired { .. } => Some(
            "This change needs a stronger sign-in. Sign out, sign in again with multifactor \
             authentication or a Temporary Access Pass, and retry."
                .to_owned(),
        ),
        SecurityInfoError::FreshSignInRequired { minutes } => Some(format!(
            "This change needs a multifactor sign-in within the last {minutes} minutes. \
             Sign out and sign in again, then retry."
        )),
        SecurityInfoError::MethodNotAllowed { method } => Some(format!(
            "{method} is not enabled for you by your organisation."
        )),
        SecurityInfoError::NoPendingRegistration { .. } => {
            Some("The setup expired or was already finished. Start again.".to_owned())
        }
        SecurityInfoError::WrongCode => Some(
            "That code was not right or has expired. Start again and enter the code the app shows."
                .to_owned(),
        ),
        SecurityInfoError::InvalidPhoneNumber { .. } => Some(
            "Enter the number in international format, starting with + and the country code, \
             for example +31 20 123 4567."
                .to_owned(),
        ),
        SecurityInfoError::InvalidEmailAddress { .. } => {
            Some("Enter an email address such as name@example.com.".to_owned())
        }
        SecurityInfoError::AlreadyRegistered { what } => Some(format!(
            "You already have {what}. Remove it first to add another."
        )),
        SecurityInfoError::WrongVerificationCode { attempts_left } => Some(format!(
            "That code is not right. {attempts_left} {} left.",
            if *attempts_left == 1 { "try" } else { "tries" }
        )),
        SecurityInfoError::MalformedVerificationCode { digits } => {
            Some(format!("Enter the {digits}-digit code you received."))
        }
        SecurityInfoError::VerificationEnded => Some(
            "The code expired or was entered wrongly too often. Start again for a new code."
                .to_owned(),
        ),
        SecurityInfoError::SendThrottled { seconds } => Some(format!(
            "A code was sent a moment ago. You can ask for another in {seconds} seconds."
        )),
        SecurityInfoError::CodeNotSent { .. } => Some(
            "The code could not be sent just now. Try again later, or contact your helpdesk."
                .to_owned(),
        ),
        SecurityInfoError::Passkey(e) => Some(format!("The passkey was not accepted: {e}.")),
        SecurityInfoError::Service(portcullis_service::ServiceError::Invalid(reason)) => {
            Some(reason.clone())
        }
        SecurityInfoError::Service(portcullis_service::ServiceError::NotFound(_)) => {
            Some("That method no longer exists.".to_owned())
        }
        SecurityInfoError::Service(_) => None,
    }
}

/// What every My security info handler that changes something starts from: the form's
/// CSRF token, the signed-in session and the registration context built from both.
pub struct Visit {
    pub csrf: String,
    pub active: Arc<ActiveSession>,
    pub parts: ContextParts,
}

impl FromRequestParts<PagesState> for Visit {
    type Rejection = Response;

    async fn from_request_parts(
        request: &mut Parts,
        state: &PagesState,
    ) -> Result<Self, Self::Rejection> {
        let CsrfToken(csrf) = CsrfToken::from_request_parts(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let SignedIn(active) = SignedIn::from_request_parts(request, state).await?;
        let facts = match BrowserFacts::from_request_parts(request, state).await {
            Ok(facts) => facts,
            Err(never) => match never {},
        };
        let parts = ContextParts::load(state, &active, &facts)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Visit {
            csrf,
            active,
            parts,
        })
    }
}
