//! What makes an application registration valid, per kind. OIDC clients are checked by
//! the protocol crate's own rules (`ClientConfig::validate()`), so the admin API cannot
//! save a client that the token endpoint would later refuse.

use portcullis_core::{Application, ApplicationKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ServiceError, ServiceResult};

/// Longest display name accepted (Graph allows 256 characters).
pub const MAX_DISPLAY_NAME_CHARS: usize = 256;

/// The `settings` of a forward-auth application: requests for `host` whose path starts
/// with `pathPrefix` are judged for this application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForwardAuthSettings {
    /// Host name as the proxy sends it (`Host` / `X-Forwarded-Host`), optionally with a
    /// port; lower case, no scheme, no path.
    pub host: String,
    /// Path prefix, starting with `/` (default `/`: the whole host).
    #[serde(default = "root_path")]
    pub path_prefix: String,
}

fn root_path() -> String {
    "/".to_owned()
}

impl ForwardAuthSettings {
    /// Reads and checks the settings of a forward-auth application.
    pub fn from_settings(settings: &Value) -> ServiceResult<Self> {
        let parsed: ForwardAuthSettings = serde_json::from_value(settings.clone())
            .map_err(|e| invalid(format!("settings: {e}")))?;
        check_host(&parsed.host)?;
        if !parsed.path_prefix.starts_with('/')
            || parsed.path_prefix.contains(['?', '#'])
            || parsed.path_prefix.chars().any(char::is_whitespace)
        {
            return Err(invalid(format!(
                "settings.pathPrefix must start with '/' and hold no query, fragment or spaces, not {:?}",
                parsed.path_prefix
            )));
        }
        Ok(parsed)
    }

    /// The stored form: host lower-cased so lookups by the proxy's `Host` match.
    pub fn normalized(mut self) -> Self {
        self.host = self.host.to_ascii_lowercase();
        self
    }
}

fn check_host(host: &str) -> ServiceResult<()> {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let name_ok = !name.is_empty() && name.len() <= 253 && name.split('.').all(label_ok);
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if name_ok && port_ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "settings.host must be a host name with an optional port (no scheme or path), not {host:?}"
        )))
    }
}

/// Checks a whole registration before it is stored; returns it with normalised settings.
pub fn validate_application(mut app: Application) -> ServiceResult<Application> {
    let name = app.display_name.trim();
    if name.is_empty() {
        return Err(invalid("displayName must not be empty".into()));
    }
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(invalid(format!(
            "displayName must have at most {MAX_DISPLAY_NAME_CHARS} characters"
        )));
    }
    app.display_name = name.to_owned();
    match app.kind {
        ApplicationKind::OidcClient => {
            // A disabled client is still checked: enabling it later must not reveal errors.
            let mut probe = app.clone();
            probe.enabled = true;
            portcullis_oidc::application::client_config_from_application(&probe)
                .map_err(|e| invalid(format!("the OIDC client registration is not valid: {e}")))?;
        }
        ApplicationKind::ForwardAuth => {
            no_redirect_uris(&app)?;
            let settings = ForwardAuthSettings::from_settings(&app.settings)?.normalized();
            app.settings = serde_json::to_value(settings)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
        }
        ApplicationKind::Automation => {
            no_redirect_uris(&app)?;
            let empty = app.settings.is_null()
                || app
                    .settings
                    .as_object()
                    .is_some_and(serde_json::Map::is_empty);
            if !empty {
                return Err(invalid(
                    "settings: automation applications take no settings".into(),
                ));
            }
            app.settings = Value::Null;
        }
    }
    Ok(app)
}

fn no_redirect_uris(app: &Application) -> ServiceResult<()> {
    if app.redirect_uris.is_empty() {
        Ok(())
    } else {
        Err(invalid(format!(
            "web.redirectUris: a {} application has no redirect URIs",
            app.kind.as_str()
        )))
    }
}

fn invalid(message: String) -> ServiceError {
    ServiceError::Invalid(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app(kind: ApplicationKind, redirect_uris: &[&str], settings: Value) -> Application {
        Application {
            id: portcullis_core::ApplicationId::from_uuid(uuid::Uuid::nil()),
            app_id: portcullis_core::ClientId::from_uuid(uuid::Uuid::nil()),
            display_name: " Wiki ".into(),
            kind,
            redirect_uris: redirect_uris.iter().map(|s| (*s).to_owned()).collect(),
            granted_permissions: Vec::new(),
            enabled: false,
            created_date_time: time::OffsetDateTime::UNIX_EPOCH,
            settings,
        }
    }

    #[test]
    fn oidc_clients_are_checked_by_the_protocol_rules() {
        let ok = app(
            ApplicationKind::OidcClient,
            &["https://wiki.example/cb"],
            Value::Null,
        );
        assert_eq!(validate_application(ok).unwrap().display_name, "Wiki");
        for (uris, settings) in [
            (vec!["http://wiki.example/cb"], Value::Null),
            (vec!["https://wiki.example/cb#frag"], Value::Null),
            (
                vec!["https://wiki.example/cb"],
                json!({"requirePcke": true}),
            ),
        ] {
            let err =
                validate_application(app(ApplicationKind::OidcClient, &uris, settings.clone()))
                    .unwrap_err();
            assert!(
                matches!(err, ServiceError::Invalid(_)),
                "{uris:?} {settings}"
            );
        }
    }

    #[test]
    fn forward_auth_needs_a_host_and_a_path_prefix() {
        let ok = validate_application(app(
            ApplicationKind::ForwardAuth,
            &[],
            json!({"host": "Wiki.Example:8443"}),
        ))
        .unwrap();
        assert_eq!(
            ok.settings,
            json!({"host": "wiki.example:8443", "pathPrefix": "/"})
        );
        for settings in [
            json!({"host": "https://wiki.example"}),
            json!({"host": "wiki.example/path"}),
            json!({"host": "wiki.example", "pathPrefix": "docs"}),
            json!({"host": "wiki.example", "pathprefix": "/"}),
            json!({"host": "wiki.example:0"}),
            Value::Null,
        ] {
            assert!(
                validate_application(app(ApplicationKind::ForwardAuth, &[], settings.clone()))
                    .is_err(),
                "{settings}"
            );
        }
        assert!(
            validate_application(app(
                ApplicationKind::ForwardAuth,
                &["https://x.example/cb"],
                json!({"host": "wiki.example"})
            ))
            .is_err()
        );
    }

    #[test]
    fn names_and_automation_settings_are_checked() {
        let mut blank = app(ApplicationKind::Automation, &[], Value::Null);
        blank.display_name = "  ".into();
        assert!(validate_application(blank).is_err());
        let mut long = app(ApplicationKind::Automation, &[], Value::Null);
        long.display_name = "x".repeat(MAX_DISPLAY_NAME_CHARS + 1);
        assert!(validate_application(long).is_err());
        assert!(validate_application(app(ApplicationKind::Automation, &[], json!({}))).is_ok());
        assert!(
            validate_application(app(ApplicationKind::Automation, &[], json!({"a": 1}))).is_err()
        );
    }
}
