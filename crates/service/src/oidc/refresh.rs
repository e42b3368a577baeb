//! The refresh-token grant: rotation with reuse detection (the store marks a token used
//! atomically; presenting a used token revokes its family), then the grant is judged
//! again — the session or the user's posture (deleted, disabled, password changed, high
//! user risk, revoked by an admin) and Conditional Access for the client (policy
//! changes, sign-in frequency) — before anything is issued.

use portcullis_core::{RefreshTokenId, SecretHash, SessionId};
use portcullis_oidc::OAuthError;
use portcullis_oidc::refresh::{RefreshRedemption, RefreshState, RefreshTokenRecord};
use portcullis_oidc::scope::Scope;
use portcullis_oidc::token::TokenResponse;
use portcullis_store::RefreshTokenUse;
use time::OffsetDateTime;
use uuid::Uuid;

use super::OidcProvider;
use super::clients::RegisteredClient;
use super::error::OidcError;
use super::issue::{FamilyChoice, FamilyFacts, RequestMeta, UserIssuance};
use super::judge::{AuthorizationVerdict, IssuanceKind, Judgement, SessionSnapshot};
use super::state;

impl OidcProvider {
    pub(crate) async fn refresh(
        &self,
        client: &RegisteredClient,
        presented: &str,
        narrower_scope: Option<&Scope>,
        meta: &RequestMeta,
    ) -> Result<TokenResponse, OidcError> {
        let store = self.services.store.as_ref();
        let now = OffsetDateTime::now_utc();
        let token = match store
            .use_refresh_token(&SecretHash::of(presented), now)
            .await?
        {
            RefreshTokenUse::Fresh(token) => *token,
            RefreshTokenUse::Reused { family } => {
                tracing::warn!(family = %family, client = client.client_id(),
                    "refresh token reused; family revoked");
                metrics::counter!("portcullis_oidc_refresh_reuse_total").increment(1);
                return Err(OAuthError::invalid_grant(
                    "the refresh token was already used; every token of its family is revoked",
                )
                .into());
            }
            RefreshTokenUse::Invalid => {
                return Err(OAuthError::invalid_grant(
                    "the refresh token is not valid (unknown, expired or revoked)",
                )
                .into());
            }
        };
        let family = token.family_id.clone();
        let revoke_family = || async { store.revoke_refresh_token_family(&family, now).await };
        if token.client_id.as_str() != client.client_id() {
            // Presented by another client: the token is stolen; end the family.
            revoke_family().await?;
            return Err(OAuthError::invalid_grant(
                "the refresh token was issued to another client",
            )
            .into());
        }
        let Some(user_id) = token.user_id.clone() else {
            return Err(OAuthError::invalid_grant("the refresh token has no user").into());
        };
        let Some(facts) = state::get::<FamilyFacts>(store, state::FAMILY, family.as_str()).await?
        else {
            revoke_family().await?;
            return Err(OAuthError::invalid_grant(
                "the refresh token's family has expired; sign in again",
            )
            .into());
        };
        let facts = facts.value;
        // The protocol rules (client, expiry within the family's lifetime, scope only
        // narrowed) are portcullis-oidc's; the store already made this use the only one.
        let record = RefreshTokenRecord {
            id: token.id.to_string(),
            family_id: family.to_string(),
            client_id: token.client_id.to_string(),
            subject: Some(user_id.to_string()),
            session_id: token.session_id.as_ref().map(ToString::to_string),
            scope: Scope::from_tokens(token.scopes.iter().cloned()),
            origin_code_id: None,
            family_started_at: facts.family_started_at,
            issued_at: token.created_date_time.unix_timestamp(),
            expires_at: token.expires_date_time.unix_timestamp(),
            state: RefreshState::Active,
        };
        let rotation = record
            .rotate(
                &RefreshRedemption {
                    client_id: client.client_id(),
                    scope: narrower_scope,
                    now: now.unix_timestamp(),
                },
                Uuid::new_v4().to_string(),
                &self.settings.refresh,
            )
            .map_err(|rejection| OidcError::Protocol(rejection.error))?;
        let session = SessionSnapshot {
            user_id: user_id.clone(),
            session_id: token.session_id.as_ref().map(ToString::to_string),
            authenticated_at: state::at(facts.auth_time),
            methods: facts.methods.clone(),
            amr: facts.amr.clone(),
            acr: facts.acr.clone(),
        };
        let judgement = Judgement {
            client,
            session: &session,
            kind: if facts.device_flow {
                IssuanceKind::DeviceCode
            } else {
                IssuanceKind::Refresh
            },
            authentication_context: None,
            ip_address: meta.ip_address,
            user_agent: meta.user_agent.as_deref(),
        };
        if let Err(reason) = self
            .still_signed_in(token.session_id.as_ref(), &user_id, &facts, now)
            .await?
        {
            revoke_family().await?;
            let error = OAuthError::invalid_grant(format!("{reason}; sign in again"));
            self.log_refusal(&judgement, &error).await?;
            return Err(error.into());
        }
        match self.judge(&judgement).await? {
            AuthorizationVerdict::Allow { .. } => {}
            AuthorizationVerdict::Deny(error) => {
                revoke_family().await?;
                return Err(error.into());
            }
            AuthorizationVerdict::SignIn { .. } => {
                revoke_family().await?;
                return Err(OAuthError::invalid_grant(
                    "Conditional Access requires the user to sign in again",
                )
                .into());
            }
        }
        let issued = self
            .issue_user_tokens(&UserIssuance {
                client,
                session: &session,
                scope: &rotation.access_scope,
                refresh_scope: &record.scope,
                nonce: None,
                acr: facts.acr.as_deref(),
                family: FamilyChoice::Continue {
                    family_id: RefreshTokenId::parse(family.as_str())
                        .map_err(|e| OidcError::internal("family id", e))?,
                    started_at: facts.family_started_at,
                },
                device_flow: facts.device_flow,
            })
            .await?;
        metrics::counter!("portcullis_tokens_issued_total", "grant" => "refresh_token")
            .increment(1);
        Ok(issued.response)
    }

    /// The session (or, without one, the user's posture since the family began) must
    /// still stand. `Err(reason)` says why not, in words a client can show.
    async fn still_signed_in(
        &self,
        session: Option<&SessionId>,
        user: &portcullis_core::UserId,
        facts: &FamilyFacts,
        now: OffsetDateTime,
    ) -> Result<Result<(), String>, OidcError> {
        let check = match session {
            // Only whether it stands: Conditional Access loads the user next.
            Some(session) => self.sessions().check_session_id(session, now).await?,
            None => {
                self.sessions()
                    .check_user_posture(user, state::at(facts.family_started_at), now)
                    .await?
            }
        };
        Ok(check.map_err(|rejection| format!("the sign-in session ended: {rejection}")))
    }
}
