//! Authorization codes: issued at `authorize` after Conditional Access allowed the
//! session for the client, redeemed once at the token endpoint. A second redemption
//! (or losing the redemption race) revokes what the first one issued: the refresh
//! family (whose id is the code's id) and the access token.

use portcullis_core::{RefreshTokenId, UserId};
use portcullis_oidc::OAuthError;
use portcullis_oidc::authorize::AuthorizationRequest;
use portcullis_oidc::code::{
    AuthorizationCode, CODE_LIFETIME_SECS, CodeEffect, CodeGrant, CodeRedemption,
};
use portcullis_oidc::token::TokenResponse;
use portcullis_policy::evaluate::UsedMethod;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::OidcProvider;
use super::clients::RegisteredClient;
use super::error::OidcError;
use super::issue::{FamilyChoice, RequestMeta, UserIssuance, random_token};
use super::judge::{AuthorizationVerdict, IssuanceKind, Judgement, SessionSnapshot};
use super::state;

/// How long a redeemed code is remembered, so a late replay is still recognised as one.
const REMEMBER_REDEEMED_SECS: i64 = 24 * 3600;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredCode {
    code: AuthorizationCode,
    /// The evaluator's view of the session's methods, for judging at redemption.
    methods: Vec<UsedMethod>,
    /// The access token issued from the code, revoked if the code is replayed.
    issued_access_token: Option<String>,
}

impl OidcProvider {
    /// Issues a code for a validated request and a session Conditional Access allowed.
    pub async fn issue_code(
        &self,
        request: &AuthorizationRequest,
        session: &SessionSnapshot,
        acr: Option<&str>,
    ) -> Result<String, OidcError> {
        let now = OffsetDateTime::now_utc();
        let value = random_token("pca_");
        let grant = CodeGrant {
            client_id: request.client_id.clone(),
            redirect_uri: request.redirect_uri.clone(),
            code_challenge: request.code_challenge.clone(),
            nonce: request.nonce.clone(),
            scope: request.scope.clone(),
            subject: session.user_id.to_string(),
            auth_time: session.authenticated_at.unix_timestamp(),
            session_id: session.session_id.clone().unwrap_or_default(),
            amr: session.amr.clone(),
            acr: acr.map(str::to_owned).or_else(|| session.acr.clone()),
        };
        // The code's id doubles as the id of the refresh family it starts.
        let code =
            AuthorizationCode::issue(Uuid::new_v4().to_string(), grant, now.unix_timestamp());
        let stored = StoredCode {
            code,
            methods: session.methods.clone(),
            issued_access_token: None,
        };
        state::insert(
            self.services.store.as_ref(),
            state::CODE,
            &state::bearer_key(&value),
            &stored,
            now + time::Duration::seconds(CODE_LIFETIME_SECS + REMEMBER_REDEEMED_SECS),
        )
        .await?;
        Ok(value)
    }

    /// The authorization-code grant.
    pub(crate) async fn redeem_code(
        &self,
        client: &RegisteredClient,
        code_value: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<TokenResponse, OidcError> {
        let store = self.services.store.as_ref();
        let key = state::bearer_key(code_value);
        let Some(found) = state::get::<StoredCode>(store, state::CODE, &key).await? else {
            return Err(OAuthError::invalid_grant("the authorization code is not valid").into());
        };
        let now = OffsetDateTime::now_utc();
        let redemption = CodeRedemption {
            client_id: client.client_id(),
            redirect_uri,
            code_verifier,
            now: now.unix_timestamp(),
        };
        let redeemed = match found.value.code.redeem(&redemption) {
            Ok(redeemed) => redeemed,
            Err(rejection) => {
                if let Some(CodeEffect::RevokeIssuedFrom(id)) = &rejection.effect {
                    self.revoke_issued_from_code(
                        id,
                        found.value.issued_access_token.as_deref(),
                        now,
                    )
                    .await?;
                }
                return Err(rejection.error.into());
            }
        };
        let mut stored = found.value.clone();
        stored.code = redeemed.code;
        let won = state::replace(
            store,
            state::CODE,
            &key,
            found.version,
            &stored,
            found.expires,
        )
        .await?;
        if !won {
            // Another request redeemed it between our read and write: that is reuse.
            self.revoke_issued_from_code(&stored.code.id, None, now)
                .await?;
            return Err(OAuthError::invalid_grant(
                "the authorization code was already used; tokens issued from it are revoked",
            )
            .into());
        }
        let grant = &stored.code.grant;
        let user_id =
            UserId::parse(&grant.subject).map_err(|e| OidcError::internal("code subject", e))?;
        let session = SessionSnapshot {
            user_id,
            session_id: Some(grant.session_id.clone()).filter(|s| !s.is_empty()),
            authenticated_at: state::at(grant.auth_time),
            methods: stored.methods.clone(),
            amr: grant.amr.clone(),
            acr: grant.acr.clone(),
        };
        let judgement = Judgement {
            client,
            session: &session,
            kind: IssuanceKind::CodeRedemption,
            authentication_context: grant.acr.as_deref().filter(|a| is_context(a)),
            ip_address: meta.ip_address,
            user_agent: meta.user_agent.as_deref(),
        };
        if let AuthorizationVerdict::Deny(error) = self.judge(&judgement).await? {
            return Err(error.into());
        }
        let family_id = RefreshTokenId::parse(&stored.code.id)
            .map_err(|e| OidcError::internal("code id", e))?;
        let issued = self
            .issue_user_tokens(&UserIssuance {
                client,
                session: &session,
                scope: &grant.scope,
                refresh_scope: &grant.scope,
                nonce: grant.nonce.as_deref(),
                acr: grant.acr.as_deref(),
                family: FamilyChoice::Start { family_id },
                device_flow: false,
            })
            .await?;
        // Remember the access token so a replay of the code can revoke it. Best effort:
        // losing this race means a replay already revoked the family.
        let mut remembered = stored;
        remembered.issued_access_token = Some(issued.access_token_jti.clone());
        let _ = state::replace(
            store,
            state::CODE,
            &key,
            found.version + 1,
            &remembered,
            found.expires,
        )
        .await?;
        Ok(issued.response)
    }

    async fn revoke_issued_from_code(
        &self,
        code_id: &str,
        access_token_jti: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(), OidcError> {
        if let Ok(family) = RefreshTokenId::parse(code_id) {
            self.services
                .store
                .revoke_refresh_token_family(&family, now)
                .await?;
        }
        if let Some(jti) = access_token_jti {
            self.revoke_access_token(
                jti,
                now + time::Duration::seconds(self.settings.access_token_lifetime_secs),
            )
            .await?;
        }
        tracing::warn!(
            code = code_id,
            "authorization code replayed; tokens issued from it revoked"
        );
        metrics::counter!("portcullis_oidc_code_reuse_total").increment(1);
        Ok(())
    }

    /// Marks an access token revoked until it would have expired anyway.
    pub(crate) async fn revoke_access_token(
        &self,
        jti: &str,
        until: OffsetDateTime,
    ) -> Result<(), OidcError> {
        state::insert(
            self.services.store.as_ref(),
            state::REVOKED_ACCESS_TOKEN,
            jti,
            &serde_json::json!({}),
            until,
        )
        .await?;
        Ok(())
    }
}

/// Whether an `acr` value names an authentication context (`c1` … `c25`).
pub(crate) fn is_context(value: &str) -> bool {
    value
        .strip_prefix('c')
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| (1..=25).contains(&n))
}
