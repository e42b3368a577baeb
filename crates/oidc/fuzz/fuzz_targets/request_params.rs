//! Any query string or form body, with any `Authorization` header, given to every OAuth /
//! OIDC request parser: none may panic. The first line of the input is the header, the
//! rest the `application/x-www-form-urlencoded` parameters. Authorization requests are
//! judged against a confidential and a public registered client, so the parser reaches
//! past the client and redirect-URI checks into PKCE, scope, prompt and response mode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_oidc::authorize::validate_authorization_request;
use portcullis_oidc::bearer::extract_bearer_token;
use portcullis_oidc::client_assertion::unverified_issuer;
use portcullis_oidc::client_auth::parse_client_credentials;
use portcullis_oidc::device::parse_device_authorization_request;
use portcullis_oidc::introspection::parse_token_and_hint;
use portcullis_oidc::logout::EndSessionParams;
use portcullis_oidc::token::parse_token_request;
use portcullis_oidc::{ClientConfig, ClientType, GrantType, Params, TokenEndpointAuthMethod};

const ISSUER: &str = "https://id.example.com";

fn clients() -> [ClientConfig; 2] {
    let web = ClientConfig {
        client_id: "web".into(),
        client_type: ClientType::Confidential,
        redirect_uris: vec!["https://app.example.com/cb".into()],
        loopback_redirect_any_port: false,
        post_logout_redirect_uris: vec!["https://app.example.com/".into()],
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretBasic,
        require_pkce: false,
    };
    let cli = ClientConfig {
        client_id: "cli".into(),
        client_type: ClientType::Public,
        redirect_uris: vec!["http://127.0.0.1/cb".into()],
        loopback_redirect_any_port: true,
        post_logout_redirect_uris: Vec::new(),
        grant_types: vec![GrantType::AuthorizationCode, GrantType::DeviceCode],
        token_endpoint_auth_method: TokenEndpointAuthMethod::None,
        require_pkce: true,
    };
    [web, cli]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (header, body) = text.split_once('\n').unwrap_or(("", text));
    let authorization = (!header.is_empty()).then_some(header);
    let params = Params::from_urlencoded(body);

    let _ = parse_token_request(&params);
    let _ = parse_client_credentials(authorization, &params);
    let _ = parse_device_authorization_request(&params);
    let _ = parse_token_and_hint(&params);
    let _ = EndSessionParams::parse(&params);
    let _ = extract_bearer_token(authorization, Some(&params));
    if let Ok(Some(assertion)) = params.get("client_assertion") {
        let _ = unverified_issuer(assertion);
    }
    for client in clients() {
        let _ = validate_authorization_request(&params, Some(&client), ISSUER);
    }
    let _ = validate_authorization_request(&params, None, ISSUER);
});
