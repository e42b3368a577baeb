//! Prints a discovery document and authorization responses as JSON, for
//! `xcheck/oauth4webapi.mjs` to validate with an independent client library.

use portcullis_oidc::authorize::{AuthorizationResponse, validate_authorization_request};
use portcullis_oidc::discovery::{Endpoints, Features, ProviderMetadata};
use portcullis_oidc::{
    ClientConfig, ClientType, ErrorCode, GrantType, OAuthError, Params, TokenEndpointAuthMethod,
};

const ISSUER: &str = "https://idp.example";
const REDIRECT: &str = "https://app.example/callback?tenant=1";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ClientConfig {
        client_id: "web-app".into(),
        client_type: ClientType::Confidential,
        redirect_uris: vec![REDIRECT.into()],
        loopback_redirect_any_port: false,
        post_logout_redirect_uris: vec![],
        grant_types: vec![GrantType::AuthorizationCode],
        token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretBasic,
        require_pkce: false,
    };
    let params = Params::from_pairs([
        ("response_type", "code"),
        ("client_id", "web-app"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("state", "st&=ate 1"),
    ]);
    let request = validate_authorization_request(&params, Some(&client), ISSUER)?;
    let success = AuthorizationResponse::success(&request, "code+/=1", ISSUER).redirect_url();
    let denied = AuthorizationResponse::error_for(
        &request,
        ISSUER,
        &OAuthError::new(ErrorCode::AccessDenied, "blocked by \"policy\""),
    )
    .redirect_url();
    let discovery =
        ProviderMetadata::build(ISSUER, &Endpoints::under(ISSUER), &Features::default());
    let out = serde_json::json!({
        "issuer": ISSUER,
        "discovery": discovery,
        "success_redirect": success,
        "error_redirect": denied,
        "state": "st&=ate 1",
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
