//! The refresh-token grant: rotation with reuse detection, and the grant judged again —
//! the session or the user's posture (deleted, disabled, password changed, high user
//! risk, revoked by an admin) and Conditional Access for the client (policy changes,
//! sign-in frequency) — before anything is issued.
//!
//! The presented token is *read* first and *claimed* last: the claim (the conditional
//! update that only one presentation can win), the successor and the grant's sign-in log
//! entry are one write through the sign-in group committer
//! ([`portcullis_store::RefreshRotation`]), so a refresh makes one durable commit,
//! shared with every grant waiting, instead of three. A token found used, revoked or
//! expired — when read, or by the claim because another presentation won meanwhile — is
//! presented through the store's `use_refresh_token` as before, which tells reuse (and
//! revokes the whole family) from an invalid token.

use portcullis_core::{RefreshTokenId, SecretHash, UserId};
use portcullis_oidc::OAuthError;
use portcullis_oidc::claims::UserProfile;
use portcullis_oidc::refresh::{
    RefreshRedemption, RefreshState, RefreshTokenRecord, should_issue_refresh_token,
};
use portcullis_oidc::scope::{GROUPS, OPENID, Scope};
use portcullis_oidc::token::TokenResponse;
use portcullis_store::{
    GrantSubject, RefreshGrantSubject, RefreshRotation, RefreshTokenUse, SignInStepWrite,
    StoreError,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::OidcProvider;
use super::clients::RegisteredClient;
use super::error::OidcError;
use super::issue::{FamilyChoice, FamilyFacts, RequestMeta, UserIssuance, profile_of};
use super::judge::{AuthorizationVerdict, IssuanceKind, Judgement, KnownSubject, SessionSnapshot};
use super::state;
use crate::sessions::UserPostureFacts;

impl OidcProvider {
    /// `presented`: what the store holds for the presented token's hash — the token, its
    /// user's facts and its session, read afresh in one statement for the session's
    /// posture, Conditional Access and the ID token (nothing about the user is cached).
    pub(crate) async fn refresh(
        &self,
        client: &RegisteredClient,
        presented_hash: SecretHash,
        presented: Option<RefreshGrantSubject>,
        narrower_scope: Option<&Scope>,
        meta: &RequestMeta,
    ) -> Result<TokenResponse, OidcError> {
        let store = self.services.store.as_ref();
        let now = OffsetDateTime::now_utc();
        let (token, subject) = match presented {
            Some(RefreshGrantSubject { token, subject })
                if token.used_date_time.is_none()
                    && token.revoked_date_time.is_none()
                    && token.expires_date_time > now =>
            {
                (token, subject)
            }
            _ => {
                return Err(self
                    .refuse_presentation(client, &presented_hash, now)
                    .await?);
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
        let Some(facts) = self
            .services
            .refresh_families
            .get(store, family.as_str())
            .await?
        else {
            revoke_family().await?;
            return Err(OAuthError::invalid_grant(
                "the refresh token's family has expired; sign in again",
            )
            .into());
        };
        // The protocol rules (client, expiry within the family's lifetime, scope only
        // narrowed) are portcullis-oidc's; the claim below makes this use the only one.
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
            .still_signed_in(token.session_id.is_some(), &user_id, &facts, &subject, now)
            .await?
        {
            revoke_family().await?;
            let error = OAuthError::invalid_grant(format!("{reason}; sign in again"));
            self.log_refusal(&judgement, &error).await?;
            return Err(error.into());
        }
        let profile_user = subject.user.clone();
        let known = KnownSubject {
            risk: crate::risk::user_risk_as_of(subject.risk, &user_id, now),
            user: subject.user,
            credentials: subject.credentials,
            groups: subject.groups,
            roles: subject.roles,
            sign_in_state: subject.sign_in_state,
        };
        let judged = self.judge_unlogged(&judgement, Some(known)).await?;
        let refusal = match judged.verdict {
            AuthorizationVerdict::Allow { .. } => None,
            AuthorizationVerdict::Deny(error) => Some(error),
            AuthorizationVerdict::SignIn { .. } => Some(OAuthError::invalid_grant(
                "Conditional Access requires the user to sign in again",
            )),
        };
        if let Some(error) = refusal {
            self.append(judged.entry).await?;
            revoke_family().await?;
            return Err(error.into());
        }
        let scope = &rotation.access_scope;
        // The ID token's profile from the user as judged (groups only when asked for).
        let profile = match (&profile_user, &judged.user) {
            (Some(user), Some(judged_user)) if scope.contains(OPENID) => {
                let groups = if scope.contains(GROUPS) {
                    judged_user.group_ids.clone()
                } else {
                    Vec::new()
                };
                profile_of(user, groups)
            }
            _ => UserProfile::default(),
        };
        let issuance = UserIssuance {
            client,
            session: &session,
            scope,
            refresh_scope: &record.scope,
            nonce: None,
            acr: facts.acr.as_deref(),
            family: FamilyChoice::Continue {
                family_id: RefreshTokenId::parse(family.as_str())
                    .map_err(|e| OidcError::internal("family id", e))?,
                started_at: facts.family_started_at,
            },
            device_flow: facts.device_flow,
        };
        let mut issued = self.sign_user_tokens(&issuance, &profile, now).await?;
        let successor = if should_issue_refresh_token(&client.config, &record.scope) {
            let (value, successor) =
                self.next_refresh_token(&issuance, family.clone(), facts.family_started_at, now)?;
            issued.response.refresh_token = Some(value);
            Some(successor)
        } else {
            None
        };
        let write = SignInStepWrite {
            sign_ins: vec![judged.entry],
            refresh_rotation: Some(RefreshRotation {
                presented: presented_hash.clone(),
                at: now,
                successor,
            }),
            ..SignInStepWrite::default()
        };
        match self.signin.commit_grant(write).await {
            Ok(()) => {}
            // Another presentation claimed the token since it was read (or it was revoked
            // meanwhile): nothing of this grant was written.
            Err(StoreError::Conflict(_)) => {
                return Err(self
                    .refuse_presentation(client, &presented_hash, now)
                    .await?);
            }
            Err(other) => return Err(other.into()),
        }
        metrics::counter!("portcullis_tokens_issued_total", "grant" => "refresh_token")
            .increment(1);
        Ok(issued.response)
    }

    /// The answer to a token that is not usable (unknown, used, revoked or expired): it
    /// is presented through the store's atomic use, which revokes the family of a used
    /// token (reuse: stolen, or replayed) and tells an invalid one apart.
    async fn refuse_presentation(
        &self,
        client: &RegisteredClient,
        presented_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<OidcError, OidcError> {
        let store = self.services.store.as_ref();
        Ok(match store.use_refresh_token(presented_hash, now).await? {
            RefreshTokenUse::Reused { family } => {
                tracing::warn!(family = %family, client = client.client_id(),
                    "refresh token reused; family revoked");
                metrics::counter!("portcullis_oidc_refresh_reuse_total").increment(1);
                OAuthError::invalid_grant(
                    "the refresh token was already used; every token of its family is revoked",
                )
                .into()
            }
            RefreshTokenUse::Invalid => OAuthError::invalid_grant(
                "the refresh token is not valid (unknown, expired or revoked)",
            )
            .into(),
            // Unusable when read, yet claimed now: only a clock or a concurrent writer
            // between the two reads can do this. The token is used up with no successor
            // issued, so the client must sign in again; the family goes with it.
            RefreshTokenUse::Fresh(token) => {
                store
                    .revoke_refresh_token_family(&token.family_id, now)
                    .await?;
                OAuthError::invalid_grant("the refresh token could not be rotated; sign in again")
                    .into()
            }
        })
    }

    /// The session (or, without one, the user's posture since the family began) must
    /// still stand. `Err(reason)` says why not, in words a client can show.
    async fn still_signed_in(
        &self,
        with_session: bool,
        user: &UserId,
        facts: &FamilyFacts,
        subject: &GrantSubject,
        now: OffsetDateTime,
    ) -> Result<Result<(), String>, OidcError> {
        let posture = UserPostureFacts {
            account_enabled: subject.user.as_ref().map(|u| u.account_enabled),
            credentials: &subject.credentials,
            risk: subject.risk.as_ref(),
        };
        let check = if with_session {
            self.sessions()
                .check_session_with(subject.session.as_ref(), user, &posture, now)
                .await?
        } else {
            self.sessions().check_user_posture_with(
                user,
                &posture,
                state::at(facts.family_started_at),
                now,
            )
        };
        Ok(check.map_err(|rejection| format!("the sign-in session ended: {rejection}")))
    }
}
