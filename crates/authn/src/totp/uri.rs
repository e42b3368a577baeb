//! `otpauth://totp/…` key URIs (the format authenticator apps scan from QR codes), built
//! and parsed.
//!
//! Shape: `otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30`.
//! Label and values are percent-encoded (RFC 3986: everything but `A–Z a–z 0–9 - . _ ~`),
//! so a space is `%20`. When parsing, `+` in a query value is read as a space, as some
//! generators write form-encoding; a literal plus is written `%2B`. Neither issuer nor
//! account may contain a colon, as the key-URI format requires.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use thiserror::Error;

use super::config::{Digits, TotpAlgorithm, TotpConfig, TotpConfigError};
use super::secret::{TotpSecret, TotpSecretError};

const SCHEME: &str = "otpauth://";
/// RFC 3986 unreserved characters stay; everything else is escaped.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OtpAuthUriError {
    #[error("not an otpauth:// URI")]
    NotOtpAuth,
    #[error("otpauth type {0:?} is not supported, only totp")]
    UnsupportedType(String),
    #[error("the {0} is empty")]
    Empty(&'static str),
    #[error("the {0} must not contain a colon")]
    Colon(&'static str),
    #[error("the {0} is not valid UTF-8 once percent-decoded")]
    NotUtf8(&'static str),
    #[error("the URI has no secret parameter")]
    MissingSecret,
    #[error("the URI names no issuer (neither in the label nor as a parameter)")]
    MissingIssuer,
    #[error("the label's issuer {label:?} differs from the issuer parameter {parameter:?}")]
    IssuerMismatch { label: String, parameter: String },
    #[error("parameter {0:?} appears more than once")]
    DuplicateParameter(String),
    #[error("algorithm {0:?} is not supported (SHA1, SHA256 or SHA512)")]
    UnsupportedAlgorithm(String),
    #[error("digits {0:?} is not supported (6 or 8)")]
    UnsupportedDigits(String),
    #[error("period {0:?} is not a number of seconds")]
    BadPeriod(String),
    #[error(transparent)]
    Secret(#[from] TotpSecretError),
    #[error(transparent)]
    Config(#[from] TotpConfigError),
}

/// Everything an authenticator app needs to set up a TOTP credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpAuthUri {
    issuer: String,
    account: String,
    secret: TotpSecret,
    config: TotpConfig,
}

impl OtpAuthUri {
    /// `issuer` is what the app shows as the service (e.g. "Contoso"), `account` the user's
    /// sign-in name. Both are trimmed; neither may be empty or contain a colon.
    pub fn new(
        issuer: &str,
        account: &str,
        secret: TotpSecret,
        config: TotpConfig,
    ) -> Result<Self, OtpAuthUriError> {
        Ok(Self {
            issuer: checked_label_part(issuer, "issuer")?,
            account: checked_label_part(account, "account name")?,
            secret,
            config,
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn secret(&self) -> &TotpSecret {
        &self.secret
    }

    pub fn config(&self) -> TotpConfig {
        self.config
    }

    /// The URI text, with every parameter spelled out (some apps ignore defaults they do
    /// not see and some mis-handle those they do; explicit is the safer side).
    pub fn to_uri(&self) -> String {
        let issuer = utf8_percent_encode(&self.issuer, COMPONENT);
        let account = utf8_percent_encode(&self.account, COMPONENT);
        format!(
            "{SCHEME}totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm={algorithm}&digits={digits}&period={period}",
            secret = self.secret.to_base32(),
            algorithm = self.config.algorithm().uri_name(),
            digits = self.config.digits().count(),
            period = self.config.period_seconds(),
        )
    }

    /// Parses a key URI. Missing `algorithm`, `digits` and `period` take the format's
    /// defaults (SHA1, 6, 30); unknown parameters (e.g. `image`) are ignored.
    pub fn parse(uri: &str) -> Result<Self, OtpAuthUriError> {
        let rest =
            strip_prefix_ignore_case(uri.trim(), SCHEME).ok_or(OtpAuthUriError::NotOtpAuth)?;
        let (kind, rest) = rest.split_once('/').ok_or(OtpAuthUriError::NotOtpAuth)?;
        if !kind.eq_ignore_ascii_case("totp") {
            return Err(OtpAuthUriError::UnsupportedType(kind.to_owned()));
        }
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let (raw_label, raw_query) = rest.split_once('?').unwrap_or((rest, ""));
        let label = decode(raw_label, false, "label")?;
        let (label_issuer, account) = match label.split_once(':') {
            Some((issuer, account)) => (Some(issuer.trim().to_owned()), account),
            None => (None, label.as_str()),
        };
        let parameters = QueryParameters::parse(raw_query)?;
        let secret = TotpSecret::from_base32(
            parameters
                .secret
                .as_deref()
                .ok_or(OtpAuthUriError::MissingSecret)?,
        )?;
        let issuer = match (label_issuer, parameters.issuer) {
            (Some(label), Some(parameter)) if label != parameter.trim() => {
                return Err(OtpAuthUriError::IssuerMismatch { label, parameter });
            }
            (Some(label), _) => label,
            (None, Some(parameter)) => parameter,
            (None, None) => return Err(OtpAuthUriError::MissingIssuer),
        };
        let algorithm = match parameters.algorithm {
            None => TotpAlgorithm::Sha1,
            Some(name) => TotpAlgorithm::from_uri_name(&name)
                .ok_or(OtpAuthUriError::UnsupportedAlgorithm(name))?,
        };
        let digits = match parameters.digits {
            None => Digits::Six,
            Some(text) => text
                .parse::<u8>()
                .ok()
                .and_then(|count| Digits::try_from(count).ok())
                .ok_or(OtpAuthUriError::UnsupportedDigits(text))?,
        };
        let period = match parameters.period {
            None => 30,
            Some(text) => text
                .parse::<u32>()
                .map_err(|_| OtpAuthUriError::BadPeriod(text))?,
        };
        let config = TotpConfig::new(algorithm, digits, period)?;
        Self::new(&issuer, account, secret, config)
    }
}

fn checked_label_part(text: &str, what: &'static str) -> Result<String, OtpAuthUriError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(OtpAuthUriError::Empty(what));
    }
    if trimmed.contains(':') {
        return Err(OtpAuthUriError::Colon(what));
    }
    Ok(trimmed.to_owned())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn decode(raw: &str, plus_is_space: bool, what: &'static str) -> Result<String, OtpAuthUriError> {
    let spaced;
    let raw = if plus_is_space && raw.contains('+') {
        spaced = raw.replace('+', " ");
        spaced.as_str()
    } else {
        raw
    };
    percent_decode_str(raw)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| OtpAuthUriError::NotUtf8(what))
}

/// The query parameters the format defines, each at most once.
#[derive(Default)]
struct QueryParameters {
    secret: Option<String>,
    issuer: Option<String>,
    algorithm: Option<String>,
    digits: Option<String>,
    period: Option<String>,
}

impl QueryParameters {
    fn parse(query: &str) -> Result<Self, OtpAuthUriError> {
        let mut parameters = Self::default();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(raw_name, true, "parameter name")?;
            let slot = match name.to_ascii_lowercase().as_str() {
                "secret" => &mut parameters.secret,
                "issuer" => &mut parameters.issuer,
                "algorithm" => &mut parameters.algorithm,
                "digits" => &mut parameters.digits,
                "period" => &mut parameters.period,
                _ => continue,
            };
            if slot.is_some() {
                return Err(OtpAuthUriError::DuplicateParameter(name));
            }
            *slot = Some(decode(raw_value, true, "parameter value")?);
        }
        Ok(parameters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap()
    }

    #[test]
    fn builds_with_every_parameter_and_percent_encoding() {
        let uri = OtpAuthUri::new(
            "Contoso Ltd",
            "alice+mfa@contoso.com",
            rfc_secret(),
            TotpConfig::default(),
        )
        .unwrap();
        assert_eq!(
            uri.to_uri(),
            "otpauth://totp/Contoso%20Ltd:alice%2Bmfa%40contoso.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Contoso%20Ltd&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn parses_what_it_builds() {
        let config = TotpConfig::new(TotpAlgorithm::Sha512, Digits::Eight, 60).unwrap();
        let built = OtpAuthUri::new("Zürich Bank", "jörg", rfc_secret(), config).unwrap();
        assert_eq!(OtpAuthUri::parse(&built.to_uri()).unwrap(), built);
    }

    #[test]
    fn parses_google_style_example_with_defaults() {
        let uri = OtpAuthUri::parse(
            "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example",
        )
        .unwrap();
        assert_eq!(uri.issuer(), "Example");
        assert_eq!(uri.account(), "alice@google.com");
        assert_eq!(uri.config(), TotpConfig::default());
    }

    #[test]
    fn accepts_issuer_only_in_parameter_encoded_colon_and_plus_spaces() {
        let uri = OtpAuthUri::parse(
            "OTPAUTH://TOTP/ACME%20Co%3A%20john.doe?issuer=ACME+Co&secret=gezdgnbvgy3tqojqgezdgnbvgy3tqojq&algorithm=sha256&image=https%3A%2F%2Fx",
        )
        .unwrap();
        assert_eq!(uri.issuer(), "ACME Co");
        assert_eq!(uri.account(), "john.doe");
        assert_eq!(uri.config().algorithm(), TotpAlgorithm::Sha256);
        let no_prefix = OtpAuthUri::parse(
            "otpauth://totp/john?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME",
        )
        .unwrap();
        assert_eq!((no_prefix.issuer(), no_prefix.account()), ("ACME", "john"));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let secret = "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        let cases = [
            (
                "https://example.com".to_owned(),
                OtpAuthUriError::NotOtpAuth,
            ),
            (
                format!("otpauth://hotp/A:b?{secret}&counter=1"),
                OtpAuthUriError::UnsupportedType("hotp".into()),
            ),
            (
                "otpauth://totp/A:b?issuer=A".to_owned(),
                OtpAuthUriError::MissingSecret,
            ),
            (
                format!("otpauth://totp/b?{secret}"),
                OtpAuthUriError::MissingIssuer,
            ),
            (
                format!("otpauth://totp/A:?{secret}"),
                OtpAuthUriError::Empty("account name"),
            ),
            (
                format!("otpauth://totp/A:b?{secret}&issuer=B"),
                OtpAuthUriError::IssuerMismatch {
                    label: "A".into(),
                    parameter: "B".into(),
                },
            ),
            (
                format!("otpauth://totp/A:b?{secret}&{secret}"),
                OtpAuthUriError::DuplicateParameter("secret".into()),
            ),
            (
                format!("otpauth://totp/A:b?{secret}&algorithm=MD5"),
                OtpAuthUriError::UnsupportedAlgorithm("MD5".into()),
            ),
            (
                format!("otpauth://totp/A:b?{secret}&digits=7"),
                OtpAuthUriError::UnsupportedDigits("7".into()),
            ),
            (
                format!("otpauth://totp/A:b?{secret}&period=soon"),
                OtpAuthUriError::BadPeriod("soon".into()),
            ),
            (
                format!("otpauth://totp/A:b?{secret}&period=5"),
                OtpAuthUriError::Config(TotpConfigError::Period(5)),
            ),
            (
                "otpauth://totp/A:b?secret=11111111".to_owned(),
                OtpAuthUriError::Secret(TotpSecretError::NotBase32),
            ),
            (
                format!("otpauth://totp/A%FF:b?{secret}"),
                OtpAuthUriError::NotUtf8("label"),
            ),
            (
                format!("otpauth://totp/A:b:c?{secret}"),
                OtpAuthUriError::Colon("account name"),
            ),
        ];
        for (uri, expected) in cases {
            assert_eq!(OtpAuthUri::parse(&uri), Err(expected), "{uri}");
        }
    }

    #[test]
    fn colons_and_blanks_are_refused_when_building() {
        assert_eq!(
            OtpAuthUri::new("A:B", "c", rfc_secret(), TotpConfig::default()),
            Err(OtpAuthUriError::Colon("issuer"))
        );
        assert_eq!(
            OtpAuthUri::new("A", "  ", rfc_secret(), TotpConfig::default()),
            Err(OtpAuthUriError::Empty("account name"))
        );
    }

    #[test]
    fn non_ascii_prefix_does_not_panic() {
        assert_eq!(
            OtpAuthUri::parse("otpauth:/é"),
            Err(OtpAuthUriError::NotOtpAuth)
        );
        assert_eq!(OtpAuthUri::parse("é"), Err(OtpAuthUriError::NotOtpAuth));
    }
}
