//! The authorization endpoint: request validation and the redirect back.

mod error;
mod form_post;
mod interaction;
mod prompt;
mod request;
mod response;

pub use error::{AuthorizeError, ErrorPageReason};
pub use form_post::{escape_html, form_post_script_csp_source};
pub use interaction::{
    InteractionContext, InteractionDecision, SessionFacts, SignInReason, decide_interaction,
};
pub use prompt::{Prompt, PromptSet};
pub use request::{AuthorizationRequest, ResponseMode, validate_authorization_request};
pub use response::AuthorizationResponse;
