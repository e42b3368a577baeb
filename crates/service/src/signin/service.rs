//! [`SignInService`]: begin, step, and the session facts other protocols re-evaluate.

use std::sync::Arc;

use portcullis_authn::lockout::{FingerprintKey, LockoutPolicy};
use portcullis_authn::otp_code::OtpCodePolicy;
use portcullis_authn::password::{Argon2Params, DummyHash, PasswordHasher};
use portcullis_core::audit::category;
use portcullis_core::{CorrelationId, SecretHash, Session, SessionId};
use portcullis_policy::evaluate::{SessionState, SignInTarget};
use portcullis_signin::{
    ErrorCode, Input, Outcome, RequestContext, SignInConfig, SignInTransaction, Stage,
    StepEnvironment, StepUpSession, UserRecord,
};
use portcullis_store::{
    Batch, Change, SignInSubjectRead, Store, StoreError, StoredSignInTransaction,
    TransactionSubject, TransactionWrite,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::break_glass_alert::BreakGlassAlerts;
use super::codes::{CodeChannel, CodePurpose, CodeSender, claim_code_send};
use super::committer::Committer;
use super::cpu_pool::CpuPool;
use super::effects::{PlanFacts, PlannedStep, SessionLifetimes, plan};
use super::new_password::{NewPasswordChecker, NewPasswordSettings};
use super::policy_cache::{LoadedPolicy, PolicyCache};
use super::rate_limit::{RateLimitSettings, SignInRateLimits};
use super::reset::PasswordResetSettings;
use super::subject::{LoadFor, Who, load_subject, subject_from_read};
use super::types::{
    SessionAuthentication, SignInError, SignInProgress, SignInRequest, TargetApplication,
    TransactionId,
};
use super::{PORTAL_APP_ID, PORTAL_DISPLAY_NAME, user_agent};
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::security_info::AuthenticationCeremony;
use crate::services::{audit_record, target};

/// The setting holding the smart-lockout fingerprint key, shared by every node so a
/// repeated wrong password is recognised whichever node sees it.
const FINGERPRINT_KEY_SETTING: &str = "signin.fingerprintKey";

/// How often a step is recomputed after losing a race on counters or credentials.
const MAX_ATTEMPTS: usize = 3;

/// Sign-in settings (from the server configuration).
#[derive(Debug, Clone)]
pub struct SignInSettings {
    /// argon2id parameters for verifying and (re)hashing passwords.
    pub argon2: Argon2Params,
    pub lockout: LockoutPolicy,
    pub otp_codes: OtpCodePolicy,
    /// How long a transaction may stay open.
    pub transaction_lifetime: Duration,
    pub sessions: SessionLifetimes,
    /// Most steps per group commit (1: every step commits alone).
    pub group_commit_max: usize,
    /// How long a group commit may wait for other steps under way to join it (zero:
    /// never); see the committer.
    pub commit_delay: std::time::Duration,
    /// Per-IP and per-account flood control.
    pub rate_limits: RateLimitSettings,
    /// The rules for a password the user chooses.
    pub passwords: NewPasswordSettings,
    /// Self-service password reset.
    pub password_reset: PasswordResetSettings,
}

impl Default for SignInSettings {
    fn default() -> Self {
        SignInSettings {
            argon2: Argon2Params::default(),
            lockout: LockoutPolicy::default(),
            otp_codes: OtpCodePolicy::default(),
            transaction_lifetime: Duration::minutes(10),
            sessions: SessionLifetimes::default(),
            group_commit_max: 64,
            commit_delay: std::time::Duration::from_millis(4),
            rate_limits: RateLimitSettings::default(),
            passwords: NewPasswordSettings::default(),
            password_reset: PasswordResetSettings::default(),
        }
    }
}

impl SignInSettings {
    /// Checks the argon2, lockout and one-time code parameters (at configuration load,
    /// so a bad value stops start-up with a message instead of failing sign-ins).
    pub fn validate(&self) -> Result<(), String> {
        PasswordHasher::new(self.argon2).map_err(|err| format!("argon2 parameters: {err}"))?;
        self.lockout
            .validate()
            .map_err(|err| format!("lockout: {err}"))?;
        self.otp_codes
            .validate()
            .map_err(|err| format!("one-time codes: {err}"))?;
        NewPasswordChecker::new(&self.passwords)
            .map(drop)
            .map_err(|err| format!("passwords: {err}"))
    }
}

/// What the store keeps per transaction (besides its revision and expiry).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TransactionDoc {
    pub(super) request: RequestContext,
    pub(super) transaction: SignInTransaction,
    /// Step-up: the session the transaction started from.
    #[serde(default)]
    pub(super) existing_session: Option<SessionId>,
    /// A passkey ceremony waiting for the browser's answer (`passkey.rs`): kept here,
    /// server-side, so the answer may reach any node and is accepted once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) passkey_ceremony: Option<AuthenticationCeremony>,
    /// A passwordless phone sign-in request waiting for the app (`phone_sign_in.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) phone_sign_in: Option<super::phone_sign_in::PhoneSignInWait>,
}

