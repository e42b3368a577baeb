//! Conditional Access (with security defaults and per-user MFA) over what the
//! transaction has proven, and the mapping of its decision to an outcome.
//!
//! * `Block` → 53003.
//! * `NeedsControls` → the first alternative (prompting order) the user can act on now:
//!   a challenge with the methods that satisfy it, or a password change. An alternative
//!   with a control Portcullis cannot ask for (device or app state, terms of use, custom
//!   controls, reauthentication) is skipped. If none can be acted on now, registration is
//!   the fallback when a method could be registered; otherwise the sign-in is blocked
//!   with the code of the first alternative's unmet control.
//! * `Allow` → done, after the security-defaults registration nudge (skippable during the
//!   grace) and an expired password's change.
//!
//! Protocols that cannot show a page (legacy authentication) never pass a requirement
//! they cannot meet: a challenge becomes 50076 (unless an out-of-band method can answer
//! it), registration 50079, a password change 50055.
//!
//! Registration is itself judged: before the interrupt, the user action
//! `urn:user:registersecurityinfo` is evaluated with the same session, so a policy can
//! demand a trusted location or a Temporary Access Pass, and a risky sign-in (medium or
//! high) is refused with 53004.

use portcullis_authn::methods::MethodKind;
use portcullis_policy::evaluate::{
    self, Alternative, BaselineRule, EffectiveSessionControls, Outcome as PolicyOutcome,
    RequiredControl, SignInTarget,
};
use portcullis_policy::model::{DevicePlatform, RiskLevel, UserAction};
use portcullis_policy::strength::{
    self, AuthenticationStrength, MULTIFACTOR_AUTHENTICATION_ID, MethodCredential,
    PASSWORDLESS_MFA_ID, PHISHING_RESISTANT_MFA_ID,
};
use time::OffsetDateTime;

use super::Run;
use super::context::evaluation_context;
use super::offers::{offers, registrable};
use crate::amr::amr;
use crate::effect::Effect;
use crate::error_code::ErrorCode;
use crate::outcome::{
    Challenge, ChallengePurpose, Completed, OfferedMethod, Outcome, PasswordChangeReason,
    RegistrationPrompt, Requirement,
};
use crate::subject::UserRecord;
use crate::transaction::SignInTransaction;

/// Whether the sign-in is itself to `urn:user:registersecurityinfo` (My security info).
fn is_registration_target(target: &SignInTarget) -> bool {
    matches!(
        target,
        SignInTarget::UserAction {
            user_action: UserAction::RegisterSecurityInfo
        }
    )
}

/// What an alternative asks the user to do first.
enum Action {
    Strength(Requirement, AuthenticationStrength),
    Register,
    ChangePassword(PasswordChangeReason),
}

/// The code for a control Portcullis cannot ask for in a sign-in, if `control` is one.
fn unactionable(control: &RequiredControl) -> Option<ErrorCode> {
    match control {
        RequiredControl::CompliantDevice => Some(ErrorCode::DeviceNotCompliant),
        RequiredControl::DomainJoinedDevice => Some(ErrorCode::DeviceNotDomainJoined),
        RequiredControl::ApprovedApplication => Some(ErrorCode::ApplicationNotApproved),
        RequiredControl::CompliantApplication => Some(ErrorCode::ApplicationProtectionRequired),
        RequiredControl::TermsOfUse { .. } | RequiredControl::CustomFactor { .. } => {
            Some(ErrorCode::ExternalSecurityChallenge)
        }
        // A transaction proves its first factor now, so only a stale session reaches this.
        RequiredControl::Reauthentication => Some(ErrorCode::ReauthenticationRequired),
        _ => None,
    }
}

impl Run<'_, '_> {
    /// The first thing `alternative` asks for, or the code it cannot be satisfied with.
    fn action(&self, alternative: &Alternative) -> Result<Action, ErrorCode> {
        if let Some(code) = alternative.controls.iter().find_map(unactionable) {
            return Err(code);
        }
        for control in &alternative.controls {
            match control {
                RequiredControl::MfaRegistration => return Ok(Action::Register),
                RequiredControl::Mfa => {
                    return Ok(Action::Strength(
                        Requirement::Mfa,
                        strength::multifactor_authentication(),
                    ));
                }
                RequiredControl::AuthenticationStrength { id, display_name } => {
                    return match self.env.policy.strengths.get(id.as_str()) {
                        Some(found) => Ok(Action::Strength(
                            Requirement::AuthenticationStrength {
                                id: id.as_str().to_owned(),
                                display_name: display_name.as_str().to_owned(),
                            },
                            found.clone(),
                        )),
                        None => Err(ErrorCode::BlockedByConditionalAccess),
                    };
                }
                RequiredControl::PasswordChange => {
                    return Ok(Action::ChangePassword(
                        PasswordChangeReason::PolicyRequiresPasswordChange,
                    ));
                }
                RequiredControl::RiskRemediation => {
                    return Ok(Action::ChangePassword(
                        PasswordChangeReason::RiskRemediation,
                    ));
                }
                _ => {}
            }
        }
        Err(ErrorCode::BlockedByConditionalAccess)
    }

