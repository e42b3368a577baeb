//! Judging one session for one application with Conditional Access: the sign-in
//! pipeline's own mapping (`portcullis_signin::session_evaluation_context`) and the
//! policy engine, over the methods the session proved. No policy code of its own.

use portcullis_policy::evaluate::{
    EVERY_TIME_TOLERANCE, Outcome, RequiredControl, SessionState, evaluate,
};
use portcullis_signin::{Protocol, session_evaluation_context};
use time::{Duration, OffsetDateTime};

use super::apps::ProtectedApp;
use super::decision_cache::CachedVerdict;
use super::request::ForwardAuthRequest;
use crate::error::{ServiceError, ServiceResult};
use crate::sessions::ActiveSession;
use crate::signin::{SignInRequest, SignInService, TargetApplication};

/// A judgement and how long it stands.
pub(crate) struct Judgement {
    pub verdict: CachedVerdict,
    /// The policy version it was made at.
    pub policy_version: i64,
    /// Re-judge after this (sign-in frequency, session expiry).
    pub valid_until: OffsetDateTime,
    /// The policies' outcome kind, for the log (`allow`, `needsControls`, `block`).
    pub outcome: &'static str,
}

pub(crate) async fn judge(
    store: &dyn portcullis_store::Store,
    signin: &SignInService,
    active: &ActiveSession,
    app: &ProtectedApp,
    request: &ForwardAuthRequest,
    now: OffsetDateTime,
) -> ServiceResult<Judgement> {
    let session = &active.session;
    let mut sign_in = SignInRequest::new(
        Protocol::Browser,
        TargetApplication::Client(app.client_id.to_string()),
        &active.user.user_principal_name,
    );
    sign_in.ip_address = request.client_ip;
    sign_in.user_agent = request.user_agent.clone();
    sign_in.existing_session = Some(session.id.clone());
    let mut context = signin
        .request_context(&sign_in)
        .await
        .map_err(signin_error)?;
    // User risk for `userRiskLevels` conditions; a change of it bumps the user's security
    // epoch, which drops this cached judgement (sessions::epochs).
    crate::risk::load_user_risk(store, &session.user_id, &mut context.risk, now).await?;
    let Some(user) = signin
        .user_record(&session.user_id, &context)
        .await
        .map_err(signin_error)?
    else {
        return Ok(Judgement {
            verdict: CachedVerdict::SignIn,
            policy_version: 0,
            valid_until: now,
            outcome: "block",
        });
    };
    let policy = signin.policy().await?;
    let state = SessionState {
        authenticated_at: Some(session.authenticated_date_time),
        methods: active.methods.clone(),
    };
    let input = session_evaluation_context(
        &context,
        &policy.environment(),
        &user,
        &state,
        false,
        context.target.clone(),
        now,
    );
    let decision = evaluate(&policy.conditional_access, &input);
    let outcome = decision.outcome.kind();
    let mut valid_until = session.expires_date_time;
    let verdict = match &decision.outcome {
        Outcome::Allow {
            session_controls, ..
        } => {
            if let Some(frequency) = session_controls.sign_in_frequency {
                let window = if frequency.every_time {
                    EVERY_TIME_TOLERANCE
                } else {
                    Duration::seconds(frequency.period_seconds.unwrap_or(0))
                };
                valid_until = valid_until.min(session.authenticated_date_time + window);
            }
            CachedVerdict::Allow {
                headers: active.user.identity_headers.clone(),
            }
        }
        Outcome::NeedsControls { alternatives, .. } => {
            // Only what the user can do in a browser is worth a redirect; a device that
            // is not compliant stays not compliant after signing in again.
            let interactive = alternatives
                .iter()
                .any(|alt| alt.controls.iter().all(RequiredControl::is_interactive));
            if interactive {
                CachedVerdict::SignIn
            } else {
                CachedVerdict::Deny
            }
        }
        Outcome::Block { .. } => CachedVerdict::Deny,
    };
    Ok(Judgement {
        verdict,
        policy_version: policy.version,
        valid_until,
        outcome,
    })
}

fn signin_error(err: crate::signin::SignInError) -> ServiceError {
    match err {
        crate::signin::SignInError::Invalid(why) => ServiceError::Invalid(why),
        other => ServiceError::Internal(other.to_string()),
    }
}
