//! From the directory's `portcullis_core::Application` to the protocol's
//! [`ClientConfig`]. OIDC-specific settings live in the application's free-form
//! `settings` object, in this shape (camelCase like the rest of the Graph-style API):
//!
//! ```json
//! { "publicClient": false, "tokenEndpointAuthMethod": "client_secret_basic",
//!   "grantTypes": ["authorization_code", "refresh_token"],
//!   "postLogoutRedirectUris": ["https://app.example/bye"],
//!   "loopbackRedirectAnyPort": false, "requirePkce": false,
//!   "jwks": {"keys": [ … ]}, "idTokenSignedResponseAlg": "RS256" }
//! ```
//!
//! Every field is optional; `null` settings mean a confidential web app using
//! `client_secret_basic` with the code and refresh grants. Unknown fields are refused
//! so a misspelt security option is an error, not silently ignored.
//!
//! `jwks` holds the client's public keys for `private_key_jwt`; `idTokenSignedResponseAlg`
//! picks the algorithm of its tokens (ES256 when absent; RS256 for older clients).

use portcullis_core::{Application, ApplicationKind};
use serde::{Deserialize, Serialize};

use crate::client::{ClientConfig, ClientType, GrantType, TokenEndpointAuthMethod};
use crate::registration::RegistrationError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OidcClientSettings {
    #[serde(default)]
    pub public_client: bool,
    #[serde(default)]
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    #[serde(default)]
    pub grant_types: Option<Vec<GrantType>>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    pub loopback_redirect_any_port: bool,
    #[serde(default)]
    pub require_pkce: bool,
    /// Public keys (a JWK Set) that verify this client's `private_key_jwt` assertions.
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// The algorithm this client's ID and access tokens are signed with.
    #[serde(default)]
    pub id_token_signed_response_alg: Option<crate::claims::SigningAlgorithm>,
}

impl OidcClientSettings {
    /// The settings of an OIDC client application (`null` means all defaults).
    pub fn of(application: &Application) -> Result<Self, ApplicationMappingError> {
        if application.settings.is_null() {
            return Ok(Self::default());
        }
        serde_json::from_value(application.settings.clone())
            .map_err(|e| ApplicationMappingError::InvalidSettings(e.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationMappingError {
    #[error("application is a {0} app, not an OAuth client")]
    NotAnOAuthClient(&'static str),
    #[error("application is disabled")]
    Disabled,
    #[error("application settings are not valid OIDC client settings: {0}")]
    InvalidSettings(String),
    #[error(transparent)]
    Registration(#[from] RegistrationError),
}

/// Maps an application, refusing disabled ones and invalid registrations. Automation
/// apps become confidential client-credentials clients (so they can also call
/// introspection and revocation); forward-auth apps are not OAuth clients.
pub fn client_config_from_application(
    application: &Application,
) -> Result<ClientConfig, ApplicationMappingError> {
    if !application.enabled {
        return Err(ApplicationMappingError::Disabled);
    }
    let config = match application.kind {
        ApplicationKind::ForwardAuth => {
            return Err(ApplicationMappingError::NotAnOAuthClient(
                application.kind.as_str(),
            ));
        }
        ApplicationKind::Automation => ClientConfig {
            client_id: application.app_id.as_str().to_owned(),
            client_type: ClientType::Confidential,
            redirect_uris: Vec::new(),
            loopback_redirect_any_port: false,
            post_logout_redirect_uris: Vec::new(),
            grant_types: vec![GrantType::ClientCredentials],
            token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretBasic,
            require_pkce: false,
        },
        ApplicationKind::OidcClient => {
            oidc_client(application, OidcClientSettings::of(application)?)
        }
    };
    config.validate()?;
    Ok(config)
}

fn oidc_client(application: &Application, settings: OidcClientSettings) -> ClientConfig {
    let (client_type, default_method, default_grants) = if settings.public_client {
        (
            ClientType::Public,
            TokenEndpointAuthMethod::None,
            vec![
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::DeviceCode,
            ],
        )
    } else {
        (
            ClientType::Confidential,
            TokenEndpointAuthMethod::ClientSecretBasic,
            vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        )
    };
    ClientConfig {
        client_id: application.app_id.as_str().to_owned(),
        client_type,
        redirect_uris: application.redirect_uris.clone(),
        loopback_redirect_any_port: settings.loopback_redirect_any_port,
        post_logout_redirect_uris: settings.post_logout_redirect_uris,
        grant_types: settings.grant_types.unwrap_or(default_grants),
        token_endpoint_auth_method: settings
            .token_endpoint_auth_method
            .unwrap_or(default_method),
        require_pkce: settings.require_pkce,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(kind: &str, settings: serde_json::Value) -> Application {
        serde_json::from_value(serde_json::json!({
            "id": "11111111-1111-1111-1111-111111111111",
            "appId": "22222222-2222-2222-2222-222222222222",
            "displayName": "Wiki",
            "kind": kind,
            "redirectUris": ["https://wiki.example/oidc/callback", "http://127.0.0.1/cb"],
            "createdDateTime": "2026-01-01T00:00:00Z",
            "settings": settings,
        }))
        .unwrap()
    }

    #[test]
    fn null_settings_make_a_confidential_web_app() {
        let config =
            client_config_from_application(&app("oidcClient", serde_json::Value::Null)).unwrap();
        assert_eq!(config.client_id, "22222222-2222-2222-2222-222222222222");
        assert_eq!(config.client_type, ClientType::Confidential);
        assert_eq!(
            config.token_endpoint_auth_method,
            TokenEndpointAuthMethod::ClientSecretBasic
        );
        assert_eq!(config.redirect_uris.len(), 2);
        assert!(!config.allows_grant(GrantType::ClientCredentials));
    }

    #[test]
    fn settings_configure_a_native_public_client() {
        let settings = serde_json::json!({
            "publicClient": true,
            "loopbackRedirectAnyPort": true,
            "postLogoutRedirectUris": ["https://wiki.example/bye"],
        });
        let config = client_config_from_application(&app("oidcClient", settings)).unwrap();
        assert_eq!(config.client_type, ClientType::Public);
        assert_eq!(
            config.token_endpoint_auth_method,
            TokenEndpointAuthMethod::None
        );
        assert!(config.requires_pkce());
        assert!(config.allows_grant(GrantType::DeviceCode));
        assert!(config.loopback_redirect_any_port);
    }

    #[test]
    fn bad_settings_disabled_apps_and_forward_auth_are_refused() {
        let typo = serde_json::json!({"requirePcke": true});
        assert!(matches!(
            client_config_from_application(&app("oidcClient", typo)),
            Err(ApplicationMappingError::InvalidSettings(_))
        ));
        let inconsistent = serde_json::json!({"publicClient": true, "tokenEndpointAuthMethod": "client_secret_post"});
        assert!(matches!(
            client_config_from_application(&app("oidcClient", inconsistent)),
            Err(ApplicationMappingError::Registration(_))
        ));
        let mut disabled = app("oidcClient", serde_json::Value::Null);
        disabled.enabled = false;
        assert_eq!(
            client_config_from_application(&disabled),
            Err(ApplicationMappingError::Disabled)
        );
        assert!(matches!(
            client_config_from_application(&app("forwardAuth", serde_json::Value::Null)),
            Err(ApplicationMappingError::NotAnOAuthClient(_))
        ));
        let automation =
            client_config_from_application(&app("automation", serde_json::Value::Null)).unwrap();
        assert_eq!(automation.grant_types, vec![GrantType::ClientCredentials]);
    }
}
