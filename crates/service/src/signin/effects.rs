//! Turns a step's effects into one store write (in the effects' order, merged per row:
//! several effects on one credential become one revision-checked update), the codes to
//! deliver after the commit, and the session to hand back.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::ids::time_ordered_uuid;
use portcullis_core::{
    Credential, CredentialId, CredentialKind, SecretHash, Session, SessionId, SignInId,
};
use portcullis_policy::model::PersistentBrowserMode;
use portcullis_signin::{Completed, Effect, MethodMaterial, PhoneChannel, RequestContext};
use portcullis_store::{
    LoggedSignIn, NewSignInSession, SignInStepWrite, TransactionWrite, UserStateWrite,
};
use rand::RngCore;
use time::{Duration, OffsetDateTime};

use super::codes::{CodeChannel, CodeMessage, CodePurpose};
use super::credential_payload::{
    EmailPayload, PasswordPayload, PhonePayload, TemporaryAccessPassPayload, TotpPayload,
};
use super::familiarity::Origin;
use super::subject::LoadedSubject;
use super::types::{IssuedSession, SessionAuthentication, SignInError};

/// Session lifetimes (from the server configuration).
#[derive(Debug, Clone, Copy)]
pub struct SessionLifetimes {
    /// A browser session without "persistent browser": ends with the browser, and at
    /// the latest after this.
    pub session: Duration,
    /// A persistent browser session (policy `persistentBrowser: always`).
    pub persistent: Duration,
}

impl Default for SessionLifetimes {
    fn default() -> Self {
        SessionLifetimes {
            session: Duration::hours(24),
            persistent: Duration::days(90),
        }
    }
}

/// What one step will write and do.
pub(crate) struct PlannedStep {
    pub(crate) write: SignInStepWrite,
    pub(crate) codes: Vec<CodeMessage>,
    pub(crate) session: Option<IssuedSession>,
    pub(crate) sign_in_id: Option<SignInId>,
    /// Set by the commit when the store's atomic send throttle refused a code the step
    /// meant to send (a racing tab or node sent first): nothing went out until then.
    pub(crate) code_refused_until: Option<time::OffsetDateTime>,
}

/// Inputs of the plan besides the effects.
pub(crate) struct PlanFacts<'a> {
    pub(crate) loaded: &'a LoadedSubject,
    pub(crate) request: &'a RequestContext,
    pub(crate) transaction: Option<TransactionWrite>,
    pub(crate) lifetimes: SessionLifetimes,
    /// Step-up: the session being replaced.
    pub(crate) replaces: Option<SessionId>,
    /// What the step's codes are for (their message says so).
    pub(crate) code_purpose: CodePurpose,
    pub(crate) now: OffsetDateTime,
}

