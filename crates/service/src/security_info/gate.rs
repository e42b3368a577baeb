//! The two checks before a change to security info: Conditional Access on the user
//! action `urn:user:registersecurityinfo` (decided by the policy evaluator over the
//! session, exactly as the sign-in pipeline builds its input), and, for the sensitive
//! changes, a multifactor sign-in within the last few minutes.

use portcullis_authn::methods::MethodKind;
use portcullis_policy::evaluate::{
    self, Outcome, RequiredControl, SessionState, SignInTarget, UsedMethod,
};
use portcullis_policy::model::UserAction;
use time::{Duration, OffsetDateTime};

use super::context::RegistrationContext;
use super::error::{SecurityInfoError, SecurityInfoResult};

/// Judges registering security information now. Allowed, blocked (naming the policies),
/// or a step-up (the session lacks what a policy demands: MFA, a strength such as a
/// Temporary Access Pass, a password change).
pub(crate) fn judge_registration(
    context: &RegistrationContext<'_>,
    now: OffsetDateTime,
) -> SecurityInfoResult<()> {
    let input = portcullis_signin::session_evaluation_context(
        context.request,
        &context.policy,
        context.user,
        context.session,
        false,
        SignInTarget::UserAction {
            user_action: UserAction::RegisterSecurityInfo,
        },
        now,
    );
    let decision = evaluate::evaluate(context.policy.conditional_access, &input);
    match decision.outcome {
        Outcome::Allow { .. } => Ok(()),
        Outcome::Block { policies, baseline } => {
            let mut names: Vec<String> = policies
                .iter()
                .map(|policy| policy.display_name.as_str().to_owned())
                .collect();
            if baseline.is_some() {
                names.push("security defaults".to_owned());
            }
            Err(SecurityInfoError::RegistrationBlocked {
                policies: names.join(", "),
            })
        }
        // Security defaults and per-user MFA ask a user without any method to register
        // one: that is this very registration, so it does not gate it (the sign-in
        // pipeline reads the decision the same way).
        Outcome::NeedsControls { alternatives, .. }
            if alternatives.iter().any(|alternative| {
                alternative
                    .controls
                    .contains(&RequiredControl::MfaRegistration)
                    && alternative.controls.iter().all(|control| {
                        matches!(
                            control,
                            RequiredControl::MfaRegistration | RequiredControl::Mfa
                        )
                    })
            }) =>
        {
            Ok(())
        }
        Outcome::NeedsControls { alternatives, .. } => {
            let reason = alternatives
                .first()
                .map(|alternative| {
                    alternative
                        .controls
                        .iter()
                        .map(describe)
                        .collect::<Vec<_>>()
                        .join(" and ")
                })
                .unwrap_or_else(|| "more proof".to_owned());
            Err(SecurityInfoError::StepUpRequired { reason })
        }
    }
}

fn describe(control: &RequiredControl) -> String {
    match control {
        RequiredControl::Mfa => "multifactor authentication".to_owned(),
        RequiredControl::AuthenticationStrength { display_name, .. } => {
            format!("the authentication strength \"{}\"", &**display_name)
        }
        RequiredControl::MfaRegistration => "registering an MFA method".to_owned(),
        RequiredControl::Reauthentication => "signing in again".to_owned(),
        RequiredControl::PasswordChange => "a password change".to_owned(),
        other => format!("{other:?}"),
    }
}

/// Whether the session proved a multifactor-capable method (a second factor, or a
/// passkey / Temporary Access Pass alone) within `window` before `now`.
pub(crate) fn has_fresh_strong_sign_in(
    session: &SessionState,
    now: OffsetDateTime,
    window: Duration,
) -> bool {
    session
        .methods
        .iter()
        .any(|used| is_strong(used) && used.at <= now && now - used.at <= window)
}

fn is_strong(used: &UsedMethod) -> bool {
    MethodKind::from_graph_mode(used.method.as_str())
        .is_some_and(|kind| kind.is_mfa_second_factor() || kind.is_multifactor_alone())
}

/// Refuses unless the session has a fresh strong sign-in.
pub(crate) fn require_fresh_strong_sign_in(
    session: &SessionState,
    now: OffsetDateTime,
    window: Duration,
) -> SecurityInfoResult<()> {
    if has_fresh_strong_sign_in(session, now, window) {
        Ok(())
    } else {
        Err(SecurityInfoError::FreshSignInRequired {
            minutes: window.whole_minutes(),
        })
    }
}