impl TransactionDoc {
    /// A sign-in just begun for the typed `identifier`, waiting for its first factor.
    pub(super) fn fresh(identifier: &str, request: RequestContext, now: OffsetDateTime) -> Self {
        TransactionDoc {
            transaction: SignInTransaction::begin(identifier, request.correlation_id.clone(), now),
            request,
            existing_session: None,
            passkey_ceremony: None,
            phone_sign_in: None,
        }
    }

    /// Who the transaction is about, stored beside the document for the step's read.
    pub(super) fn subject(&self) -> TransactionSubject {
        TransactionSubject::new(self.transaction.user_id(), self.transaction.identifier())
    }
}

/// The sign-in service. Cheap to clone; one per node.
#[derive(Clone)]
pub struct SignInService {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Arc<dyn Store>,
    pub(super) config: Arc<SignInConfig>,
    lifetimes: SessionLifetimes,
    policy: Arc<PolicyCache>,
    pub(super) committer: Committer,
    pub(super) codes: Arc<dyn CodeSender>,
    pub(super) limits: SignInRateLimits,
    pub(super) new_passwords: NewPasswordChecker,
    pub(super) password_reset: PasswordResetSettings,
    pub(super) cpu: CpuPool,
}

impl SignInService {
    /// Starts the service on the current tokio runtime: loads (or creates, audited) the
    /// shared lockout fingerprint key, prepares the dummy hash, starts the committer.
    pub async fn start(
        store: Arc<dyn Store>,
        settings: SignInSettings,
        codes: Arc<dyn CodeSender>,
    ) -> ServiceResult<Self> {
        let hasher = PasswordHasher::new(settings.argon2)
            .map_err(|err| ServiceError::Invalid(format!("argon2 parameters: {err}")))?;
        let fingerprint_key = ensure_fingerprint_key(store.as_ref()).await?;
        let dummy_hasher = hasher.clone();
        let dummy_hash =
            tokio::task::spawn_blocking(move || DummyHash::new(&dummy_hasher, &mut rand::rng()))
                .await
                .map_err(|err| ServiceError::Internal(err.to_string()))?
                .map_err(|err| ServiceError::Internal(err.to_string()))?;
        let new_passwords = NewPasswordChecker::new(&settings.passwords)
            .map_err(|err| ServiceError::Invalid(format!("passwords: {err}")))?;
        let mut config = SignInConfig::new(hasher, dummy_hash, fingerprint_key);
        config.lockout = settings.lockout;
        config.otp_codes = settings.otp_codes;
        config.transaction_lifetime = settings.transaction_lifetime;
        config.deliverable_codes = portcullis_signin::DeliverableCodes {
            sms: codes.carries(CodeChannel::Sms),
            voice: codes.carries(CodeChannel::Voice),
            email: codes.carries(CodeChannel::Email),
        };
        let policy = Arc::new(PolicyCache::default());
        let alerts = BreakGlassAlerts::new(store.clone(), policy.clone());
        Ok(SignInService {
            inner: Arc::new(Inner {
                committer: Committer::start(
                    store.clone(),
                    settings.group_commit_max,
                    settings.commit_delay,
                    alerts,
                ),
                store,
                config: Arc::new(config),
                lifetimes: settings.sessions,
                policy,
                codes,
                limits: SignInRateLimits::new(settings.rate_limits),
                new_passwords,
                password_reset: settings.password_reset,
                cpu: CpuPool::per_core(),
            }),
        })
    }