pub(crate) fn plan(effects: Vec<Effect>, facts: PlanFacts<'_>) -> Result<PlannedStep, SignInError> {
    let loaded = facts.loaded;
    let mut credentials: BTreeMap<CredentialId, Credential> = BTreeMap::new();
    let mut state = loaded.state.clone();
    let mut state_changed = false;
    let mut planned = PlannedStep {
        write: SignInStepWrite {
            transaction: facts.transaction,
            ..SignInStepWrite::default()
        },
        codes: Vec::new(),
        session: None,
        sign_in_id: None,
        code_refused_until: None,
    };
    for effect in effects {
        match effect {
            Effect::PersistLockoutState { state: lockout, .. } => {
                state.lockout = Some(lockout);
                state_changed = true;
            }
            Effect::StartRegistrationGrace { at, .. } => {
                state.security_defaults_first_interactive_sign_in_at = Some(at);
                state_changed = true;
            }
            Effect::SnoozeRegistrationCampaign { progress, .. } => {
                state.registration_campaign = progress;
                state_changed = true;
            }
            Effect::ReplacePasswordHash { phc, .. } => {
                let Some(password) = loaded.password_credential() else {
                    continue;
                };
                let credential = editable(&mut credentials, loaded, &password.id)?;
                let must_change = PasswordPayload::from_credential(credential)
                    .map(|payload| payload.must_change)
                    .unwrap_or(false);
                credential.payload = PasswordPayload { phc, must_change }.to_value();
            }
            Effect::RecordTotpStep {
                credential_id,
                step,
                ..
            } => {
                let credential = editable(&mut credentials, loaded, &credential_id)?;
                let mut payload = TotpPayload::from_credential(credential)
                    .map_err(|err| SignInError::Internal(err.to_string()))?;
                payload.last_used_step = Some(step);
                credential.payload = payload.to_value();
            }
            Effect::PersistTemporaryAccessPass {
                credential_id,
                pass,
                ..
            } => {
                let credential = editable(&mut credentials, loaded, &credential_id)?;
                credential.payload = TemporaryAccessPassPayload { pass }.to_value();
            }
            Effect::PersistSendThrottle {
                credential_id,
                throttle,
                ..
            } => {
                let credential = editable(&mut credentials, loaded, &credential_id)?;
                credential.payload = match credential.kind {
                    CredentialKind::Phone => {
                        let mut payload = PhonePayload::from_credential(credential)
                            .map_err(|err| SignInError::Internal(err.to_string()))?;
                        payload.throttle = throttle;
                        payload.to_value()
                    }
                    _ => {
                        let mut payload = EmailPayload::from_credential(credential)
                            .map_err(|err| SignInError::Internal(err.to_string()))?;
                        payload.throttle = throttle;
                        payload.to_value()
                    }
                };
            }
            Effect::RecordCredentialUse {
                credential_id, at, ..
            } => {
                editable(&mut credentials, loaded, &credential_id)?.last_used_date_time = Some(at);
            }
            Effect::SendOneTimeCode {
                user_id,
                credential_id,
                destination,
                code,
            } => planned.codes.push(CodeMessage {
                channel: channel_of(loaded, &credential_id),
                purpose: facts.code_purpose,
                destination,
                code,
                user_id,
                app_display_name: facts.request.app_display_name.clone(),
                correlation_id: facts.request.correlation_id.clone(),
            }),
            Effect::AppendSignInLog(entry) => {
                if entry.record.status.error_code == 0
                    && remember_place(&mut state, loaded, facts.request, facts.now)
                {
                    state_changed = true;
                }
                planned.sign_in_id = Some(entry.record.id.clone());
                planned.write.sign_ins.push(LoggedSignIn {
                    record: entry.record,
                    evaluation_input: entry.evaluation_input,
                });
            }
            Effect::CreateSession(completed) => {
                let (created, issued) = new_session(
                    *completed,
                    facts.request,
                    facts.lifetimes,
                    facts.replaces.clone(),
                    facts.now,
                )?;
                planned.write.session = Some(created);
                if let Some(old) = &issued.replaced_session {
                    planned.write.revoke_sessions.push((old.clone(), facts.now));
                }
                planned.session = Some(issued);
            }
        }
    }
    if state_changed && let Some(user) = loaded.subject.user() {
        planned.write.user_state = Some(UserStateWrite {
            user_id: user.id.clone(),
            expected_revision: loaded.state_revision,
            doc: serde_json::to_value(&state)
                .map_err(|err| SignInError::Internal(err.to_string()))?,
        });
    }
    planned.write.credentials = credentials.into_values().collect();
    Ok(planned)
}

/// A successful sign-in makes its place familiar (smart lockout's separate counters).
/// `true` when the state must be written: a new or refreshed place, or a state that has
/// no list yet (seeded from the log history the step was judged on).
fn remember_place(
    state: &mut super::subject::UserSignInState,
    loaded: &LoadedSubject,
    request: &RequestContext,
    now: OffsetDateTime,
) -> bool {
    // Without a list (stored or seeded from the log) a write would forget the history.
    let Some(mut places) = state
        .familiar_places
        .clone()
        .or_else(|| loaded.places.clone())
    else {
        return false;
    };
    let changed = places.record_success(&Origin::of(request), now);
    if changed || state.familiar_places.is_none() {
        state.familiar_places = Some(places);
        return true;
    }
    false
}

