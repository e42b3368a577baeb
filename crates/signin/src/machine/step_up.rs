//! Step-up: a signed-in user reaches something that needs more (an authentication
//! context `c1`…`c25`, a stronger strength, an app with its own policy). The transaction
//! starts from the session's proven methods and first-factor time instead of asking for
//! a first factor again, so Conditional Access asks only for what is missing.
//!
//! The session's facts are trusted as the edge loaded them (the session cookie was
//! verified there). Sign-in frequency still applies: a session older than a policy's
//! frequency fails with 50133 (reauthentication required), and the edge then starts an
//! ordinary sign-in.

use portcullis_authn::CryptoRng;
use portcullis_core::{CorrelationId, UserId};
use portcullis_policy::evaluate::SessionState;

use super::first_factor::PRIMARY;
use super::{Run, Step, StepEnvironment, finish};
use crate::error_code::ErrorCode;
use crate::transaction::{SignInTransaction, Stage};

/// The existing session a step-up starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct StepUpSession {
    /// The session's user; the subject must be this user.
    pub user_id: UserId,
    /// Every method the session proved, with when, and its first-factor time
    /// (`authenticated_at`; `None` is treated as unknown and refused).
    pub session: SessionState,
}

/// Begins a step-up transaction from an existing session and evaluates it at once:
/// `Done` when the session already satisfies the target, a `Challenge` for only the
/// missing methods, or `Blocked`. Exactly one log entry, like any step.
pub fn begin_step_up<R: CryptoRng + ?Sized>(
    identifier: &str,
    correlation_id: CorrelationId,
    from: StepUpSession,
    environment: &StepEnvironment<'_>,
    rng: &mut R,
) -> (SignInTransaction, Step) {
    let mut transaction = SignInTransaction::begin(identifier, correlation_id, environment.now);
    // Past the first factor: only the challenge, registration and password stages follow.
    transaction.stage = Stage::Challenge;
    let mut run = Run::new(environment);
    let outcome = match (environment.subject.user(), from.session.authenticated_at) {
        (Some(user), Some(_)) if user.id == from.user_id => {
            transaction.user_id = Some(user.id.clone());
            transaction.session = from.session;
            run.record_step(
                &mut transaction,
                "Previously satisfied",
                PRIMARY,
                "First factor requirement satisfied by claim in the token",
                true,
            );
            if user.account_enabled {
                run.decide(&mut transaction, user)
            } else {
                run.fail(ErrorCode::UserDisabled, None)
            }
        }
        (_, None) => run.fail(
            ErrorCode::InvalidRequest,
            "the session to step up from has no authentication time".to_owned(),
        ),
        _ => run.fail(
            ErrorCode::InvalidRequest,
            "the session to step up from belongs to another user".to_owned(),
        ),
    };
    let step = finish(run, &mut transaction, outcome, rng);
    (transaction, step)
}
