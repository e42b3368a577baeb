//! The OpenID Provider metadata document served at
//! `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §3, RFC 8414).

use serde::{Deserialize, Serialize};

use crate::claims::SigningAlgorithm;
use crate::client::TokenEndpointAuthMethod;

/// Where each endpoint lives, relative to the issuer unless overridden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorization: String,
    pub token: String,
    pub userinfo: String,
    pub jwks: String,
    pub revocation: String,
    pub introspection: String,
    pub end_session: String,
    pub device_authorization: String,
}

impl Endpoints {
    /// The default layout under the issuer; `/oauth2/token` and
    /// `/.well-known/jwks.json` are where `portcullis-web` already serves them.
    pub fn under(issuer: &str) -> Self {
        let base = issuer.trim_end_matches('/');
        let at = |path: &str| format!("{base}{path}");
        Endpoints {
            authorization: at("/oauth2/authorize"),
            token: at("/oauth2/token"),
            userinfo: at("/oauth2/userinfo"),
            jwks: at("/.well-known/jwks.json"),
            revocation: at("/oauth2/revoke"),
            introspection: at("/oauth2/introspect"),
            end_session: at("/oauth2/logout"),
            device_authorization: at("/oauth2/device_authorization"),
        }
    }
}

/// What this installation turns on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features {
    /// ID token signing algorithms with a published key, the default first.
    pub signing_algorithms: Vec<SigningAlgorithm>,
    pub device_flow: bool,
    pub private_key_jwt: bool,
    /// `acr` values clients may ask for: authentication contexts and strengths.
    pub acr_values: Vec<String>,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            signing_algorithms: vec![SigningAlgorithm::Es256],
            device_flow: true,
            private_key_jwt: true,
            acr_values: Vec::new(),
        }
    }
}

/// The metadata document. Field names are the registered metadata names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub revocation_endpoint: String,
    pub introspection_endpoint: String,
    pub end_session_endpoint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    pub scopes_supported: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub response_modes_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub subject_types_supported: Vec<String>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    pub revocation_endpoint_auth_methods_supported: Vec<String>,
    pub introspection_endpoint_auth_methods_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub claims_supported: Vec<String>,
    pub claims_parameter_supported: bool,
    pub request_parameter_supported: bool,
    pub request_uri_parameter_supported: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub acr_values_supported: Vec<String>,
    pub prompt_values_supported: Vec<String>,
    /// RFC 9207: authorization responses carry `iss`.
    pub authorization_response_iss_parameter_supported: bool,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl ProviderMetadata {
    /// Builds the document. `issuer` must be exactly the `iss` of issued tokens.
    pub fn build(issuer: &str, endpoints: &Endpoints, features: &Features) -> Self {
        let mut grants = strings(&["authorization_code", "refresh_token", "client_credentials"]);
        if features.device_flow {
            grants.push(crate::client::GrantType::DEVICE_CODE_URN.to_owned());
        }
        let mut auth_methods: Vec<String> = [
            TokenEndpointAuthMethod::ClientSecretBasic,
            TokenEndpointAuthMethod::ClientSecretPost,
        ]
        .iter()
        .map(|m| m.as_str().to_owned())
        .collect();
        if features.private_key_jwt {
            auth_methods.push(TokenEndpointAuthMethod::PrivateKeyJwt.as_str().to_owned());
        }
        let mut token_auth_methods = auth_methods.clone();
        token_auth_methods.push(TokenEndpointAuthMethod::None.as_str().to_owned());
        let algorithms: Vec<String> = features
            .signing_algorithms
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect();
        ProviderMetadata {
            issuer: issuer.to_owned(),
            authorization_endpoint: endpoints.authorization.clone(),
            token_endpoint: endpoints.token.clone(),
            userinfo_endpoint: endpoints.userinfo.clone(),
            jwks_uri: endpoints.jwks.clone(),
            revocation_endpoint: endpoints.revocation.clone(),
            introspection_endpoint: endpoints.introspection.clone(),
            end_session_endpoint: endpoints.end_session.clone(),
            device_authorization_endpoint: features
                .device_flow
                .then(|| endpoints.device_authorization.clone()),
            scopes_supported: strings(&["openid", "profile", "email", "groups", "offline_access"]),
            response_types_supported: strings(&["code"]),
            response_modes_supported: strings(&["query", "form_post"]),
            grant_types_supported: grants,
            subject_types_supported: strings(&["public"]),
            id_token_signing_alg_values_supported: algorithms,
            token_endpoint_auth_methods_supported: token_auth_methods,
            token_endpoint_auth_signing_alg_values_supported: features
                .private_key_jwt
                .then(|| strings(&["ES256", "RS256", "PS256", "EdDSA"])),
            revocation_endpoint_auth_methods_supported: auth_methods.clone(),
            introspection_endpoint_auth_methods_supported: auth_methods,
            code_challenge_methods_supported: strings(&["S256"]),
            claims_supported: strings(&[
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "acr",
                "amr",
                "sid",
                "azp",
                "at_hash",
                "name",
                "given_name",
                "family_name",
                "preferred_username",
                "email",
                "email_verified",
                "groups",
            ]),
            claims_parameter_supported: false,
            request_parameter_supported: false,
            request_uri_parameter_supported: false,
            acr_values_supported: features.acr_values.clone(),
            prompt_values_supported: strings(&["none", "login", "consent", "select_account"]),
            authorization_response_iss_parameter_supported: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_every_endpoint_under_the_issuer() {
        let issuer = "https://idp.example/";
        let doc = ProviderMetadata::build(issuer, &Endpoints::under(issuer), &Features::default());
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(json["issuer"], "https://idp.example/");
        assert_eq!(json["token_endpoint"], "https://idp.example/oauth2/token");
        assert_eq!(
            json["jwks_uri"],
            "https://idp.example/.well-known/jwks.json"
        );
        assert_eq!(
            json["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(
            json["response_types_supported"],
            serde_json::json!(["code"])
        );
        assert_eq!(
            json["id_token_signing_alg_values_supported"],
            serde_json::json!(["ES256"])
        );
        assert!(
            json["grant_types_supported"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g == "urn:ietf:params:oauth:grant-type:device_code")
        );
        assert!(json.get("acr_values_supported").is_none());
    }

    #[test]
    fn features_switch_parts_off() {
        let features = Features {
            device_flow: false,
            private_key_jwt: false,
            acr_values: vec!["c1".into()],
            ..Features::default()
        };
        let doc = ProviderMetadata::build("https://i", &Endpoints::under("https://i"), &features);
        assert!(doc.device_authorization_endpoint.is_none());
        assert!(
            !doc.token_endpoint_auth_methods_supported
                .contains(&"private_key_jwt".to_owned())
        );
        assert!(
            doc.token_endpoint_auth_signing_alg_values_supported
                .is_none()
        );
        assert_eq!(doc.acr_values_supported, vec!["c1"]);
    }
}