    /// Appends sign-in log entries made outside a sign-in step (token issuance by the
    /// OpenID Connect provider) through the group committer: durable when this returns,
    /// sharing one transaction (one fsync) with whatever else is waiting to commit.
    pub async fn append_log_entries(
        &self,
        sign_ins: Vec<portcullis_store::LoggedSignIn>,
    ) -> ServiceResult<()> {
        let write = portcullis_store::SignInStepWrite {
            sign_ins,
            ..Default::default()
        };
        Ok(self.inner.committer.commit(write).await?)
    }

    /// Commits a token grant's write — its sign-in log entry with what the grant changes
    /// (a refresh token's rotation) — through the group committer; durable on return.
    /// `Conflict`: a conditional part (the rotation's claim) failed and nothing of this
    /// write was stored.
    pub(crate) async fn commit_grant(
        &self,
        write: portcullis_store::SignInStepWrite,
    ) -> portcullis_store::StoreResult<()> {
        self.inner.committer.commit(write).await
    }

    /// Begins a sign-in. A fresh sign-in waits for its first factor (`outcome: None`).
    /// A step-up (`existing_session`) is evaluated at once from the session's methods:
    /// `Done` when it already satisfies the target, otherwise a challenge for what is
    /// missing; a session too old for the policy's sign-in frequency (or not active)
    /// falls back to a fresh sign-in.
    pub async fn begin(&self, request: SignInRequest) -> Result<SignInProgress, SignInError> {
        let _under_way = self.inner.committer.in_flight();
        self.inner
            .limits
            .check(request.ip_address, None)
            .map_err(|retry_after| SignInError::RateLimited { retry_after })?;
        let now = OffsetDateTime::now_utc();
        let context = self.request_context(&request).await?;
        let handle = new_handle();
        let doc = TransactionDoc::fresh(&request.identifier, context, now);
        if let Some(session_id) = &request.existing_session
            && let Some(progress) = self.begin_step_up(&handle, &doc, session_id, now).await?
        {
            return Ok(progress);
        }
        let write = portcullis_store::SignInStepWrite {
            transaction: Some(TransactionWrite::Create(self.stored(&handle, &doc, now)?)),
            ..Default::default()
        };
        // Nothing is decided yet: no fsync of its own (see `Committer::commit_relaxed`).
        self.inner.committer.commit_relaxed(write).await?;
        Ok(SignInProgress {
            transaction: handle,
            correlation_id: doc.request.correlation_id.clone(),
            stage: Stage::FirstFactor,
            outcome: None,
            sign_in_id: None,
            session: None,
        })
    }

    /// Begins a sign-in and runs its first step with `input` in the same call, for a
    /// native client that has the name and the first factor at once (a password, a
    /// Temporary Access Pass): the answer is the step's, and the transaction is stored
    /// once, with the step's durable commit, instead of by a begin of its own first.
    /// Judged exactly as [`Self::begin`] then [`Self::step`]: the same rate limits, the
    /// same step. A step-up (`existing_session`) takes those two calls, as its begin may
    /// already be the answer.
    pub async fn begin_with(
        &self,
        request: SignInRequest,
        input: Input,
    ) -> Result<SignInProgress, SignInError> {
        if request.existing_session.is_some() {
            let begun = self.begin(request).await?;
            if begun.outcome.is_some() {
                return Ok(begun);
            }
            return self.step(&begun.transaction, input).await;
        }
        let _under_way = self.inner.committer.in_flight();
        self.inner
            .limits
            .check(request.ip_address, Some(&request.identifier))
            .map_err(|retry_after| SignInError::RateLimited { retry_after })?;
        let context = self.request_context(&request).await?;
        let handle = new_handle();
        let doc = TransactionDoc::fresh(&request.identifier, context, OffsetDateTime::now_utc());
        for _ in 0..MAX_ATTEMPTS {
            // Each try starts from the fresh document: a lost race wrote nothing.
            match self
                .attempt(&handle, doc.clone(), Written::Create, None, &input)
                .await?
            {
                Attempt::Answered(progress) => return Ok(progress),
                Attempt::Lost(why) => {
                    tracing::debug!(%why, "first sign-in step lost a race on user state; recomputing");
                }
            }
        }
        Err(SignInError::ConcurrentStep)
    }

