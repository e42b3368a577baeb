//! Service failures as error pages: what was refused or missing, in words.

use axum::http::StatusCode;
use portcullis_pages::kit::PageError;
use portcullis_service::ServiceError;

/// Maps a service error onto the kit's error page, with "try again" leading back into
/// the portal rather than to the sign-in page.
pub fn page_error(error: ServiceError) -> PageError {
    let page = match error {
        ServiceError::Forbidden(why) => PageError::new(
            StatusCode::FORBIDDEN,
            "You don't have access",
            format!("Your administrator roles do not allow this: {why}."),
        ),
        ServiceError::NotFound(what) => PageError::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("{what} was not found."),
        ),
        ServiceError::Invalid(why) => {
            PageError::new(StatusCode::BAD_REQUEST, "That did not work", why)
        }
        ServiceError::Conflict(why) => PageError::new(
            StatusCode::CONFLICT,
            "Changed by someone else",
            format!("{why}. Reload the page and try again."),
        ),
        ServiceError::Internal(detail) => {
            tracing::error!(%detail, "admin portal request failed");
            PageError::internal()
        }
    };
    page.with_retry("/admin")
}

/// A malformed request parameter.
pub fn bad_request(message: impl Into<String>) -> PageError {
    PageError::new(StatusCode::BAD_REQUEST, "That did not work", message).with_retry("/admin")
}
