//! Registered clients and client authentication at the token, introspection and
//! revocation endpoints: `client_secret_basic`, `client_secret_post`,
//! `private_key_jwt` (RFC 7523, with `jti` replay detection) and public clients.

use std::sync::Arc;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use portcullis_core::{Application, ClientId, SecretHash};
use portcullis_oidc::application::{OidcClientSettings, client_config_from_application};
use portcullis_oidc::client_assertion::{
    AssertionAudience, AssertionSignatureVerifier, ClientAssertionClaims,
    authenticate_with_assertion, unverified_issuer,
};
use portcullis_oidc::client_auth::{ClientCredentials, parse_client_credentials};
use portcullis_oidc::{ClientConfig, OAuthError, Params, TokenEndpointAuthMethod};
use portcullis_store::ConfigurationVersions;
use time::OffsetDateTime;

use super::OidcProvider;
use super::error::OidcError;
use super::state;
use crate::tokens::client_cache::CachedClient;

/// Algorithms accepted on client assertions. Asymmetric only: an HMAC assertion keyed
/// with a public key (algorithm confusion) or `none` can never verify.
const ASSERTION_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::EdDSA,
    Algorithm::RS384,
];

/// A client as the provider knows it: the directory record, the protocol view and its
/// OIDC settings.
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    pub application: Application,
    pub config: ClientConfig,
    pub settings: OidcClientSettings,
    /// The store's policy version, read with the client (one row for both): the
    /// version this request's Conditional Access judgements use.
    pub(crate) policy_version: i64,
}

impl RegisteredClient {
    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }
}

impl OidcProvider {
    /// The enabled OAuth client with this id, or `None` (unknown, disabled, not an
    /// OAuth client, or registered with settings that no longer validate).
    pub async fn client(&self, client_id: &str) -> Result<Option<RegisteredClient>, OidcError> {
        Ok(self
            .client_with_secrets(client_id, None)
            .await?
            .map(|(client, _)| client))
    }

    /// [`Self::client`] with the client's stored secrets, as read together; `versions`
    /// when the caller has just read them (else they are read here).
    async fn client_with_secrets(
        &self,
        client_id: &str,
        versions: Option<ConfigurationVersions>,
    ) -> Result<Option<(RegisteredClient, Arc<CachedClient>)>, OidcError> {
        let Ok(parsed) = ClientId::parse(client_id.trim()) else {
            return Ok(None);
        };
        let Some((cached, policy_version)) = self.cached_client(&parsed, versions).await? else {
            return Ok(None);
        };
        let application = cached.application.clone();
        let config = match client_config_from_application(&application) {
            Ok(config) => config,
            Err(error) => {
                tracing::info!(client_id, %error, "application is not a usable OAuth client");
                return Ok(None);
            }
        };
        let settings = match application.kind {
            portcullis_core::ApplicationKind::OidcClient => {
                OidcClientSettings::of(&application).unwrap_or_default()
            }
            _ => OidcClientSettings::default(),
        };
        Ok(Some((
            RegisteredClient {
                application,
                config,
                settings,
                policy_version,
            },
            cached,
        )))
    }

    /// The client and its secrets, with the policy version: one read of the versions
    /// (unless given), and the rest from this node's cache if nothing moved
    /// (tokens::client_cache).
    async fn cached_client(
        &self,
        client_id: &ClientId,
        versions: Option<ConfigurationVersions>,
    ) -> Result<Option<(Arc<CachedClient>, i64)>, OidcError> {
        let store = self.services.store.as_ref();
        let versions = match versions {
            Some(versions) => versions,
            None => store.configuration_versions().await?,
        };
        Ok(self
            .services
            .clients
            .get(store, client_id, versions.global_epoch)
            .await?
            .map(|cached| (cached, versions.policy_version)))
    }

    /// Authenticates the client of a back-channel request: exactly one method, the one
    /// the client is registered for, with a valid secret or assertion. Every failure is
    /// the same `invalid_client`, so the endpoint does not reveal which clients exist.
    pub async fn authenticate_client(
        &self,
        authorization_header: Option<&str>,
        params: &Params,
    ) -> Result<RegisteredClient, OidcError> {
        self.authenticate_client_at(authorization_header, params, None)
            .await
    }