    /// Runs one step of the transaction with the user's input and answers once its
    /// effects and log entry are committed. A failed sign-in is `Outcome::Blocked`, not
    /// an error.
    pub async fn step(
        &self,
        transaction: &TransactionId,
        input: Input,
    ) -> Result<SignInProgress, SignInError> {
        let id_hash = transaction.hash();
        let _under_way = self.inner.committer.in_flight();
        // A username-less passkey names its owner; the stored transaction names the rest.
        let passkey = match &input {
            Input::Passkey(assertion) => Some(&assertion.credential_id),
            _ => None,
        };
        for attempt in 0..MAX_ATTEMPTS {
            // The transaction and its user's facts in one read.
            let read = self
                .inner
                .store
                .sign_in_step_read(&id_hash, passkey)
                .await?;
            let stored = live(read.transaction)?;
            let doc: TransactionDoc = serde_json::from_value(stored.doc)
                .map_err(|err| SignInError::Internal(format!("stored transaction: {err}")))?;
            if matches!(doc.transaction.stage(), Stage::Done | Stage::Failed) {
                return Err(SignInError::UnknownTransaction);
            }
            if attempt == 0 {
                self.inner
                    .limits
                    .check(doc.request.ip_address, Some(doc.transaction.identifier()))
                    .map_err(|retry_after| SignInError::RateLimited { retry_after })?;
            }
            // The columns beside the document named the subject the step needs, unless
            // the row was written before they existed: then it is read by itself.
            let subject_read = (stored.subject == doc.subject()).then_some(read.read);
            let written_as = Written::Update(stored.revision);
            match self
                .attempt(transaction, doc, written_as, subject_read, &input)
                .await?
            {
                Attempt::Answered(progress) => return Ok(progress),
                Attempt::Lost(why) => {
                    // Our own transaction moved: a concurrent step of the same sign-in.
                    let now_stored = self.load_transaction(&id_hash).await;
                    if !matches!(&now_stored, Ok(current) if current.revision == stored.revision) {
                        return Err(SignInError::ConcurrentStep);
                    }
                    tracing::debug!(%why, "sign-in step lost a race on user state; recomputing");
                }
            }
        }
        Err(SignInError::ConcurrentStep)
    }

    /// The authentication facts of an active session (methods proven and when, amr,
    /// acr, strengths met), for token refresh, forward-auth and step-up. `None`: unknown,
    /// revoked or expired.
    pub async fn session_authentication(
        &self,
        session: &SessionId,
    ) -> ServiceResult<Option<(Session, SessionAuthentication)>> {
        let found = match self.inner.store.get_session(session).await {
            Ok(found) => found,
            Err(StoreError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other.into()),
        };
        if !found.is_active(OffsetDateTime::now_utc()) {
            return Ok(None);
        }
        let Some(doc) = self.inner.store.get_session_authentication(session).await? else {
            return Ok(None);
        };
        let facts = serde_json::from_value(doc)
            .map_err(|err| ServiceError::Internal(format!("session facts: {err}")))?;
        Ok(Some((found, facts)))
    }

    /// The active session a cookie value names (hashed, looked up by its SHA-256).
    pub async fn session_from_cookie(&self, cookie_value: &str) -> ServiceResult<Option<Session>> {
        let found = self
            .inner
            .store
            .find_session_by_token_hash(&SecretHash::of(cookie_value))
            .await?;
        Ok(found.filter(|session| session.is_active(OffsetDateTime::now_utc())))
    }

    /// The policy configuration at the store's current version (compiled once per
    /// version), for protocols that judge an existing session with
    /// `portcullis_signin::session_evaluation_context`.
    pub async fn policy(&self) -> ServiceResult<Arc<LoadedPolicy>> {
        Ok(self.inner.policy.current(self.inner.store.as_ref()).await?)
    }

    /// [`Self::policy`] for a policy version the caller has just read from the store
    /// (with other versions, in one read): no second read of it.
    pub(crate) async fn policy_at(&self, version: i64) -> ServiceResult<Arc<LoadedPolicy>> {
        Ok(self
            .inner
            .policy
            .at_version(self.inner.store.as_ref(), version)
            .await?)
    }

    /// The code provider and the code rules, for codes sent outside a sign-in (a phone
    /// or an email address verified on My security info).
    pub fn one_time_codes(&self) -> (Arc<dyn CodeSender>, OtpCodePolicy) {
        (self.inner.codes.clone(), self.inner.config.otp_codes)
    }

