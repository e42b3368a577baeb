//! Building, signing and answering the tokens of a user grant: the access token
//! (RFC 9068 `at+jwt`), the ID token (claims by scope) and, when the client may have
//! one and asked for `offline_access`, a refresh token in a family.

use std::net::IpAddr;

use base64::Engine;
use portcullis_core::ids::time_ordered_uuid;
use portcullis_core::{
    ClientId, RefreshToken, RefreshTokenId, SecretHash, SessionId, User, UserId,
};
use portcullis_oidc::claims::{
    IdTokenClaims, IdTokenInput, UserAccessTokenClaims, UserAccessTokenInput, UserProfile,
};
use portcullis_oidc::refresh::should_issue_refresh_token;
use portcullis_oidc::scope::{GROUPS, OPENID, Scope};
use portcullis_oidc::token::TokenResponse;
use portcullis_store::StoreError;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::OidcProvider;
use super::clients::RegisteredClient;
use super::error::OidcError;
use super::judge::SessionSnapshot;
use super::signing::client_algorithm;
use super::state;

/// Who is asking, for Conditional Access and the log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip_address: Option<IpAddr>,
    pub user_agent: Option<String>,
}

/// The audience of user access tokens: this provider's userinfo endpoint. An admin API
/// token (audience `urn:portcullis:graph`) is refused there, and a user access token is
/// refused by the admin API.
pub(crate) fn user_access_token_audience(issuer: &str) -> String {
    format!("{}/oauth2/userinfo", issuer.trim_end_matches('/'))
}

/// Facts of a refresh-token family that the store's refresh-token row does not carry:
/// how the user authenticated, so a refreshed ID token tells the truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FamilyFacts {
    pub auth_time: i64,
    pub amr: Vec<String>,
    pub acr: Option<String>,
    /// The evaluator's view of the methods, for re-judging at refresh.
    pub methods: Vec<portcullis_policy::evaluate::UsedMethod>,
    pub family_started_at: i64,
    /// Came through the device code flow (the `authenticationFlows` condition).
    #[serde(default)]
    pub device_flow: bool,
}

/// What one user grant issues from.
pub(crate) struct UserIssuance<'a> {
    pub client: &'a RegisteredClient,
    pub session: &'a SessionSnapshot,
    pub scope: &'a Scope,
    /// The scope the refresh family keeps (a refresh may narrow the access token's
    /// scope without narrowing the grant).
    pub refresh_scope: &'a Scope,
    pub nonce: Option<&'a str>,
    /// The `acr` to put in the tokens.
    pub acr: Option<&'a str>,
    /// Continue this refresh family (rotation), or start one with this id (the code's
    /// id, so reusing the code can revoke it) when `None`.
    pub family: FamilyChoice,
    pub device_flow: bool,
}

pub(crate) enum FamilyChoice {
    /// `started_at`: when the family began (from its facts, which the refresh read).
    Continue {
        family_id: RefreshTokenId,
        started_at: i64,
    },
    Start {
        family_id: RefreshTokenId,
    },
}

/// Tokens issued, and the access token's id (remembered so a reused code can revoke it).
pub(crate) struct Issued {
    pub response: TokenResponse,
    pub access_token_jti: String,
}

pub(crate) fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

impl OidcProvider {
    /// The user's profile claims for `scope` (groups only when asked for).
    pub(crate) async fn profile(
        &self,
        user: &UserId,
        scope: &Scope,
    ) -> Result<Option<UserProfile>, OidcError> {
        let found = match self.services.store.get_user(user).await {
            Ok(found) => found,
            Err(StoreError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other.into()),
        };
        let groups = if scope.contains(GROUPS) {
            self.services
                .store
                .transitive_groups_of_user(user)
                .await?
                .iter()
                .map(ToString::to_string)
                .collect()
        } else {
            Vec::new()
        };
        Ok(Some(profile_of(&found, groups)))
    }

    /// Signs the tokens of a user grant and, when the client gets one, stores a new
    /// refresh token (a new family's, with its facts, or the next of a family).
    pub(crate) async fn issue_user_tokens(
        &self,
        issuance: &UserIssuance<'_>,
    ) -> Result<Issued, OidcError> {
        let now = OffsetDateTime::now_utc();
        let profile = if issuance.scope.contains(OPENID) {
            self.profile(&issuance.session.user_id, issuance.scope)
                .await?
                .unwrap_or_default()
        } else {
            UserProfile::default()
        };
        let mut issued = self.sign_user_tokens(issuance, &profile, now).await?;
        if should_issue_refresh_token(&issuance.client.config, issuance.refresh_scope) {
            issued.response.refresh_token = Some(self.add_refresh_token(issuance, now).await?);
        }
        Ok(issued)
    }