    /// Evaluates the target and answers with the next outcome.
    pub(crate) fn decide(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
    ) -> Outcome {
        let env = self.env;
        let context = evaluation_context(
            env.request,
            &env.policy,
            user,
            transaction,
            env.request.target.clone(),
            env.now,
        );
        let decision = evaluate::evaluate(env.policy.conditional_access, &context);
        let policy_outcome = decision.outcome.clone();
        self.decision = Some(decision);
        self.evaluation_input = Some(context);
        match policy_outcome {
            PolicyOutcome::Block { policies, baseline } => {
                let mut names: Vec<String> = policies
                    .iter()
                    .map(|policy| policy.display_name.as_str().to_owned())
                    .collect();
                if let Some(rule) = baseline {
                    names.push(format!("{rule:?}"));
                }
                self.fail(
                    ErrorCode::BlockedByConditionalAccess,
                    format!("blocked by: {}", names.join(", ")),
                )
            }
            PolicyOutcome::Allow {
                session_controls,
                mfa_registration_due_by,
            } => self.allowed(transaction, user, session_controls, mfa_registration_due_by),
            PolicyOutcome::NeedsControls { alternatives, .. } => {
                self.resolve(transaction, user, &alternatives, ChallengePurpose::SignIn)
            }
        }
    }

    fn allowed(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        session_controls: EffectiveSessionControls,
        registration_due_by: Option<OffsetDateTime>,
    ) -> Outcome {
        let env = self.env;
        if let Some(due_by) = registration_due_by
            && env.request.protocol.is_interactive()
            && !transaction.registration_skipped
        {
            if user
                .security_defaults_first_interactive_sign_in_at
                .is_none()
            {
                self.effects.push(Effect::StartRegistrationGrace {
                    user_id: user.id.clone(),
                    at: env.now,
                });
            }
            return self.registration(
                transaction,
                user,
                &strength::multifactor_authentication(),
                Some(due_by),
            );
        }
        let password_used = transaction
            .session
            .methods
            .iter()
            .any(|method| method.method == strength::AuthenticationMethodMode::Password);
        if password_used
            && !transaction.password_changed
            && user
                .password
                .as_ref()
                .is_some_and(|record| record.must_change)
        {
            return self.password_change(PasswordChangeReason::Expired);
        }
        if self.campaign_nudges(transaction, user) {
            let campaign = &env.policy.methods.registration_campaign;
            transaction.campaign_prompted = true;
            return Outcome::RegistrationRequired(RegistrationPrompt {
                methods: vec![campaign.target],
                skippable_until: campaign.snooze_until(user, env.now),
                campaign: true,
            });
        }
        Outcome::Done(self.complete(transaction, user, session_controls, registration_due_by))
    }

    /// The registration campaign's nudge (entra.md §5.8): after a sign-in with more than
    /// a first factor, in a browser or app that is not on a phone, for a targeted user
    /// without the method, when the policies protecting registration let them register.
    fn campaign_nudges(&self, transaction: &SignInTransaction, user: &UserRecord) -> bool {
        let env = self.env;
        let campaign = &env.policy.methods.registration_campaign;
        let multi_factor = transaction
            .session
            .methods
            .iter()
            .any(|method| !method.method.is_first_factor_only());
        let on_phone = matches!(
            env.request.device_platform,
            Some(DevicePlatform::Android | DevicePlatform::IOs)
        );
        env.request.protocol.is_interactive()
            && multi_factor
            && !on_phone
            && !transaction.registration_skipped
            && !is_registration_target(&env.request.target)
            && env.policy.methods.allows(campaign.target, user)
            && campaign.nudges(user, env.now)
            && self.registration_allowed_now(transaction, user)
    }