    /// [`Self::authenticate_client`] against configuration versions the caller read
    /// just before (with a refresh grant's token: one statement for both), or read here.
    pub(crate) async fn authenticate_client_at(
        &self,
        authorization_header: Option<&str>,
        params: &Params,
        versions: Option<ConfigurationVersions>,
    ) -> Result<RegisteredClient, OidcError> {
        let credentials = parse_client_credentials(authorization_header, params)?;
        let client_id = match &credentials {
            ClientCredentials::PrivateKeyJwt {
                client_id: None,
                assertion,
            } => unverified_issuer(assertion).unwrap_or_default(),
            other => other.client_id().unwrap_or_default().to_owned(),
        };
        let refused =
            || OidcError::Protocol(OAuthError::invalid_client("client authentication failed"));
        let Some((client, stored)) = self.client_with_secrets(&client_id, versions).await? else {
            if let Some(secret) = credentials.secret() {
                burn_a_comparison(secret);
            }
            return Err(refused());
        };
        let secret_method = |m: TokenEndpointAuthMethod| {
            matches!(
                m,
                TokenEndpointAuthMethod::ClientSecretBasic
                    | TokenEndpointAuthMethod::ClientSecretPost
            )
        };
        // Automation clients predate the OIDC settings and were always accepted with
        // either secret method (scripts written for Entra post the secret).
        let automation_secret = client.application.kind
            == portcullis_core::ApplicationKind::Automation
            && secret_method(credentials.method());
        if !automation_secret {
            credentials.check_registered_method(&client.config)?;
        }
        match &credentials {
            ClientCredentials::SecretBasic { secret, .. }
            | ClientCredentials::SecretPost { secret, .. } => {
                let now = OffsetDateTime::now_utc();
                // Every secret is checked (no early exit): timing tells nothing.
                let matched = stored
                    .secrets
                    .iter()
                    .fold(false, |found, stored| stored.accepts(secret, now) | found);
                if !matched {
                    return Err(refused());
                }
            }
            ClientCredentials::PrivateKeyJwt { assertion, .. } => {
                self.check_assertion(&client, assertion).await?;
            }
            // A public client only names itself; check_registered_method made sure it
            // is registered as one.
            ClientCredentials::None { .. } => {}
        }
        Ok(client)
    }

    async fn check_assertion(
        &self,
        client: &RegisteredClient,
        assertion: &str,
    ) -> Result<(), OidcError> {
        let verifier = ClientKeys {
            jwks: client.settings.jwks.as_ref(),
        };
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let token_endpoint = self.token_endpoint();
        let audience = AssertionAudience {
            token_endpoint: &token_endpoint,
            issuer: self.issuer(),
        };
        let accepted =
            authenticate_with_assertion(&verifier, client.client_id(), assertion, audience, now)?;
        let remember = accepted.effect;
        let key = format!("{}:{}", remember.client_id, remember.jti);
        let first_use = state::insert(
            self.services.store.as_ref(),
            state::ASSERTION_JTI,
            &key,
            &serde_json::json!({}),
            state::at(remember.until),
        )
        .await?;
        if !first_use {
            return Err(OAuthError::invalid_client(
                "client assertion: this jti was already used (replay)",
            )
            .into());
        }
        Ok(())
    }
}

/// Verifies assertion signatures with the keys registered for the client. The key is
/// chosen by `kid` (or the only key), and the algorithm is pinned to what that key is:
/// the assertion's header cannot pick HMAC or `none`.
struct ClientKeys<'a> {
    jwks: Option<&'a serde_json::Value>,
}

impl AssertionSignatureVerifier for ClientKeys<'_> {
    fn verify(&self, _client_id: &str, assertion: &str) -> Result<ClientAssertionClaims, String> {
        let jwks = self
            .jwks
            .ok_or("the client has no registered keys (jwks)")?;
        let set: JwkSet = serde_json::from_value(jwks.clone())
            .map_err(|e| format!("the client's registered jwks is not a JWK Set: {e}"))?;
        if super::signing::declares_alg_none(assertion) {
            return Err("alg none is never accepted".into());
        }
        let header =
            jsonwebtoken::decode_header(assertion).map_err(|e| format!("malformed: {e}"))?;
        if !ASSERTION_ALGORITHMS.contains(&header.alg) {
            return Err(format!("algorithm {:?} is not accepted", header.alg));
        }
        let jwk = match &header.kid {
            Some(kid) => set.find(kid),
            None if set.keys.len() == 1 => set.keys.first(),
            None => None,
        }
        .ok_or("no registered key matches the assertion's kid")?;
        let key_algorithm = super::signing::algorithm_of_jwk(jwk)
            .ok_or("the registered key does not name an algorithm this server accepts")?;
        if key_algorithm != header.alg {
            return Err(format!(
                "the assertion says {:?} but the registered key is for {:?}",
                header.alg, key_algorithm
            ));
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("registered key: {e}"))?;
        let mut validation = Validation::new(key_algorithm);
        // The claim rules (iss, sub, aud, exp window, jti) are checked by portcullis-oidc.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<ClientAssertionClaims>(assertion, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| format!("signature: {e}"))
    }
}

/// Spends the same work as a real secret check, so an unknown client id answers in
/// the same time as a wrong secret.
fn burn_a_comparison(presented: &str) {
    let dummy = SecretHash::of("portcullis-no-such-client");
    let _ = std::hint::black_box(dummy.verify(presented));
}
