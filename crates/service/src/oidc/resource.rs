//! The token endpoint's dispatch over grants, and the endpoints that read tokens back:
//! userinfo, introspection (RFC 7662) and revocation (RFC 7009).

use portcullis_core::{SecretHash, UserId};
use portcullis_oidc::bearer::BearerErrorCode;
use portcullis_oidc::claims::{UserAccessTokenClaims, UserInfo};
use portcullis_oidc::introspection::{
    ActiveToken, IntrospectionRequest, IntrospectionResponse, TokenTypeHint,
};
use portcullis_oidc::revocation::{FoundToken, RevocationEffect, revocation_effect};
use portcullis_oidc::scope::Scope;
use portcullis_oidc::token::{TokenGrantRequest, TokenResponse, check_grant_allowed};
use portcullis_oidc::{OAuthError, Params};
use portcullis_store::RefreshGrantSubject;
use time::OffsetDateTime;

use super::OidcProvider;
use super::clients::RegisteredClient;
use super::error::OidcError;
use super::issue::{RequestMeta, user_access_token_audience};
use super::state;

/// Why a userinfo request was refused (RFC 6750 §3.1).
#[derive(Debug, thiserror::Error)]
pub enum UserInfoError {
    #[error("{1}")]
    Bearer(BearerErrorCode, String),
    #[error(transparent)]
    Internal(#[from] OidcError),
}

/// A refresh grant's reads made before client authentication (see
/// [`OidcProvider::user_grant`]): the presented token's hash and what was found for it.
struct RefreshPreRead {
    hash: SecretHash,
    presented: Option<RefreshGrantSubject>,
}

impl OidcProvider {
    /// `POST /oauth2/token` for every grant but client credentials (which the web layer
    /// routes to the admin token service): authenticates the client, lets `admit` apply
    /// the per-client request limit, and issues.
    ///
    /// A refresh grant's store reads — the configuration versions client authentication
    /// checks its cached client against, the presented token, its user's facts and its
    /// session — are one statement, made before the client is authenticated; nothing
    /// read is used or told before it is.
    pub async fn user_grant(
        &self,
        authorization_header: Option<&str>,
        params: &Params,
        meta: &RequestMeta,
        admit: impl FnOnce(&str) -> bool,
    ) -> Result<TokenResponse, OidcError> {
        let pre_read = match (params.get("grant_type"), params.get("refresh_token")) {
            (Ok(Some("refresh_token")), Ok(Some(presented))) => {
                let hash = SecretHash::of(presented);
                let read = self.services.store.refresh_grant_subject(&hash).await?;
                Some((
                    read.versions,
                    RefreshPreRead {
                        hash,
                        presented: read.presented,
                    },
                ))
            }
            _ => None,
        };
        let versions = pre_read.as_ref().map(|(versions, _)| *versions);
        let client = self
            .authenticate_client_at(authorization_header, params, versions)
            .await?;
        if !admit(client.client_id()) {
            return Err(OAuthError::new(
                portcullis_oidc::ErrorCode::TemporarilyUnavailable,
                "too many token requests for this client; retry later",
            )
            .into());
        }
        self.grant(&client, params, meta, pre_read.map(|(_, read)| read))
            .await
    }

    /// The grant, after client authentication.
    async fn grant(
        &self,
        client: &RegisteredClient,
        params: &Params,
        meta: &RequestMeta,
        pre_read: Option<RefreshPreRead>,
    ) -> Result<TokenResponse, OidcError> {
        self.services.maintain_signing_keys_if_due().await;
        let request = portcullis_oidc::token::parse_token_request(params)?;
        check_grant_allowed(&client.config, request.grant_type())?;
        match request {
            TokenGrantRequest::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                self.redeem_code(
                    client,
                    &code,
                    redirect_uri.as_deref(),
                    code_verifier.as_deref(),
                    meta,
                )
                .await
            }
            TokenGrantRequest::RefreshToken {
                refresh_token,
                scope,
            } => {
                let hash = SecretHash::of(&refresh_token);
                let presented = match pre_read {
                    Some(read) if read.hash == hash => read.presented,
                    _ => {
                        self.services
                            .store
                            .refresh_grant_subject(&hash)
                            .await?
                            .presented
                    }
                };
                self.refresh(client, hash, presented, scope.as_ref(), meta)
                    .await
            }
            TokenGrantRequest::DeviceCode { device_code } => {
                self.poll_device_code(client, &device_code, meta).await
            }
            TokenGrantRequest::ClientCredentials { .. } => Err(OAuthError::new(
                portcullis_oidc::ErrorCode::UnauthorizedClient,
                "client credentials are issued to automation applications only",
            )
            .into()),
        }
    }

    /// A user access token we issued, verified (our key, its algorithm, issuer, the
    /// userinfo audience, lifetime, `typ: at+jwt`) and not revoked.
    pub(crate) async fn verify_access_token(
        &self,
        token: &str,
    ) -> Result<Option<UserAccessTokenClaims>, OidcError> {
        let audience = user_access_token_audience(self.issuer());
        let Ok(claims) = self
            .verify_own::<UserAccessTokenClaims>(token, Some(&audience), true, Some("at+jwt"))
            .await
        else {
            return Ok(None);
        };
        let revoked = state::get::<serde_json::Value>(
            self.services.store.as_ref(),
            state::REVOKED_ACCESS_TOKEN,
            &claims.jti,
        )
        .await?
        .is_some();
        Ok((!revoked).then_some(claims))
    }