    /// Whether Conditional Access on `urn:user:registersecurityinfo` allows registering
    /// with what the session has proven, without asking for anything more.
    fn registration_allowed_now(&self, transaction: &SignInTransaction, user: &UserRecord) -> bool {
        let env = self.env;
        let context = evaluation_context(
            env.request,
            &env.policy,
            user,
            transaction,
            SignInTarget::UserAction {
                user_action: UserAction::RegisterSecurityInfo,
            },
            env.now,
        );
        matches!(
            evaluate::evaluate(env.policy.conditional_access, &context).outcome,
            PolicyOutcome::Allow { .. }
        )
    }

    fn resolve(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        alternatives: &[Alternative],
        purpose: ChallengePurpose,
    ) -> Outcome {
        let env = self.env;
        let mut blocked_by = None;
        let mut fallback_registration: Option<AuthenticationStrength> = None;
        for alternative in alternatives {
            match self.action(alternative) {
                Err(code) => {
                    blocked_by.get_or_insert(code);
                }
                Ok(Action::Strength(requirement, strength)) => {
                    transaction.multi_factor_required = true;
                    let offered = offers(env, user, &transaction.session.methods, &strength);
                    if !offered.is_empty() {
                        return self.challenge(transaction, purpose, requirement, offered);
                    }
                    fallback_registration.get_or_insert(strength);
                }
                Ok(Action::Register) => {
                    transaction.multi_factor_required = true;
                    fallback_registration.get_or_insert_with(strength::multifactor_authentication);
                }
                Ok(Action::ChangePassword(reason)) => {
                    if purpose == ChallengePurpose::SignIn {
                        return self.password_change(reason);
                    }
                }
            }
        }
        // Registering a method to satisfy the policy on registering methods would let a
        // password thief enrol their own factor: that requirement must be met with what
        // the user already has (a Temporary Access Pass, an existing method).
        let registering = purpose == ChallengePurpose::RegisterSecurityInfo
            || is_registration_target(&env.request.target);
        match (registering, fallback_registration) {
            (false, Some(strength)) => self.registration(transaction, user, &strength, None),
            (true, _) => self.fail(
                ErrorCode::BlockedByConditionalAccess,
                "registering security information needs controls this user cannot satisfy"
                    .to_owned(),
            ),
            (false, None) => self.fail(
                blocked_by.unwrap_or(ErrorCode::BlockedByConditionalAccess),
                "no way to satisfy the policies that apply".to_owned(),
            ),
        }
    }

    fn challenge(
        &mut self,
        transaction: &mut SignInTransaction,
        purpose: ChallengePurpose,
        requirement: Requirement,
        mut offered: Vec<OfferedMethod>,
    ) -> Outcome {
        let request = self.env.request;
        if !request.protocol.is_interactive() {
            // Only an out-of-band method can answer over a protocol without pages.
            offered.retain(|method| {
                request.out_of_band_available && method.kind == MethodKind::AuthenticatorPush
            });
            if offered.is_empty() {
                return self.fail(
                    ErrorCode::StrongAuthenticationRequired,
                    format!(
                        "{} cannot be challenged and no out-of-band method is available",
                        request.protocol.client_app_used()
                    ),
                );
            }
        }
        transaction.offered = offered
            .iter()
            .map(|method| (method.kind, method.credential_id.clone()))
            .collect();
        Outcome::Challenge(Challenge {
            purpose,
            requirement,
            methods: offered,
            error: None,
            code_sent_to: None,
            code_throttled_until: None,
        })
    }

    fn password_change(&mut self, reason: PasswordChangeReason) -> Outcome {
        if !self.env.request.protocol.is_interactive() {
            return self.fail(ErrorCode::PasswordExpired, format!("{reason:?}"));
        }
        Outcome::PasswordChangeRequired { reason }
    }

