//! What the protocol needs to know about a registered client. The web glue builds
//! this from `portcullis_core::Application` (its redirect URIs and kind-specific
//! settings); secrets stay out of it, since checking them is the glue's job against
//! the stored hashes (`ApplicationSecret::accepts`).

use serde::{Deserialize, Serialize};

/// RFC 6749 §2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientType {
    /// Can keep a secret (server-side web app); authenticates at the token endpoint.
    Confidential,
    /// Cannot keep a secret (native app, single-page app); must use PKCE S256.
    Public,
}

/// How a client authenticates at the token endpoint (RFC 8414 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    /// Public clients: only `client_id` is sent.
    None,
}

impl TokenEndpointAuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenEndpointAuthMethod::ClientSecretBasic => "client_secret_basic",
            TokenEndpointAuthMethod::ClientSecretPost => "client_secret_post",
            TokenEndpointAuthMethod::PrivateKeyJwt => "private_key_jwt",
            TokenEndpointAuthMethod::None => "none",
        }
    }
}

/// Grant types a client may be allowed to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
    DeviceCode,
}

impl GrantType {
    pub const DEVICE_CODE_URN: &'static str = "urn:ietf:params:oauth:grant-type:device_code";

    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::DeviceCode => Self::DEVICE_CODE_URN,
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
            GrantType::ClientCredentials,
            GrantType::DeviceCode,
        ]
        .into_iter()
        .find(|g| g.as_str() == value)
    }
}

/// A registered client as the protocol sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    pub client_id: String,
    pub client_type: ClientType,
    /// Exact-match redirect URIs.
    pub redirect_uris: Vec<String>,
    /// RFC 8252 §7.3: accept any port on a registered `http://127.0.0.1/…` or
    /// `http://[::1]/…` redirect URI. Off unless the admin turns it on for a native app.
    #[serde(default)]
    pub loopback_redirect_any_port: bool,
    /// Exact-match URIs for RP-initiated logout.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    /// The one method this client is registered to authenticate with.
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    /// Require PKCE even though the client is confidential (always required for public).
    #[serde(default)]
    pub require_pkce: bool,
}

impl ClientConfig {
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    pub fn requires_pkce(&self) -> bool {
        self.require_pkce || self.client_type == ClientType::Public
    }
}