    /// A user as the pipeline sees them (groups, roles, methods, lockout), loaded
    /// afresh; `None` if the user does not exist.
    pub async fn user_record(
        &self,
        user: &portcullis_core::UserId,
        request: &RequestContext,
    ) -> Result<Option<UserRecord>, SignInError> {
        let loaded = load_subject(
            self.inner.store.as_ref(),
            Who::Id(user),
            request,
            LoadFor::Record,
        )
        .await?;
        Ok(loaded.subject.user().cloned())
    }

    /// [`Self::user_record`] from facts the caller read already (a token refresh reads
    /// them in one store call for the session's posture, Conditional Access and the ID
    /// token): nothing is read here.
    pub(crate) fn user_record_from(
        &self,
        facts: super::subject::UserFacts,
        stored_state: Option<portcullis_store::StoredUserSignInState>,
        request: &RequestContext,
    ) -> Result<UserRecord, SignInError> {
        let loaded = super::subject::record_from_facts(facts, stored_state, request);
        match loaded.subject {
            portcullis_signin::Subject::Known(record) => Ok(*record),
            portcullis_signin::Subject::Unknown => {
                Err(SignInError::Internal("a loaded user has no record".into()))
            }
        }
    }

    /// [`Self::request_context`] for an application the caller resolved already (the
    /// client a token grant authenticated): `app_id` and its registered display name.
    pub(crate) fn request_context_for_application(
        &self,
        request: &SignInRequest,
        app_id: String,
        registered_name: String,
    ) -> Result<RequestContext, SignInError> {
        self.context_for(request, app_id, registered_name)
    }

    /// The pipeline's request context for `request` (application resolved, user agent
    /// parsed, correlation id assigned): what `session_evaluation_context` takes.
    pub async fn request_context(
        &self,
        request: &SignInRequest,
    ) -> Result<RequestContext, SignInError> {
        let (app_id, registered_name) = match &request.application {
            TargetApplication::Portal => (PORTAL_APP_ID.to_owned(), PORTAL_DISPLAY_NAME.to_owned()),
            TargetApplication::Client(client_id) => {
                let parsed = portcullis_core::ClientId::parse(client_id.trim()).map_err(|_| {
                    SignInError::Invalid(format!("application {client_id:?} is not a client id"))
                })?;
                let app = self
                    .inner
                    .store
                    .find_application_by_client_id(&parsed)
                    .await?
                    .filter(|app| app.enabled)
                    .ok_or_else(|| {
                        SignInError::Invalid(format!("application {client_id} is not registered"))
                    })?;
                (app.app_id.to_string(), app.display_name)
            }
        };
        self.context_for(request, app_id, registered_name)
    }

    fn context_for(
        &self,
        request: &SignInRequest,
        app_id: String,
        registered_name: String,
    ) -> Result<RequestContext, SignInError> {
        let target = match &request.authentication_context {
            None => SignInTarget::Application { app_id },
            Some(context) => {
                if !is_authentication_context(context) {
                    return Err(SignInError::Invalid(format!(
                        "authentication context {context:?} is not c1 … c25"
                    )));
                }
                SignInTarget::AuthenticationContext {
                    id: context.clone(),
                    app_id: Some(app_id),
                }
            }
        };
        let user_agent = request.user_agent.as_deref();
        Ok(RequestContext {
            protocol: request.protocol,
            target,
            app_display_name: Some(request.app_display_name.clone().unwrap_or(registered_name)),
            ip_address: request.ip_address,
            location: request.location.clone(),
            device_platform: user_agent.and_then(user_agent::platform),
            device: None,
            device_detail: request
                .device_detail
                .clone()
                .unwrap_or_else(|| user_agent::device_detail(user_agent)),
            user_agent: request.user_agent.clone(),
            correlation_id: request
                .correlation_id
                .clone()
                .unwrap_or_else(|| CorrelationId::from_uuid(Uuid::new_v4())),
            risk: request.risk.clone(),
            device_facts: request.device_facts.clone(),
            authentication_flow: None,
            out_of_band_available: false,
        })
    }

    // ------------------------------------------------------------ internals