    /// The registration interrupt, after checking that registering is allowed at all.
    fn registration(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        strength: &AuthenticationStrength,
        skippable_until: Option<OffsetDateTime>,
    ) -> Outcome {
        let env = self.env;
        if !env.request.protocol.is_interactive() {
            return self.fail(ErrorCode::RegistrationRequired, None);
        }
        if matches!(
            env.request.risk.sign_in_risk_level,
            Some(RiskLevel::Medium | RiskLevel::High)
        ) {
            return self.fail(ErrorCode::RegistrationBlockedDueToRisk, None);
        }
        if !is_registration_target(&env.request.target)
            && let Some(gate) = self.registration_gate(transaction, user)
        {
            return gate;
        }
        // A user who already has a usable multifactor method proves it before adding
        // another (Entra's combined registration): otherwise a stolen password alone
        // could enrol the thief's passkey when a policy asks for a stronger method.
        let proved_multifactor = transaction
            .session
            .methods
            .iter()
            .any(|method| !method.method.is_first_factor_only());
        if !proved_multifactor {
            let existing = offers(
                env,
                user,
                &transaction.session.methods,
                &strength::multifactor_authentication(),
            );
            if !existing.is_empty() {
                return self.challenge(
                    transaction,
                    ChallengePurpose::RegisterSecurityInfo,
                    Requirement::Mfa,
                    existing,
                );
            }
        }
        let mut methods = registrable(env, user, &transaction.session.methods, strength);
        if skippable_until.is_some() || self.security_defaults_asked() {
            // Security defaults register the Authenticator app or a TOTP app only
            // (entra.md §6.1).
            methods.retain(|kind| matches!(kind, MethodKind::AuthenticatorPush | MethodKind::Totp));
        }
        if methods.is_empty() {
            return self.fail(
                ErrorCode::RegistrationRequired,
                "no method the methods policy enables for this user satisfies the requirement"
                    .to_owned(),
            );
        }
        Outcome::RegistrationRequired(RegistrationPrompt {
            methods,
            skippable_until,
            campaign: false,
        })
    }

    /// Whether security defaults (rather than a policy or per-user MFA) asked for
    /// something in the last decision.
    fn security_defaults_asked(&self) -> bool {
        self.decision.as_ref().is_some_and(|decision| {
            decision.baseline_requirements.iter().any(|requirement| {
                !requirement.satisfied
                    && matches!(
                        requirement.rule,
                        BaselineRule::SecurityDefaultsRegistration
                            | BaselineRule::SecurityDefaultsAdministratorMfa
                            | BaselineRule::SecurityDefaultsRiskBasedMfa
                            | BaselineRule::SecurityDefaultsAzureManagementMfa
                    )
            })
        })
    }

    /// Conditional Access on `urn:user:registersecurityinfo`: `None` when registration is
    /// allowed now, else the outcome (a challenge to unlock it, or a block).
    fn registration_gate(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
    ) -> Option<Outcome> {
        let env = self.env;
        let context = evaluation_context(
            env.request,
            &env.policy,
            user,
            transaction,
            SignInTarget::UserAction {
                user_action: UserAction::RegisterSecurityInfo,
            },
            env.now,
        );
        let decision = evaluate::evaluate(env.policy.conditional_access, &context);
        match decision.outcome {
            PolicyOutcome::Allow { .. } => None,
            PolicyOutcome::Block { policies, .. } => {
                let names: Vec<&str> = policies
                    .iter()
                    .map(|policy| policy.display_name.as_str())
                    .collect();
                Some(self.fail(
                    ErrorCode::BlockedByConditionalAccess,
                    format!(
                        "registering security information is blocked by: {}",
                        names.join(", ")
                    ),
                ))
            }
            // Security defaults and per-user MFA ask a user without a method to register
            // (then do MFA): that is this very registration, so it does not gate it.
            PolicyOutcome::NeedsControls { alternatives, .. }
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
                None
            }
            PolicyOutcome::NeedsControls { alternatives, .. } => Some(self.resolve(
                transaction,
                user,
                &alternatives,
                ChallengePurpose::RegisterSecurityInfo,
            )),
        }
    }

    fn complete(
        &self,
        transaction: &SignInTransaction,
        user: &UserRecord,
        session_controls: EffectiveSessionControls,
        mfa_registration_due_by: Option<OffsetDateTime>,
    ) -> Completed {
        let env = self.env;
        let used: Vec<MethodCredential> = transaction
            .session
            .methods
            .iter()
            .map(evaluate::UsedMethod::credential)
            .collect();
        let strengths_met: Vec<String> = env
            .policy
            .strengths
            .all()
            .iter()
            .filter(|strength| strength.is_satisfied_by(&used))
            .map(|strength| strength.id.clone())
            .collect();
        let acr = [
            PHISHING_RESISTANT_MFA_ID,
            PASSWORDLESS_MFA_ID,
            MULTIFACTOR_AUTHENTICATION_ID,
        ]
        .into_iter()
        .find(|id| strengths_met.iter().any(|met| met == id))
        .map(str::to_owned);
        Completed {
            user_id: user.id.clone(),
            amr: amr(&transaction.session.methods, acr.is_some()),
            acr,
            strengths_met,
            auth_time: transaction.session.authenticated_at.unwrap_or(env.now),
            methods: transaction.session.methods.clone(),
            session_controls,
            not_after: transaction.not_after,
            mfa_registration_due_by,
        }
    }
}
