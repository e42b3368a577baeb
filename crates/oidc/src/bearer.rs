//! Bearer tokens at the userinfo endpoint (RFC 6750): read from the `Authorization`
//! header or a form body, never from the query (§2.3 leaks tokens into logs and
//! browser history), and never from two places at once (§2). Errors go out in the
//! `WWW-Authenticate` challenge (§3).

use crate::error::is_valid_description;
use crate::params::Params;

/// RFC 6750 §3.1 error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerErrorCode {
    InvalidRequest,
    InvalidToken,
    InsufficientScope,
}

impl BearerErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            BearerErrorCode::InvalidRequest => "invalid_request",
            BearerErrorCode::InvalidToken => "invalid_token",
            BearerErrorCode::InsufficientScope => "insufficient_scope",
        }
    }

    /// 400, 401 or 403 (RFC 6750 §3.1).
    pub fn status(self) -> u16 {
        match self {
            BearerErrorCode::InvalidRequest => 400,
            BearerErrorCode::InvalidToken => 401,
            BearerErrorCode::InsufficientScope => 403,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BearerError {
    /// No token at all: answer 401 with a bare challenge (no error code, §3.1).
    #[error("no bearer token was sent")]
    Missing,
    #[error("the bearer token was sent in more than one place")]
    MoreThanOneMethod,
    #[error("the Authorization header is not \"Bearer <token>\"")]
    MalformedHeader,
    #[error("access_token is included more than once or is too long")]
    MalformedBody,
}

impl BearerError {
    /// The error code for the challenge, if any.
    pub fn code(&self) -> Option<BearerErrorCode> {
        match self {
            BearerError::Missing => None,
            _ => Some(BearerErrorCode::InvalidRequest),
        }
    }
}

/// Reads the token from the header (any case of `Bearer`) or, for form POSTs, the
/// `access_token` body parameter.
pub fn extract_bearer_token(
    authorization: Option<&str>,
    form: Option<&Params>,
) -> Result<String, BearerError> {
    let from_body = match form.map(|p| p.get("access_token")) {
        None => None,
        Some(Ok(token)) => token,
        Some(Err(_)) => return Err(BearerError::MalformedBody),
    };
    match (authorization, from_body) {
        (Some(_), Some(_)) => Err(BearerError::MoreThanOneMethod),
        (Some(header), None) => parse_header(header),
        (None, Some(token)) if is_b64token(token) => Ok(token.to_owned()),
        (None, Some(_)) => Err(BearerError::MalformedBody),
        (None, None) => Err(BearerError::Missing),
    }
}

fn parse_header(header: &str) -> Result<String, BearerError> {
    let (scheme, token) = header
        .trim()
        .split_once(' ')
        .ok_or(BearerError::MalformedHeader)?;
    let token = token.trim();
    if scheme.eq_ignore_ascii_case("bearer") && is_b64token(token) {
        Ok(token.to_owned())
    } else {
        Err(BearerError::MalformedHeader)
    }
}

/// RFC 6750 §2.1 `b64token`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// The `WWW-Authenticate` value: `Bearer realm="…"` plus the error, if any. Quoted
/// values are cleaned so a description can never break out of its quotes.
pub fn www_authenticate(realm: &str, error: Option<(BearerErrorCode, &str)>) -> String {
    let quote = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if is_valid_description(c.encode_utf8(&mut [0; 4])) {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    };
    let mut value = format!("Bearer realm=\"{}\"", quote(realm));
    if let Some((code, description)) = error {
        value.push_str(&format!(
            ", error=\"{}\", error_description=\"{}\"",
            code.as_str(),
            quote(description)
        ));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_or_body_but_not_both_and_never_query() {
        assert_eq!(
            extract_bearer_token(Some("Bearer abc.def-_~+/=="), None).unwrap(),
            "abc.def-_~+/=="
        );
        assert_eq!(
            extract_bearer_token(Some("bearer abc"), None).unwrap(),
            "abc"
        );
        let body = Params::from_pairs([("access_token", "abc")]);
        assert_eq!(extract_bearer_token(None, Some(&body)).unwrap(), "abc");
        assert_eq!(
            extract_bearer_token(Some("Bearer abc"), Some(&body)),
            Err(BearerError::MoreThanOneMethod)
        );
        assert_eq!(extract_bearer_token(None, None), Err(BearerError::Missing));
        assert_eq!(
            extract_bearer_token(None, Some(&Params::default())),
            Err(BearerError::Missing)
        );
        for bad in [
            "Basic abc",
            "Bearer",
            "Bearer a b",
            "Bearer ==",
            "Bearer a\"b",
        ] {
            assert_eq!(
                extract_bearer_token(Some(bad), None),
                Err(BearerError::MalformedHeader),
                "{bad}"
            );
        }
        let dup = Params::from_pairs([("access_token", "a"), ("access_token", "b")]);
        assert_eq!(
            extract_bearer_token(None, Some(&dup)),
            Err(BearerError::MalformedBody)
        );
    }

    #[test]
    fn challenge_shapes() {
        assert_eq!(
            www_authenticate("portcullis", None),
            "Bearer realm=\"portcullis\""
        );
        assert_eq!(
            www_authenticate(
                "portcullis",
                Some((BearerErrorCode::InvalidToken, "expired \"now\""))
            ),
            "Bearer realm=\"portcullis\", error=\"invalid_token\", error_description=\"expired ?now?\""
        );
        assert_eq!(BearerErrorCode::InsufficientScope.status(), 403);
        assert_eq!(BearerError::Missing.code(), None);
    }
}
