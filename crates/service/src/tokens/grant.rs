//! The client-credentials grant and bearer-token authentication of admin API calls.

use portcullis_core::{AppPermission, Application, ClientId, SecretHash};
use time::OffsetDateTime;

use super::access_token::{self, ADMIN_API_AUDIENCE, TokenError, TokenRequest};
use crate::caller::Caller;
use crate::error::ServiceError;
use crate::services::Services;

/// Scopes a client-credentials request may name: ours, or Graph's (so scripts written
/// for Entra work unchanged). Both mean "every app role granted to the client".
const ACCEPTED_SCOPES: &[&str] = &[
    "urn:portcullis:graph/.default",
    "https://graph.microsoft.com/.default",
];

/// Why a token request failed, as RFC 6749 §5.2 names it.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// Unknown client, wrong or expired secret, disabled application. One answer for
    /// all, so the endpoint does not reveal which client ids exist.
    #[error("client authentication failed")]
    InvalidClient,
    #[error("{0}")]
    InvalidScope(String),
    /// Conditional Access for workload identities refused the client.
    #[error("{0}")]
    Blocked(String),
    #[error("{0}")]
    Internal(String),
}

/// A freshly issued access token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
}

/// A client-credentials token with the application it was issued to and the policy
/// version read with the client's (so judging the grant reads neither again).
#[derive(Debug, Clone)]
pub struct ClientGrant {
    pub issued: IssuedToken,
    pub application: Application,
    pub policy_version: i64,
}

/// Why a bearer token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum BearerError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Internal(String),
}

impl Services {
    /// RFC 6749 §4.4: authenticates the client by its secret and issues an access token
    /// whose `roles` are the Graph app roles granted to it.
    pub async fn client_credentials(
        &self,
        client_id: &str,
        client_secret: &str,
        scope: Option<&str>,
    ) -> Result<IssuedToken, GrantError> {
        self.client_credentials_for(client_id, client_secret, scope)
            .await
            .map(|grant| grant.issued)
    }

    /// [`Self::client_credentials`], also answering the authenticated application (so
    /// the caller judging and logging the grant does not read it again).
    pub async fn client_credentials_for(
        &self,
        client_id: &str,
        client_secret: &str,
        scope: Option<&str>,
    ) -> Result<ClientGrant, GrantError> {
        if let Some(scope) = scope {
            let all_known = scope
                .split_whitespace()
                .all(|s| ACCEPTED_SCOPES.iter().any(|a| a.eq_ignore_ascii_case(s)));
            if !all_known {
                return Err(GrantError::InvalidScope(format!(
                    "scope must be {} (or https://graph.microsoft.com/.default)",
                    ACCEPTED_SCOPES[0]
                )));
            }
        }
        let internal = |e: ServiceError| GrantError::Internal(e.to_string());
        let Ok(client_id) = ClientId::parse(client_id) else {
            burn_a_comparison(client_secret);
            return Err(GrantError::InvalidClient);
        };
        // One read for the client's and the policy's versions; the client then comes from
        // this node's cache if nothing moved (tokens::client_cache).
        let versions = self
            .store
            .configuration_versions()
            .await
            .map_err(|e| internal(e.into()))?;
        let client = self
            .clients
            .get(self.store.as_ref(), &client_id, versions.global_epoch)
            .await
            .map_err(|e| internal(e.into()))?;
        let Some(client) = client else {
            burn_a_comparison(client_secret);
            return Err(GrantError::InvalidClient);
        };
        let application = client.application.clone();
        let now = OffsetDateTime::now_utc();
        // Check every secret (no early exit) so timing does not tell how many exist
        // or which one matched.
        let matched = client.secrets.iter().fold(false, |found, secret| {
            secret.accepts(client_secret, now) | found
        });
        if !matched || !application.enabled {
            return Err(GrantError::InvalidClient);
        }
        let key = self
            .active_key()
            .ok_or_else(|| GrantError::Internal("no active signing key".into()))?;
        let lifetime = time::Duration::seconds(
            i64::try_from(self.settings.access_token_lifetime.as_secs()).unwrap_or(3600),
        );
        let (access_token, _) = access_token::issue(
            &key,
            &TokenRequest {
                issuer: self.issuer(),
                tenant_id: self.tenant_id(),
                application_id: application.id.as_str(),
                client_id: application.app_id.as_str(),
                roles: application
                    .granted_permissions
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
                now,
                lifetime,
            },
        )
        .map_err(|e| GrantError::Internal(e.to_string()))?;
        metrics::counter!("portcullis_tokens_issued_total", "grant" => "client_credentials")
            .increment(1);
        Ok(ClientGrant {
            issued: IssuedToken {
                access_token,
                expires_in: self.settings.access_token_lifetime.as_secs(),
            },
            application,
            policy_version: versions.policy_version,
        })
    }

    /// Authenticates an admin API call. The token must verify (ES256, our key, issuer,
    /// audience, lifetime) and its application must still exist and be enabled; the
    /// caller's permissions are those in the token that are *still* granted, so a
    /// revoked grant takes effect at once.
    pub async fn authenticate_bearer(&self, token: &str) -> Result<Caller, BearerError> {
        let claims = match self.verify_token(token) {
            Err(TokenError::UnknownKey) => {
                // Another node may have rotated in a key we have not loaded yet.
                self.reload_keys()
                    .await
                    .map_err(|e| BearerError::Internal(e.to_string()))?;
                self.verify_token(token)
            }
            other => other,
        }
        .map_err(|e| BearerError::Invalid(e.to_string()))?;
        if claims.aud != ADMIN_API_AUDIENCE || claims.tid != self.tenant_id() {
            return Err(BearerError::Invalid(
                "the token is for another audience or tenant".into(),
            ));
        }
        let client_id = ClientId::parse(&claims.azp)
            .map_err(|_| BearerError::Invalid("the token's azp is not a client id".into()))?;
        let application = self
            .store
            .find_application_by_client_id(&client_id)
            .await
            .map_err(|e| BearerError::Internal(e.to_string()))?
            .filter(|app| app.enabled)
            .ok_or_else(|| {
                BearerError::Invalid(
                    "the token's application no longer exists or is disabled".into(),
                )
            })?;
        let permissions: Vec<AppPermission> = application
            .granted_permissions
            .iter()
            .copied()
            .filter(|p| claims.roles.iter().any(|r| r == p.as_str()))
            .collect();
        let directory_roles = self
            .store
            .roles_of_application(&application.id)
            .await
            .map_err(|e| BearerError::Internal(e.to_string()))?;
        Ok(Caller::application(
            &application.id,
            application.app_id.clone(),
            &application.display_name,
            permissions,
            directory_roles,
        ))
    }

    fn verify_token(&self, token: &str) -> Result<access_token::AccessTokenClaims, TokenError> {
        let issuer = self.issuer().to_owned();
        let key = access_token::key_id_of(token).and_then(|kid| self.key_by_kid(&kid));
        access_token::verify(token, &issuer, |_| key.as_ref())
    }
}

/// Spends the same work as a real secret check, so an unknown client id answers in
/// the same time as a wrong secret.
fn burn_a_comparison(presented: &str) {
    let dummy = SecretHash::of("portcullis-no-such-client");
    let _ = std::hint::black_box(dummy.verify(presented));
}