/// The credential to modify, copied once from what was read (so its revision check
/// guards every change this step makes to it).
fn editable<'c>(
    credentials: &'c mut BTreeMap<CredentialId, Credential>,
    loaded: &LoadedSubject,
    id: &CredentialId,
) -> Result<&'c mut Credential, SignInError> {
    if !credentials.contains_key(id) {
        let read = loaded.credentials.get(id).ok_or_else(|| {
            SignInError::Internal(format!("credential {id} was not loaded for this step"))
        })?;
        credentials.insert(id.clone(), read.clone());
    }
    credentials
        .get_mut(id)
        .ok_or_else(|| SignInError::Internal(format!("credential {id} vanished")))
}

fn channel_of(loaded: &LoadedSubject, credential: &CredentialId) -> CodeChannel {
    let material = loaded
        .subject
        .user()
        .and_then(|user| user.method(credential))
        .map(|method| &method.material);
    match material {
        Some(MethodMaterial::Phone {
            channel: PhoneChannel::Voice,
            ..
        }) => CodeChannel::Voice,
        Some(MethodMaterial::Phone { .. }) => CodeChannel::Sms,
        _ => CodeChannel::Email,
    }
}

/// A new session for a completed sign-in: a fresh id and cookie value (never the
/// pre-sign-in one), lifetime from the session controls, capped by sign-in frequency
/// and by a Temporary Access Pass's expiry.
fn new_session(
    completed: Completed,
    request: &RequestContext,
    lifetimes: SessionLifetimes,
    replaces: Option<SessionId>,
    now: OffsetDateTime,
) -> Result<(NewSignInSession, IssuedSession), SignInError> {
    let mut random = [0u8; 32];
    rand::rng().fill_bytes(&mut random);
    let cookie_value = URL_SAFE_NO_PAD.encode(random);
    let persistent = matches!(
        completed.session_controls.persistent_browser,
        Some(PersistentBrowserMode::Always)
    );
    let mut expires_at = now
        + if persistent {
            lifetimes.persistent
        } else {
            lifetimes.session
        };
    if let Some(period) = completed
        .session_controls
        .sign_in_frequency
        .and_then(|frequency| frequency.period_seconds)
    {
        expires_at = expires_at.min(completed.auth_time + Duration::seconds(period));
    }
    if let Some(not_after) = completed.not_after {
        expires_at = expires_at.min(not_after);
    }
    let session = Session {
        id: SessionId::from_uuid(time_ordered_uuid(now, rand::random())),
        user_id: completed.user_id.clone(),
        token_hash: SecretHash::of(&cookie_value),
        created_date_time: now,
        authenticated_date_time: completed.auth_time,
        last_seen_date_time: now,
        expires_date_time: expires_at,
        persistent,
        amr: completed.amr.clone(),
        acr: completed.acr.clone(),
        device_id: None,
        ip_address: request.ip_address.map(|ip| ip.to_string()),
        user_agent: request.user_agent.clone(),
        revoked_date_time: None,
    };
    let authentication = SessionAuthentication {
        auth_time: completed.auth_time,
        methods: completed.methods.clone(),
        amr: completed.amr.clone(),
        acr: completed.acr.clone(),
        strengths_met: completed.strengths_met.clone(),
        not_after: completed.not_after,
    };
    let issued = IssuedSession {
        session_id: session.id.clone(),
        cookie_value,
        persistent,
        expires_at,
        completed,
        replaced_session: replaces,
    };
    Ok((
        NewSignInSession {
            session,
            authentication: serde_json::to_value(&authentication)
                .map_err(|err| SignInError::Internal(err.to_string()))?,
        },
        issued,
    ))
}
