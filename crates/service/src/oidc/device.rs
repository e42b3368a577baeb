//! The device authorization grant (RFC 8628): the device asks for a code pair, the user
//! approves the user code on `/device` with their SSO session (judged by Conditional
//! Access with the `authenticationFlows` condition: device code flow), the device polls.

use portcullis_core::{RefreshTokenId, UserId};
use portcullis_oidc::OAuthError;
use portcullis_oidc::device::{
    DeviceApproval, DeviceAuthorization, DeviceAuthorizationResponse, UserCode,
};
use portcullis_oidc::scope::Scope;
use portcullis_oidc::token::TokenResponse;
use portcullis_policy::evaluate::UsedMethod;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::OidcProvider;
use super::clients::RegisteredClient;
use super::error::OidcError;
use super::issue::{FamilyChoice, RequestMeta, UserIssuance, random_token};
use super::judge::{AuthorizationVerdict, IssuanceKind, Judgement, SessionSnapshot};
use super::state;

/// Kept past expiry so a late poll is answered `expired_token`, not `invalid_grant`.
const REMEMBER_SECS: i64 = 3600;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredDevice {
    authorization: DeviceAuthorization,
    /// The methods the approving session proved (for the tokens' later re-judging).
    #[serde(default)]
    methods: Vec<UsedMethod>,
}

/// What the `/device` page shows before the user approves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodeApproval {
    pub client_id: String,
    pub application_name: String,
    pub scope: String,
    pub user_code: String,
}

/// The user's answer on `/device`.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceDecisionOutcome {
    Approved,
    Denied,
    /// Conditional Access needs a (stronger) sign-in first; `acr` to step up to.
    SignInRequired,
    /// Refused (blocked by policy, expired, already used): say why.
    Refused(String),
}

impl OidcProvider {
    /// `POST /oauth2/device_authorization`.
    pub async fn device_authorization(
        &self,
        client: &RegisteredClient,
        scope: Scope,
        verification_uri: &str,
    ) -> Result<DeviceAuthorizationResponse, OidcError> {
        portcullis_oidc::token::check_grant_allowed(
            &client.config,
            portcullis_oidc::GrantType::DeviceCode,
        )?;
        let now = OffsetDateTime::now_utc();
        let mut random = [0u8; 32];
        rand::rng().fill_bytes(&mut random);
        let user_code = UserCode::generate(random);
        let device_code = random_token("pcd_");
        let authorization = DeviceAuthorization::issue(
            Uuid::new_v4().to_string(),
            client.client_id().to_owned(),
            scope,
            user_code.clone(),
            now.unix_timestamp(),
        );
        let expires = state::at(authorization.expires_at) + time::Duration::seconds(REMEMBER_SECS);
        let store = self.services.store.as_ref();
        let device_key = state::bearer_key(&device_code);
        // The user code is short; a collision with a live one is retried by the caller
        // seeing an error (1 in 20^8 per live code).
        let fresh = state::insert(
            store,
            state::USER_CODE,
            user_code.as_str(),
            &device_key,
            expires,
        )
        .await?;
        if !fresh {
            return Err(OidcError::internal(
                "device authorization",
                "user code collision; retry",
            ));
        }
        state::insert(
            store,
            state::DEVICE,
            &device_key,
            &StoredDevice {
                authorization: authorization.clone(),
                methods: Vec::new(),
            },
            expires,
        )
        .await?;
        Ok(authorization.response(&device_code, verification_uri, now.unix_timestamp()))
    }

    async fn device_by_user_code(
        &self,
        typed: &str,
    ) -> Result<Option<(String, state::Versioned<StoredDevice>)>, OidcError> {
        let Some(user_code) = UserCode::parse(typed) else {
            return Ok(None);
        };
        let store = self.services.store.as_ref();
        let Some(device_key) =
            state::get::<String>(store, state::USER_CODE, user_code.as_str()).await?
        else {
            return Ok(None);
        };
        let device_key = device_key.value;
        Ok(
            state::get::<StoredDevice>(store, state::DEVICE, &device_key)
                .await?
                .map(|found| (device_key, found)),
        )
    }

    /// What a typed user code is for, if it is pending and not expired.
    pub async fn device_code_details(
        &self,
        typed: &str,
    ) -> Result<Option<DeviceCodeApproval>, OidcError> {
        let Some((_, found)) = self.device_by_user_code(typed).await? else {
            return Ok(None);
        };
        let authorization = &found.value.authorization;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if now >= authorization.expires_at
            || authorization.status != portcullis_oidc::device::DeviceStatus::Pending
        {
            return Ok(None);
        }
        let Some(client) = self.client(&authorization.client_id).await? else {
            return Ok(None);
        };
        Ok(Some(DeviceCodeApproval {
            client_id: authorization.client_id.clone(),
            application_name: client.application.display_name.clone(),
            scope: authorization.scope.to_string(),
            user_code: authorization.user_code.display(),
        }))
    }

