//! Where an authorization error goes (RFC 6749 §4.1.2.1): if the client or the
//! redirect URI cannot be trusted, the user sees an error page and is never
//! redirected (that would make us an open redirector); every other error goes back to
//! the client's validated redirect URI.

use super::response::AuthorizationResponse;

/// Why the authorization endpoint shows its own error page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorPageReason {
    #[error("the request has no client_id")]
    MissingClientId,
    #[error("client_id is included more than once or is too long")]
    MalformedClientId,
    #[error("no application is registered with this client_id")]
    UnknownClient,
    #[error("the request has no redirect_uri")]
    MissingRedirectUri,
    #[error("redirect_uri is included more than once or is too long")]
    MalformedRedirectUri,
    #[error("redirect_uri is not registered for this application (it must match exactly)")]
    RedirectUriNotRegistered,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizeError {
    /// Show an error page; never redirect.
    #[error("{0}")]
    ShowErrorPage(ErrorPageReason),
    /// Send the user back to the client with `error`, `error_description`, `state`
    /// and `iss`.
    #[error("{}", .0.error_summary())]
    Redirect(Box<AuthorizationResponse>),
}
