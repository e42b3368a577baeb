//! Browser SSO sessions: validation of the session cookie on every request (pages, OIDC
//! authorize, forward-auth), the user's own session list and sign-out, an admin's revoke,
//! and continuous access evaluation.
//!
//! Sessions are *created* by the sign-in service from the pipeline's `Completed`
//! (cookie value from [`NewSessionToken`], stored as its SHA-256); this module validates
//! and revokes them.
//!
//! # What makes a session valid ([`active::judge`])
//!
//! Known cookie (looked up by SHA-256), not revoked, not expired, the user exists and is
//! enabled, the password was not changed and no high user risk was detected after the
//! session began. Sign-in frequency and authentication strengths depend on the target
//! application, so they are judged by Conditional Access wherever a target is known
//! (forward-auth, OIDC authorize and refresh) over [`ActiveSession::methods`]; persistent
//! browser decides the cookie's lifetime ([`ActiveSession::cookie_max_age`]).
//!
//! # Continuous access evaluation
//!
//! A session found invalid for a posture reason (disabled, password changed, high risk)
//! is revoked in the store, so it stays dead. Each node caches valid sessions and trusts
//! an entry only while the user's security epoch has not moved (see [`epochs`] for why
//! this design), so a change on any node ends the session on every node within the poll
//! interval (one second by default).

pub mod active;
mod cache;
pub mod epochs;
mod load;
mod manage;
mod shared_users;
pub mod token;

use std::sync::Arc;
use std::time::Duration;

use portcullis_core::{SessionId, UserId};
use portcullis_store::{Store, StoreError};
use time::OffsetDateTime;

pub use active::{ActiveSession, SessionRecord, SessionRejection, SessionUser};
pub(crate) use cache::CachedSession;
use cache::SessionCache;
use epochs::EpochTracker;
use load::{Loaded, Posture, load};
pub use manage::SessionSummary;
pub use token::{
    NewSessionToken, PLAIN_COOKIE_NAME, PresentedToken, SECURE_COOKIE_NAME, session_cookie_value,
};

use crate::error::ServiceResult;

/// The answer to "who is this cookie?": a valid session, or why not.
pub type SessionCheck = Result<Arc<ActiveSession>, SessionRejection>;

/// Tuning of the session cache and the epoch poll.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// How stale this node's view of the security epochs may get (the CAE bound).
    pub epoch_poll_interval: Duration,
    /// Longest a validated session is trusted without reading the store again, even if
    /// no epoch moved (a safety net for anything time-based).
    pub cache_ttl: Duration,
    /// Sessions held per node.
    pub cache_capacity: usize,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            epoch_poll_interval: Duration::from_secs(1),
            cache_ttl: Duration::from_secs(60),
            cache_capacity: 200_000,
        }
    }
}

/// Session validation and management over one store. Cheap to clone (shared state).
#[derive(Clone)]
pub struct SessionService {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    epochs: EpochTracker,
    cache: SessionCache,
    /// Forward-auth applications, reloaded with the directory-wide epoch.
    app_routes: crate::forward_auth::AppRoutes,
    /// One copy of each user's facts for all of the user's cached sessions.
    shared_users: shared_users::SharedUsers,
    /// The identity JWT header segments, shared by every cached identity token.
    identity_header_segments: crate::forward_auth::HeaderSegments,
}

