//! Shared fixtures for the integration tests.
#![allow(dead_code)]

use portcullis_oidc::{ClientConfig, ClientType, GrantType, TokenEndpointAuthMethod};

pub const ISSUER: &str = "https://idp.example";
pub const REDIRECT: &str = "https://app.example/callback";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub fn confidential() -> ClientConfig {
    ClientConfig {
        client_id: "web-app".into(),
        client_type: ClientType::Confidential,
        redirect_uris: vec![REDIRECT.into(), "http://127.0.0.1/native".into()],
        loopback_redirect_any_port: false,
        post_logout_redirect_uris: vec!["https://app.example/bye".into()],
        grant_types: vec![
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
            GrantType::ClientCredentials,
            GrantType::DeviceCode,
        ],
        token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretBasic,
        require_pkce: false,
    }
}

pub fn public() -> ClientConfig {
    ClientConfig {
        client_id: "native-app".into(),
        client_type: ClientType::Public,
        loopback_redirect_any_port: true,
        token_endpoint_auth_method: TokenEndpointAuthMethod::None,
        grant_types: vec![
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
            GrantType::DeviceCode,
        ],
        ..confidential()
    }
}