    /// The access token and (with `openid`) the ID token of a user grant, signed; no
    /// refresh token and nothing stored. `profile`: the ID token's profile claims.
    pub(crate) async fn sign_user_tokens(
        &self,
        issuance: &UserIssuance<'_>,
        profile: &UserProfile,
        now: OffsetDateTime,
    ) -> Result<Issued, OidcError> {
        let client = issuance.client;
        let session = issuance.session;
        let subject = session.user_id.as_str();
        let algorithm = client_algorithm(client);
        let jti = Uuid::new_v4().to_string();
        let audience = user_access_token_audience(self.issuer());
        let auth_time = session.authenticated_at.unix_timestamp();
        let access_claims = UserAccessTokenClaims::build(&UserAccessTokenInput {
            issuer: self.issuer(),
            tenant_id: self.services.tenant_id(),
            audience: &audience,
            client_id: client.client_id(),
            subject,
            scope: issuance.scope,
            now: now.unix_timestamp(),
            lifetime_secs: self.settings.access_token_lifetime_secs,
            jti: &jti,
            auth_time,
            acr: issuance.acr,
            amr: &session.amr,
            session_id: session.session_id.as_deref(),
        });
        let access_token = self.sign(algorithm, "at+jwt", &access_claims).await?;
        let id_token = if issuance.scope.contains(OPENID) {
            let claims = IdTokenClaims::build(&IdTokenInput {
                issuer: self.issuer(),
                client_id: client.client_id(),
                subject,
                now: now.unix_timestamp(),
                lifetime_secs: self.settings.id_token_lifetime_secs,
                auth_time,
                nonce: issuance.nonce,
                acr: issuance.acr,
                amr: &session.amr,
                session_id: session.session_id.as_deref(),
                access_token: Some(&access_token),
                algorithm,
                scope: issuance.scope,
                profile,
            });
            Some(self.sign(algorithm, "JWT", &claims).await?)
        } else {
            None
        };
        let mut response = TokenResponse::bearer(
            access_token,
            u64::try_from(self.settings.access_token_lifetime_secs).unwrap_or(3600),
        );
        response.id_token = id_token;
        response.scope = Some(issuance.scope.to_string());
        metrics::counter!("portcullis_tokens_issued_total", "grant" => "user").increment(1);
        Ok(Issued {
            response,
            access_token_jti: jti,
        })
    }

    async fn add_refresh_token(
        &self,
        issuance: &UserIssuance<'_>,
        now: OffsetDateTime,
    ) -> Result<String, OidcError> {
        let session = issuance.session;
        let policy = self.settings.refresh;
        let (family_id, started) = match &issuance.family {
            FamilyChoice::Continue {
                family_id,
                started_at,
            } => (family_id.clone(), *started_at),
            FamilyChoice::Start { family_id } => {
                let facts = FamilyFacts {
                    auth_time: session.authenticated_at.unix_timestamp(),
                    amr: session.amr.clone(),
                    acr: issuance.acr.map(str::to_owned),
                    methods: session.methods.clone(),
                    family_started_at: now.unix_timestamp(),
                    device_flow: issuance.device_flow,
                };
                state::insert(
                    self.services.store.as_ref(),
                    state::FAMILY,
                    family_id.as_str(),
                    &facts,
                    now + time::Duration::seconds(policy.family_lifetime_secs),
                )
                .await?;
                (family_id.clone(), now.unix_timestamp())
            }
        };
        let (value, token) = self.next_refresh_token(issuance, family_id, started, now)?;
        self.services.store.insert_refresh_token(&token).await?;
        Ok(value)
    }

    /// A new refresh token of `family_id` (which began at `started`, Unix seconds), not
    /// stored: its value for the client and its record. It lives until the token
    /// lifetime or the family's end, whichever comes first.
    pub(crate) fn next_refresh_token(
        &self,
        issuance: &UserIssuance<'_>,
        family_id: RefreshTokenId,
        started: i64,
        now: OffsetDateTime,
    ) -> Result<(String, RefreshToken), OidcError> {
        let session = issuance.session;
        let policy = self.settings.refresh;
        let value = random_token("pcr_");
        let expires = (now.unix_timestamp() + policy.token_lifetime_secs)
            .min(started + policy.family_lifetime_secs);
        let client_id = ClientId::parse(issuance.client.client_id())
            .map_err(|e| OidcError::internal("client id", e))?;
        let token = RefreshToken {
            id: RefreshTokenId::from_uuid(time_ordered_uuid(now, rand::random())),
            token_hash: SecretHash::of(&value),
            family_id,
            client_id,
            user_id: Some(session.user_id.clone()),
            session_id: session
                .session_id
                .as_deref()
                .and_then(|s| SessionId::parse(s).ok()),
            scopes: issuance.refresh_scope.iter().map(str::to_owned).collect(),
            created_date_time: now,
            expires_date_time: state::at(expires),
            used_date_time: None,
            revoked_date_time: None,
        };
        Ok((value, token))
    }
}

/// The profile claims of `user`; `groups`: the ids to list (empty unless the scope asks
/// for groups).
pub(crate) fn profile_of(user: &User, groups: Vec<String>) -> UserProfile {
    let mut words = user.display_name.split_whitespace();
    let given_name = words.next().map(str::to_owned);
    let family_name = words.last().map(str::to_owned);
    UserProfile {
        name: Some(user.display_name.clone()),
        given_name,
        family_name,
        preferred_username: Some(user.user_principal_name.clone()),
        email: user.mail.clone(),
        // Portcullis does not verify mailboxes; an admin set this address.
        email_verified: false,
        groups,
    }
}