impl SessionService {
    pub fn new(store: Arc<dyn Store>, settings: SessionSettings) -> Self {
        SessionService {
            inner: Arc::new(Inner {
                store,
                // Remember moved epochs a little longer than any entry can live.
                epochs: EpochTracker::new(
                    settings.epoch_poll_interval,
                    settings.cache_ttl + settings.epoch_poll_interval * 2,
                ),
                cache: SessionCache::new(settings.cache_capacity, settings.cache_ttl),
                app_routes: crate::forward_auth::AppRoutes::default(),
                shared_users: shared_users::SharedUsers::default(),
                identity_header_segments: Default::default(),
            }),
        }
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    pub(crate) fn epochs(&self) -> &EpochTracker {
        &self.inner.epochs
    }

    pub(crate) fn app_routes(&self) -> &crate::forward_auth::AppRoutes {
        &self.inner.app_routes
    }

    pub(crate) fn identity_header_segments(&self) -> &crate::forward_auth::HeaderSegments {
        &self.inner.identity_header_segments
    }

    /// Validates a session cookie value (the value of `portcullis_session` or
    /// `__Host-portcullis_session`). Served from this node's cache while the user's
    /// security epoch stands; `Err` only when the store cannot be read (fail closed).
    pub async fn resolve_cookie(
        &self,
        cookie_value: &str,
        now: OffsetDateTime,
    ) -> ServiceResult<SessionCheck> {
        let Some(token) = PresentedToken::parse(cookie_value) else {
            return Ok(Err(SessionRejection::Malformed));
        };
        Ok(self
            .resolve_token(&token, now)
            .await?
            .map(|entry| entry.active.clone()))
    }

    /// [`Self::resolve_cookie`] over a whole `Cookie` header (`None`: no header).
    pub async fn resolve_cookie_header(
        &self,
        cookie_header: Option<&str>,
        now: OffsetDateTime,
    ) -> ServiceResult<SessionCheck> {
        match cookie_header.and_then(session_cookie_value) {
            Some(value) => self.resolve_cookie(value, now).await,
            None => Ok(Err(SessionRejection::Malformed)),
        }
    }

    /// The cached entry for a parsed cookie (forward-auth keeps its judgements in it).
    pub(crate) async fn resolve_token(
        &self,
        token: &PresentedToken,
        now: OffsetDateTime,
    ) -> ServiceResult<Result<Arc<CachedSession>, SessionRejection>> {
        let inner = &self.inner;
        inner.epochs.ensure_fresh(inner.store.as_ref()).await?;
        if let Some(entry) = inner.cache.get(token.digest()) {
            if inner
                .epochs
                .still_current(&entry.active.session.user_id, entry.stamp)
            {
                if now < entry.active.session.expires_date_time {
                    return Ok(Ok(entry));
                }
                inner.cache.remove(token.digest());
                return Ok(Err(SessionRejection::Expired));
            }
            inner.cache.remove(token.digest());
        }
        let position = inner.epochs.position();
        let Some(first_read) = inner
            .store
            .find_session_by_token_hash(&token.token_hash())
            .await?
        else {
            return Ok(Err(SessionRejection::Unknown));
        };
        match self.load_and_judge(first_read, position, now).await? {
            Ok((active, stamp)) => {
                let entry = Arc::new(CachedSession::new(active, stamp));
                inner.cache.insert(*token.digest(), entry.clone());
                Ok(Ok(entry))
            }
            Err(rejection) => Ok(Err(rejection)),
        }
    }

    /// Validates a session by id, always from the store (token refresh and OIDC
    /// `sid` checks: infrequent, and never answered from a cache).
    pub async fn resolve_session_id(
        &self,
        id: &SessionId,
        now: OffsetDateTime,
    ) -> ServiceResult<SessionCheck> {
        let first_read = match self.inner.store.get_session(id).await {
            Ok(session) => session,
            Err(StoreError::NotFound(_)) => return Ok(Err(SessionRejection::Unknown)),
            Err(other) => return Err(other.into()),
        };
        let position = self.inner.epochs.position();
        Ok(self
            .load_and_judge(first_read, position, now)
            .await?
            .map(|(active, _)| active))
    }

    /// Whether the session `id` still stands, by the rules of [`active::judge`], read
    /// from the store (never a cache) but without the user's groups, roles and methods
    /// that [`Self::resolve_session_id`] also loads: what a token refresh needs, in four
    /// reads instead of ten. A session refused for a posture reason is revoked, as on
    /// every other path.
    pub async fn check_session_id(
        &self,
        id: &SessionId,
        now: OffsetDateTime,
    ) -> ServiceResult<Result<(), SessionRejection>> {
        let store = self.inner.store.as_ref();
        let session = match store.get_session(id).await {
            Ok(session) => session,
            Err(StoreError::NotFound(_)) => return Ok(Err(SessionRejection::Unknown)),
            Err(other) => return Err(other.into()),
        };
        let user = match store.get_user(&session.user_id).await {
            Ok(user) => Some(user),
            Err(StoreError::NotFound(_)) => None,
            Err(other) => return Err(other.into()),
        };
        let posture = match &user {
            Some(user) => load::posture(store, &user.id).await?,
            None => Posture::default(),
        };
        self.judge_stored_session(&session, user.map(|u| u.account_enabled), posture, now)
            .await
    }

    /// [`Self::check_session_id`] over the session and the user's facts the caller read
    /// already (`session`: `None` if it does not exist; the user, or `None` if deleted,
    /// with their credentials and stored risk): a token refresh reads them in one store
    /// call for this check, Conditional Access and the ID token. Same rules, same
    /// revocation. A session of another user than `user_id` is unknown.
    pub(crate) async fn check_session_with(
        &self,
        session: Option<&portcullis_core::Session>,
        user_id: &UserId,
        facts: &UserPostureFacts<'_>,
        now: OffsetDateTime,
    ) -> ServiceResult<Result<(), SessionRejection>> {
        let Some(session) = session.filter(|session| &session.user_id == user_id) else {
            return Ok(Err(SessionRejection::Unknown));
        };
        let posture = load::posture_of(facts.credentials, facts.risk);
        self.judge_stored_session(session, facts.account_enabled, posture, now)
            .await
    }

    async fn judge_stored_session(
        &self,
        session: &portcullis_core::Session,
        account_enabled: Option<bool>,
        posture: Posture,
        now: OffsetDateTime,
    ) -> ServiceResult<Result<(), SessionRejection>> {
        let verdict = active::judge(
            &active::SessionEvidence {
                session,
                account_enabled,
                password_set_at: posture.password_set_at,
                high_risk_detected_at: posture.high_risk_detected_at,
            },
            now,
        );
        if let Err(rejection) = verdict
            && rejection.revokes_session()
        {
            self.revoke_for_posture(session, rejection, now).await?;
        }
        Ok(verdict)
    }

    /// Whether a user may still use what was issued to them at `issued_at` without a
    /// session (a refresh token from a non-browser flow): the user exists and is enabled,
    /// and neither a password change nor high user risk came after `issued_at`.
    pub async fn check_user_posture(
        &self,
        user: &UserId,
        issued_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> ServiceResult<Result<(), SessionRejection>> {
        let store = self.inner.store.as_ref();
        let user_record = match store.get_user(user).await {
            Ok(user) => Some(user),
            Err(StoreError::NotFound(_)) => None,
            Err(other) => return Err(other.into()),
        };
        let posture = match &user_record {
            Some(_) => load::posture(store, user).await?,
            None => Posture::default(),
        };
        Ok(judge_posture(
            user,
            user_record.map(|u| u.account_enabled),
            posture,
            issued_at,
            now,
        ))
    }

    /// [`Self::check_user_posture`] over facts the caller read already.
    pub(crate) fn check_user_posture_with(
        &self,
        user: &UserId,
        facts: &UserPostureFacts<'_>,
        issued_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), SessionRejection> {
        let posture = load::posture_of(facts.credentials, facts.risk);
        judge_posture(user, facts.account_enabled, posture, issued_at, now)
    }

    async fn load_and_judge(
        &self,
        first_read: portcullis_core::Session,
        position: i64,
        now: OffsetDateTime,
    ) -> ServiceResult<Result<(Arc<ActiveSession>, epochs::EpochStamp), SessionRejection>> {
        let store = self.inner.store.as_ref();
        match load(store, first_read, position, now, &self.inner.shared_users).await? {
            Loaded::Active(active, stamp) => Ok(Ok((active, stamp))),
            Loaded::Rejected(rejection, session) => {
                if let Some(session) = session.filter(|_| rejection.revokes_session()) {
                    self.revoke_for_posture(&session, rejection, now).await?;
                }
                Ok(Err(rejection))
            }
        }
    }

    /// Ends a session whose user's posture changed, so that undoing the change (enabling
    /// the user again) does not revive it.
    async fn revoke_for_posture(
        &self,
        session: &portcullis_core::Session,
        rejection: SessionRejection,
        now: OffsetDateTime,
    ) -> ServiceResult<()> {
        tracing::info!(session = %session.id, user = %session.user_id, reason = %rejection,
            "session ended by continuous access evaluation");
        match self.inner.store.revoke_session(&session.id, now).await {
            Ok(()) | Err(StoreError::NotFound(_)) => {}
            Err(other) => return Err(other.into()),
        }
        self.inner.epochs.mark_stale();
        Ok(())
    }

    /// Sessions held in this node's cache (metrics, benchmarks).
    pub fn cached_sessions(&self) -> usize {
        self.inner.cache.len()
    }
}

/// What the posture rules read about a user, read by the caller: whether the account is
/// enabled (`None`: the user is deleted), the user's credentials and stored risk.
pub(crate) struct UserPostureFacts<'a> {
    pub account_enabled: Option<bool>,
    pub credentials: &'a [portcullis_core::Credential],
    pub risk: Option<&'a portcullis_core::UserRisk>,
}

/// The session rules over a stand-in session that began at `issued_at` and has not
/// expired: what a grant without a session must still satisfy.
fn judge_posture(
    user: &UserId,
    account_enabled: Option<bool>,
    posture: Posture,
    issued_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), SessionRejection> {
    let stand_in = portcullis_core::Session {
        id: SessionId::from_uuid(uuid::Uuid::nil()),
        user_id: user.clone(),
        token_hash: portcullis_core::SecretHash::of(""),
        created_date_time: issued_at,
        authenticated_date_time: issued_at,
        last_seen_date_time: issued_at,
        expires_date_time: now + time::Duration::seconds(1),
        persistent: false,
        amr: Vec::new(),
        acr: None,
        device_id: None,
        ip_address: None,
        user_agent: None,
        revoked_date_time: None,
    };
    active::judge(
        &active::SessionEvidence {
            session: &stand_in,
            account_enabled,
            password_set_at: posture.password_set_at,
            high_risk_detected_at: posture.high_risk_detected_at,
        },
        now,
    )
}