    /// The signed-in user approves or denies a user code.
    pub async fn decide_device_code(
        &self,
        typed: &str,
        session: &SessionSnapshot,
        approve: bool,
        meta: &RequestMeta,
    ) -> Result<DeviceDecisionOutcome, OidcError> {
        let Some((device_key, found)) = self.device_by_user_code(typed).await? else {
            return Ok(DeviceDecisionOutcome::Refused(
                "this code is not valid; check it on your device".into(),
            ));
        };
        let now = OffsetDateTime::now_utc();
        let authorization = &found.value.authorization;
        let decided = if approve {
            let Some(client) = self.client(&authorization.client_id).await? else {
                return Ok(DeviceDecisionOutcome::Refused(
                    "the application is no longer available".into(),
                ));
            };
            let judgement = Judgement {
                client: &client,
                session,
                kind: IssuanceKind::DeviceApproval,
                authentication_context: None,
                ip_address: meta.ip_address,
                user_agent: meta.user_agent.as_deref(),
            };
            match self.judge(&judgement).await? {
                AuthorizationVerdict::Allow { .. } => {}
                AuthorizationVerdict::SignIn { .. } => {
                    return Ok(DeviceDecisionOutcome::SignInRequired);
                }
                AuthorizationVerdict::Deny(error) => {
                    return Ok(DeviceDecisionOutcome::Refused(error.description));
                }
            }
            authorization.approve(
                DeviceApproval {
                    subject: session.user_id.to_string(),
                    session_id: session.session_id.clone().unwrap_or_default(),
                    auth_time: session.authenticated_at.unix_timestamp(),
                    amr: session.amr.clone(),
                    acr: session.acr.clone(),
                },
                now.unix_timestamp(),
            )
        } else {
            authorization.deny(now.unix_timestamp())
        };
        let updated = match decided {
            Ok(updated) => updated,
            Err(e) => return Ok(DeviceDecisionOutcome::Refused(e.to_string())),
        };
        let stored = StoredDevice {
            authorization: updated,
            methods: session.methods.clone(),
        };
        let won = state::replace(
            self.services.store.as_ref(),
            state::DEVICE,
            &device_key,
            found.version,
            &stored,
            found.expires,
        )
        .await?;
        Ok(match (won, approve) {
            (false, _) => DeviceDecisionOutcome::Refused(
                "this code was just used or changed; check your device".into(),
            ),
            (true, true) => DeviceDecisionOutcome::Approved,
            (true, false) => DeviceDecisionOutcome::Denied,
        })
    }

    /// The device-code grant (the device polling).
    pub(crate) async fn poll_device_code(
        &self,
        client: &RegisteredClient,
        device_code: &str,
        meta: &RequestMeta,
    ) -> Result<TokenResponse, OidcError> {
        let store = self.services.store.as_ref();
        let key = state::bearer_key(device_code);
        let Some(found) = state::get::<StoredDevice>(store, state::DEVICE, &key).await? else {
            return Err(OAuthError::invalid_grant("the device code is not valid").into());
        };
        let now = OffsetDateTime::now_utc();
        let outcome = found
            .value
            .authorization
            .poll(client.client_id(), now.unix_timestamp());
        let stored = StoredDevice {
            authorization: outcome.record,
            methods: found.value.methods.clone(),
        };
        // Always store: the poll time and interval are part of the record (slow_down).
        let won = state::replace(
            store,
            state::DEVICE,
            &key,
            found.version,
            &stored,
            found.expires,
        )
        .await?;
        let approval = outcome.result?;
        if !won {
            // Two polls raced; only the one that stored `Redeemed` may issue.
            return Err(OAuthError::invalid_grant("the device code was already used").into());
        }
        let user_id = UserId::parse(&approval.subject)
            .map_err(|e| OidcError::internal("device approval subject", e))?;
        let session = SessionSnapshot {
            user_id,
            session_id: Some(approval.session_id.clone()).filter(|s| !s.is_empty()),
            authenticated_at: state::at(approval.auth_time),
            methods: stored.methods.clone(),
            amr: approval.amr.clone(),
            acr: approval.acr.clone(),
        };
        let judgement = Judgement {
            client,
            session: &session,
            kind: IssuanceKind::DeviceCode,
            authentication_context: None,
            ip_address: meta.ip_address,
            user_agent: meta.user_agent.as_deref(),
        };
        match self.judge(&judgement).await? {
            AuthorizationVerdict::Allow { .. } => {}
            AuthorizationVerdict::Deny(error) => return Err(error.into()),
            AuthorizationVerdict::SignIn { .. } => {
                return Err(OAuthError::invalid_grant(
                    "Conditional Access requires the user to sign in again",
                )
                .into());
            }
        }
        let scope = stored.authorization.scope.clone();
        let family_id = RefreshTokenId::parse(&stored.authorization.id)
            .map_err(|e| OidcError::internal("device authorization id", e))?;
        let issued = self
            .issue_user_tokens(&UserIssuance {
                client,
                session: &session,
                scope: &scope,
                refresh_scope: &scope,
                nonce: None,
                acr: approval.acr.as_deref(),
                family: FamilyChoice::Start { family_id },
                device_flow: true,
            })
            .await?;
        Ok(issued.response)
    }
}