    async fn begin_step_up(
        &self,
        handle: &TransactionId,
        fresh: &TransactionDoc,
        session_id: &SessionId,
        now: OffsetDateTime,
    ) -> Result<Option<SignInProgress>, SignInError> {
        let Some((session, facts)) = self
            .session_authentication(session_id)
            .await
            .map_err(|err| SignInError::Internal(err.to_string()))?
        else {
            return Ok(None);
        };
        let loaded = load_subject(
            self.inner.store.as_ref(),
            Who::Id(&session.user_id),
            &fresh.request,
            LoadFor::LaterStep,
        )
        .await?;
        let Some(user) = loaded.subject.user() else {
            return Ok(None);
        };
        let mut fresh = fresh.clone();
        loaded.apply_user_risk(&mut fresh.request.risk, now);
        let fresh = &fresh;
        let identifier = user.user_principal_name.clone();
        let policy = self.inner.policy.current(self.inner.store.as_ref()).await?;
        let from = StepUpSession {
            user_id: session.user_id.clone(),
            session: SessionState {
                authenticated_at: Some(facts.auth_time),
                methods: facts.methods,
            },
        };
        let config = self.inner.config.clone();
        let request = fresh.request.clone();
        let subject = loaded.subject.clone();
        let (transaction, step) = self
            .inner
            .cpu
            .run(move || {
                let environment = StepEnvironment {
                    config: &config,
                    policy: policy.environment(),
                    request: &request,
                    subject: &subject,
                    now,
                };
                portcullis_signin::begin_step_up(
                    &identifier,
                    request.correlation_id.clone(),
                    from,
                    &environment,
                    &mut rand::rng(),
                )
            })
            .await?;
        // Too old for the policy's sign-in frequency: the log keeps the interrupt and the
        // user proves their first factor again in a fresh transaction.
        let reauthenticate = matches!(step.outcome, Outcome::Blocked { code }
            if code == ErrorCode::ReauthenticationRequired.public());
        let doc = if reauthenticate {
            fresh.clone()
        } else {
            TransactionDoc {
                request: fresh.request.clone(),
                transaction,
                existing_session: Some(session_id.clone()),
                passkey_ceremony: None,
                phone_sign_in: None,
            }
        };
        let planned = plan(
            step.effects,
            PlanFacts {
                loaded: &loaded,
                request: &doc.request,
                transaction: Some(TransactionWrite::Create(self.stored(handle, &doc, now)?)),
                lifetimes: self.inner.lifetimes,
                replaces: Some(session_id.clone()),
                code_purpose: CodePurpose::SignIn,
                now,
            },
        )?;
        let planned = self.commit(planned).await?;
        Ok(Some(if reauthenticate {
            SignInProgress {
                transaction: handle.clone(),
                correlation_id: doc.request.correlation_id.clone(),
                stage: Stage::FirstFactor,
                outcome: None,
                sign_in_id: planned.sign_in_id,
                session: None,
            }
        } else {
            progress(handle.clone(), &doc, step.outcome, planned)
        }))
    }

    /// One try at a step on `doc`: its user's facts (from `subject_read` when the caller
    /// read them with the transaction, else read here), the pure step, then its writes
    /// and log entry committed. `Lost` when the commit lost a race (user state moved,
    /// or the transaction itself): nothing of it was written.
    pub(super) async fn attempt(
        &self,
        handle: &TransactionId,
        mut doc: TransactionDoc,
        written_as: Written,
        subject_read: Option<SignInSubjectRead>,
        input: &Input,
    ) -> Result<Attempt, SignInError> {
        let purpose = if doc.transaction.stage() == Stage::FirstFactor {
            LoadFor::FirstFactor
        } else {
            LoadFor::LaterStep
        };
        let subject_read = match subject_read {
            Some(read) => read,
            None => {
                let who = match (doc.transaction.user_id(), input) {
                    (Some(id), _) => Who::Id(id),
                    (None, Input::Passkey(assertion)) => {
                        Who::CredentialOwner(&assertion.credential_id)
                    }
                    (None, _) => Who::Name(doc.transaction.identifier()),
                };
                self.inner.store.sign_in_subject(who.key()).await?
            }
        };
        let (loaded, versions) = subject_from_read(
            self.inner.store.as_ref(),
            subject_read,
            &doc.request,
            purpose,
        )
        .await?;
        // User risk, read afresh at every step once the user is known, so Conditional
        // Access `userRiskLevels` apply and the log shows it (crate::risk).
        loaded.apply_user_risk(&mut doc.request.risk, OffsetDateTime::now_utc());
        let policy = self
            .inner
            .policy
            .at_version(self.inner.store.as_ref(), versions.policy_version)
            .await?;
        // The step changes only the transaction inside the document it returns.
        let (next, step) = self
            .run_step(doc, policy, loaded.subject.clone(), input.clone())
            .await?;
        let now = OffsetDateTime::now_utc();
        let transaction = match written_as {
            Written::Update(expected_revision) => TransactionWrite::Update {
                id_hash: handle.hash(),
                expected_revision,
                doc: to_json(&next)?,
                subject: next.subject(),
            },
            Written::Create => TransactionWrite::Create(self.stored(handle, &next, now)?),
        };
        let planned = plan(
            step.effects,
            PlanFacts {
                loaded: &loaded,
                request: &next.request,
                transaction: Some(transaction),
                lifetimes: self.inner.lifetimes,
                replaces: next.existing_session.clone(),
                code_purpose: CodePurpose::SignIn,
                now,
            },
        )?;
        match self.commit(planned).await {
            Ok(planned) => {
                let outcome = refused_send_shown(step.outcome, planned.code_refused_until);
                Ok(Attempt::Answered(progress(
                    handle.clone(),
                    &next,
                    outcome,
                    planned,
                )))
            }
            Err(StoreError::Conflict(why)) => Ok(Attempt::Lost(why)),
            Err(other) => Err(other.into()),
        }
    }