    /// `GET|POST /oauth2/userinfo` with a verified bearer token.
    pub async fn userinfo(&self, token: &str) -> Result<UserInfo, UserInfoError> {
        let invalid = |why: &str| UserInfoError::Bearer(BearerErrorCode::InvalidToken, why.into());
        let claims = self.verify_access_token(token).await?.ok_or_else(|| {
            invalid("the access token is invalid, expired, revoked or not for userinfo")
        })?;
        let scope = Scope::parse(&claims.scope).unwrap_or_default();
        if !scope.contains(portcullis_oidc::scope::OPENID) {
            return Err(UserInfoError::Bearer(
                BearerErrorCode::InsufficientScope,
                "the access token was not issued for openid".into(),
            ));
        }
        let user =
            UserId::parse(&claims.sub).map_err(|_| invalid("the token's subject is not a user"))?;
        // Continuous access evaluation: a disabled or deleted user gets nothing more.
        let posture = self
            .sessions()
            .check_user_posture(
                &user,
                crate::oidc::state::at(claims.iat),
                OffsetDateTime::now_utc(),
            )
            .await
            .map_err(OidcError::from)?;
        if let Err(rejection) = posture {
            return Err(invalid(&format!("the user's access ended: {rejection}")));
        }
        let profile = self
            .profile(&user, &scope)
            .await?
            .ok_or_else(|| invalid("the user no longer exists"))?;
        Ok(UserInfo::build(&claims.sub, &profile, &scope))
    }

    /// What the token is, if it is one of ours and still valid.
    async fn find_token(
        &self,
        request: &IntrospectionRequest,
    ) -> Result<Option<(ActiveToken, String)>, OidcError> {
        // Our refresh tokens carry a prefix; anything else is tried as an access token.
        let looks_like_refresh = request.token.starts_with("pcr_");
        if looks_like_refresh {
            let Some(token) = self
                .services
                .store
                .find_refresh_token(&SecretHash::of(&request.token))
                .await?
            else {
                return Ok(None);
            };
            let now = OffsetDateTime::now_utc();
            if token.used_date_time.is_some()
                || token.revoked_date_time.is_some()
                || token.expires_date_time <= now
            {
                return Ok(None);
            }
            let family = token.family_id.to_string();
            return Ok(Some((
                ActiveToken {
                    kind: TokenTypeHint::RefreshToken,
                    client_id: token.client_id.to_string(),
                    subject: token.user_id.as_ref().map(ToString::to_string),
                    username: None,
                    scope: token.scopes.join(" "),
                    audience: vec![token.client_id.to_string()],
                    issuer: self.issuer().to_owned(),
                    issued_at: token.created_date_time.unix_timestamp(),
                    expires_at: token.expires_date_time.unix_timestamp(),
                    jti: None,
                    session_id: token.session_id.as_ref().map(ToString::to_string),
                },
                family,
            )));
        }
        let Some(claims) = self.verify_access_token(&request.token).await? else {
            return Ok(None);
        };
        let jti = claims.jti.clone();
        Ok(Some((
            ActiveToken {
                kind: TokenTypeHint::AccessToken,
                client_id: claims.client_id.clone(),
                subject: Some(claims.sub.clone()),
                username: None,
                scope: claims.scope.clone(),
                audience: vec![claims.aud.clone()],
                issuer: claims.iss.clone(),
                issued_at: claims.iat,
                expires_at: claims.exp,
                jti: Some(claims.jti.clone()),
                session_id: claims.sid.clone(),
            },
            jti,
        )))
    }

    /// RFC 7662 for an authenticated client: only tokens issued to it are active.
    pub async fn introspect(
        &self,
        caller: &RegisteredClient,
        request: &IntrospectionRequest,
    ) -> Result<IntrospectionResponse, OidcError> {
        let found = self.find_token(request).await?;
        Ok(IntrospectionResponse::for_caller(
            found.as_ref().map(|(token, _)| token),
            caller.client_id(),
            OffsetDateTime::now_utc().unix_timestamp(),
        ))
    }

    /// RFC 7009 for an authenticated client. Unknown tokens and other clients' tokens
    /// are silently ignored (the endpoint answers 200 either way).
    pub async fn revoke(
        &self,
        caller: &RegisteredClient,
        request: &IntrospectionRequest,
    ) -> Result<(), OidcError> {
        let found = self.find_token(request).await?;
        let found = found.map(|(token, id)| FoundToken {
            kind: token.kind,
            client_id: token.client_id,
            id,
        });
        let now = OffsetDateTime::now_utc();
        match revocation_effect(found.as_ref(), caller.client_id()) {
            RevocationEffect::RevokeRefreshFamily(family) => {
                if let Ok(family) = portcullis_core::RefreshTokenId::parse(&family) {
                    self.services
                        .store
                        .revoke_refresh_token_family(&family, now)
                        .await?;
                }
            }
            RevocationEffect::RevokeAccessToken(jti) => {
                self.revoke_access_token(
                    &jti,
                    now + time::Duration::seconds(self.settings.access_token_lifetime_secs),
                )
                .await?;
            }
            RevocationEffect::Nothing => {}
        }
        Ok(())
    }
}
