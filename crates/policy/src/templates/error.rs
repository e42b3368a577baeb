//! Why a template could not be instantiated.

use thiserror::Error;

use crate::validate::ValidationError;

/// Why [`super::Template::instantiate`] failed.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TemplateError {
    /// No template has this slug, ID or name.
    #[error("no template is called '{0}' (see `portcullis policy templates`)")]
    UnknownTemplate(String),
    /// A `key=value` argument without `=`.
    #[error("parameter '{0}' is not of the form key=value")]
    MalformedParameter(String),
    /// A parameter the template does not take.
    #[error("template '{template}' has no parameter '{name}'; it takes: {accepted}")]
    UnknownParameter {
        /// The template slug.
        template: String,
        /// The parameter given.
        name: String,
        /// The parameters it accepts, comma-separated.
        accepted: String,
    },
    /// A parameter whose value does not fit its kind.
    #[error("parameter '{name}': {reason}")]
    InvalidValue {
        /// The parameter.
        name: String,
        /// What was wrong with the value.
        reason: String,
    },
    /// A single-valued parameter given more than once.
    #[error("parameter '{0}' is given more than once")]
    Repeated(String),
    /// The instance breaks a documented constraint (a parameter combination the
    /// template cannot express); every error is listed.
    #[error("the instance of '{template}' is not a valid policy: {}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// The template slug.
        template: String,
        /// The validation errors.
        errors: Vec<ValidationError>,
    },
}