    /// The pure step on a blocking thread (argon2 must not stall the async workers), one
    /// per core at a time.
    async fn run_step(
        &self,
        mut doc: TransactionDoc,
        policy: Arc<LoadedPolicy>,
        subject: portcullis_signin::Subject,
        input: Input,
    ) -> Result<(TransactionDoc, portcullis_signin::Step), SignInError> {
        let config = self.inner.config.clone();
        self.inner
            .cpu
            .run(move || {
                let environment = StepEnvironment {
                    config: &config,
                    policy: policy.environment(),
                    request: &doc.request,
                    subject: &subject,
                    now: OffsetDateTime::now_utc(),
                };
                let step = portcullis_signin::step(
                    &mut doc.transaction,
                    &environment,
                    input,
                    &mut rand::rng(),
                );
                (doc, step)
            })
            .await
    }

    /// Commits the planned write, then delivers its codes (after the commit, so a code is
    /// never sent for a step that was not stored).
    pub(super) async fn commit(&self, mut planned: PlannedStep) -> Result<PlannedStep, StoreError> {
        self.inner.committer.commit(planned.write.clone()).await?;
        for message in &planned.codes {
            // The step checked the destination's throttle as it read it; this claim is
            // the atomic one, so a racing step (another tab, another node) cannot send
            // past the limits. A refused code is not sent; the user can ask again later.
            let claimed = claim_code_send(
                self.inner.store.as_ref(),
                &self.inner.config.otp_codes,
                &message.user_id,
                &message.destination,
                OffsetDateTime::now_utc(),
            )
            .await;
            match claimed {
                Ok(Ok(())) => {}
                Ok(Err(throttled)) => {
                    tracing::info!(correlation_id = %message.correlation_id, channel = ?message.channel,
                        retry_at = %throttled.retry_at, "one-time code not sent: the send throttle refused it");
                    metrics::counter!("portcullis_signin_code_sends_throttled_total").increment(1);
                    planned.code_refused_until = Some(throttled.retry_at);
                    continue;
                }
                Err(error) => {
                    // The step is stored already; failing closed sends nothing unthrottled.
                    tracing::error!(correlation_id = %message.correlation_id, %error,
                        "one-time code not sent: the send throttle could not be read");
                    continue;
                }
            }
            if let Err(error) = self.inner.codes.send(message).await {
                // The user sees "code sent" and can ask again (resend is throttled).
                tracing::error!(correlation_id = %message.correlation_id, channel = ?message.channel,
                    %error, "one-time code could not be delivered");
                metrics::counter!("portcullis_signin_code_delivery_failures_total").increment(1);
            }
        }
        Ok(planned)
    }

    pub(super) async fn load_transaction(
        &self,
        id_hash: &SecretHash,
    ) -> Result<StoredSignInTransaction, SignInError> {
        live(self.inner.store.get_sign_in_transaction(id_hash).await?)
    }

    fn stored(
        &self,
        handle: &TransactionId,
        doc: &TransactionDoc,
        now: OffsetDateTime,
    ) -> Result<StoredSignInTransaction, SignInError> {
        Ok(StoredSignInTransaction {
            id_hash: handle.hash(),
            revision: 0,
            created_at: now,
            expires_at: now + self.inner.config.transaction_lifetime,
            doc: to_json(doc)?,
            subject: doc.subject(),
        })
    }
}

