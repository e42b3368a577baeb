//! The Conditional Access input for a step: the evaluator's `SignInContext` built from
//! the request, the user and what the transaction has proven.

use portcullis_authn::methods::MethodKind;
use portcullis_policy::evaluate::{
    SessionFacts, SessionState, SignInContext, SignInIdentity, SignInTarget, UserIdentity, UserType,
};
use time::OffsetDateTime;

use crate::config::PolicyEnvironment;
use crate::request::RequestContext;
use crate::subject::UserRecord;
use crate::transaction::SignInTransaction;

/// Methods that count as "registered for MFA" (security defaults, per-user MFA). A
/// Temporary Access Pass does not: it is a bridge to registering one.
const MFA_REGISTRATION_KINDS: [MethodKind; 6] = [
    MethodKind::Totp,
    MethodKind::Fido2,
    MethodKind::AuthenticatorPush,
    MethodKind::PasswordlessPhoneSignIn,
    MethodKind::Sms,
    MethodKind::Voice,
];

/// The evaluator input for `transaction` as it stands, targeting `target`. Public so the
/// service can judge a refresh or forward-auth request with exactly the same mapping.
pub fn evaluation_context(
    request: &RequestContext,
    policy: &PolicyEnvironment<'_>,
    user: &UserRecord,
    transaction: &SignInTransaction,
    target: SignInTarget,
    now: OffsetDateTime,
) -> SignInContext {
    session_evaluation_context(
        request,
        policy,
        user,
        &transaction.session,
        transaction.password_changed,
        target,
        now,
    )
}

/// The evaluator input for an existing session (token refresh, forward-auth): the same
/// mapping as a sign-in, over the methods the session proved and when.
pub fn session_evaluation_context(
    request: &RequestContext,
    policy: &PolicyEnvironment<'_>,
    user: &UserRecord,
    session: &SessionState,
    password_changed: bool,
    target: SignInTarget,
    now: OffsetDateTime,
) -> SignInContext {
    let facts = &request.device_facts;
    let mfa_registered = user.methods.iter().any(|method| {
        let kind = method.material.kind();
        MFA_REGISTRATION_KINDS.contains(&kind) && policy.methods.allows(kind, user)
    });
    SignInContext {
        identity: SignInIdentity::User(UserIdentity {
            id: user.id.as_str().to_owned(),
            user_type: match user.user_type {
                portcullis_core::UserType::Member => UserType::Member,
                portcullis_core::UserType::Guest => UserType::Guest,
            },
            guest_or_external_user_type: None,
            external_tenant_id: None,
            group_ids: user.group_ids.clone(),
            role_template_ids: user.role_template_ids.clone(),
        }),
        target,
        client_app_type: Some(request.protocol.client_app_type()),
        device_platform: request.device_platform.clone(),
        ip_address: request.ip_address,
        country: request.location.country_or_region.clone(),
        gps_country: None,
        device: request.device.clone(),
        sign_in_risk_level: request.risk.sign_in_risk_level.clone(),
        user_risk_level: request.risk.user_risk_level.clone(),
        insider_risk_level: None,
        service_principal_risk_level: None,
        authentication_flow: request.authentication_flow.clone(),
        session: session.clone(),
        facts: SessionFacts {
            device_compliant: facts.device_compliant,
            device_hybrid_joined: facts.device_hybrid_joined,
            approved_application: facts.approved_application,
            app_protection_policy: facts.app_protection_policy,
            password_changed,
            // A secure password change after MFA is Entra's remediation of user risk.
            risk_remediated: password_changed,
            accepted_terms_of_use: Vec::new(),
            satisfied_custom_controls: Vec::new(),
            mfa_registered,
            unfamiliar_sign_in_properties: request.risk.unfamiliar_sign_in_properties,
            security_defaults_first_interactive_sign_in_at: user
                .security_defaults_first_interactive_sign_in_at,
        },
        now,
    }
}