/// How a step's transaction is written with its commit.
pub(super) enum Written {
    /// The stored row, if it still has this revision.
    Update(i64),
    /// A new row: the transaction was begun in the same call.
    Create,
}

/// What one try at a step came to.
#[allow(
    clippy::large_enum_variant,
    reason = "returned once per try and matched at once, never stored"
)]
pub(super) enum Attempt {
    Answered(SignInProgress),
    /// The commit lost a race; nothing was written.
    Lost(String),
}

/// A stored transaction that may still be continued.
fn live(found: Option<StoredSignInTransaction>) -> Result<StoredSignInTransaction, SignInError> {
    match found {
        Some(stored) if stored.expires_at > OffsetDateTime::now_utc() => Ok(stored),
        _ => Err(SignInError::UnknownTransaction),
    }
}

fn progress(
    handle: TransactionId,
    doc: &TransactionDoc,
    outcome: Outcome,
    planned: PlannedStep,
) -> SignInProgress {
    SignInProgress {
        transaction: handle,
        correlation_id: doc.request.correlation_id.clone(),
        stage: doc.transaction.stage(),
        outcome: Some(outcome),
        sign_in_id: planned.sign_in_id,
        session: planned.session,
    }
}

pub(super) fn new_handle() -> TransactionId {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    TransactionId::from_random(bytes)
}

pub(super) fn to_json<T: Serialize>(value: &T) -> Result<Value, SignInError> {
    serde_json::to_value(value).map_err(|err| SignInError::Internal(err.to_string()))
}

/// `c1` … `c25`, the authentication context ids Entra allows.
fn is_authentication_context(id: &str) -> bool {
    id.strip_prefix('c')
        .filter(|digits| !digits.starts_with('0'))
        .and_then(|digits| digits.parse::<u8>().ok())
        .is_some_and(|n| (1..=25).contains(&n))
}

async fn ensure_fingerprint_key(store: &dyn Store) -> ServiceResult<FingerprintKey> {
    if let Some(key) = read_fingerprint_key(store).await? {
        return Ok(key);
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let caller = Caller::system("Portcullis first start");
    let audit = audit_record(
        &caller,
        category::KEY_MANAGEMENT,
        "Create sign-in lockout fingerprint key",
        "Add",
    )
    .with_target(target("Setting", FINGERPRINT_KEY_SETTING, None));
    store
        .commit(Batch::single(
            Change::PutSetting {
                key: FINGERPRINT_KEY_SETTING.to_owned(),
                value: Value::String(hex::encode(bytes)),
            },
            audit,
        ))
        .await?;
    // Another node may have written its key first: the stored one counts.
    read_fingerprint_key(store)
        .await?
        .ok_or_else(|| ServiceError::Internal("the lockout fingerprint key was not stored".into()))
}

async fn read_fingerprint_key(store: &dyn Store) -> ServiceResult<Option<FingerprintKey>> {
    let Some(Value::String(text)) = store.get_setting(FINGERPRINT_KEY_SETTING).await? else {
        return Ok(None);
    };
    let bytes: [u8; 32] = hex::decode(&text)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            ServiceError::Internal(format!(
                "setting {FINGERPRINT_KEY_SETTING} is not 32 hex bytes"
            ))
        })?;
    Ok(Some(FingerprintKey::new(bytes)))
}

/// A challenge whose code the store's throttle refused says so (the page shows when
/// the user may ask again) instead of "code sent". The user is past the first factor
/// here, so this reveals nothing; password reset keeps a refused send looking sent.
fn refused_send_shown(outcome: Outcome, refused_until: Option<OffsetDateTime>) -> Outcome {
    match (outcome, refused_until) {
        (Outcome::Challenge(mut challenge), Some(until)) => {
            challenge.code_sent_to = None;
            challenge.code_throttled_until = Some(until);
            Outcome::Challenge(challenge)
        }
        (outcome, _) => outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authentication_context_ids() {
        for good in ["c1", "c9", "c10", "c25"] {
            assert!(is_authentication_context(good), "{good}");
        }
        for bad in ["c0", "c26", "c01", "C1", "c", "c1a", "", "x1", "c255"] {
            assert!(!is_authentication_context(bad), "{bad}");
        }
    }
}
