//! Which of the user's methods can satisfy a strength next: registered, enabled for them
//! by the methods policy, usable now, and the next step of a combination the strength
//! allows — in system-preferred order (entra.md §5.7).

use portcullis_authn::methods::{MethodKind, system_preferred_order};
use portcullis_policy::evaluate::UsedMethod;
use portcullis_policy::strength::{
    AuthenticationMethodMode, AuthenticationStrength, MethodCredential, MethodDetail,
};
use time::OffsetDateTime;

use super::StepEnvironment;
use super::first_factor::mode_of;
use crate::config::PolicyEnvironment;
use crate::outcome::OfferedMethod;
use crate::subject::{MethodMaterial, RegisteredMethod, UserRecord};

/// The strength engine's view of a registered method.
pub(crate) fn credential_of(method: &RegisteredMethod) -> MethodCredential {
    match &method.material {
        MethodMaterial::Passkey { aaguid } => MethodCredential {
            mode: AuthenticationMethodMode::Fido2,
            detail: MethodDetail::Fido2 { aaguid: *aaguid },
        },
        other => MethodCredential::new(mode_of(other.kind())),
    }
}

/// Whether the method can be used at `now`: a Temporary Access Pass in its window (not
/// spent or revoked), a passkey of a model the key restrictions permit.
pub(crate) fn usable_now(
    policy: &PolicyEnvironment<'_>,
    method: &RegisteredMethod,
    now: OffsetDateTime,
) -> bool {
    match &method.material {
        MethodMaterial::TemporaryAccessPass(pass) => pass.usability(now).is_ok(),
        MethodMaterial::Passkey { aaguid } => {
            policy.methods.fido2_key_restrictions.permits(*aaguid)
        }
        _ => true,
    }
}

/// The methods to offer for `strength`, strongest first: a phone or address whose
/// codes this server cannot deliver is not offered (the send would fail).
pub(crate) fn offers(
    env: &StepEnvironment<'_>,
    user: &UserRecord,
    used: &[UsedMethod],
    strength: &AuthenticationStrength,
) -> Vec<OfferedMethod> {
    let (policy, now) = (&env.policy, env.now);
    let used: Vec<MethodCredential> = used.iter().map(UsedMethod::credential).collect();
    let password = user
        .password
        .as_ref()
        .map(|_| MethodCredential::new(AuthenticationMethodMode::Password));
    let mut offered: Vec<OfferedMethod> = user
        .methods
        .iter()
        .filter(|method| {
            let kind = method.material.kind();
            policy.methods.allows(kind, user)
                && env.config.deliverable_codes.reach(kind)
                && usable_now(policy, method, now)
        })
        .filter(|method| {
            // Checked per credential, so an AAGUID allow-list offers only the passkeys
            // of allowed models.
            let mut registered = vec![credential_of(method)];
            registered.extend(password.clone());
            let next = mode_of(method.material.kind());
            strength
                .plan(&registered, &used)
                .options
                .iter()
                .any(|option| option.remaining.first() == Some(&next))
        })
        .map(|method| OfferedMethod {
            kind: method.material.kind(),
            credential_id: method.credential_id.clone(),
            display_name: method.display_name.clone(),
        })
        .collect();
    let kinds: Vec<MethodKind> = offered.iter().map(|method| method.kind).collect();
    // Drops what is never a second factor (email codes, phone sign-in) and ranks the rest.
    let order = system_preferred_order(&kinds);
    offered.retain(|method| order.contains(&method.kind));
    offered.sort_by_key(|method| order.iter().position(|kind| *kind == method.kind));
    offered
}

/// Methods the user could register to satisfy `strength`, strongest first: those the
/// methods policy enables for them, whose codes (if any) this server can deliver, and
/// that complete a combination (with their password if they have one).
pub(crate) fn registrable(
    env: &StepEnvironment<'_>,
    user: &UserRecord,
    used: &[UsedMethod],
    strength: &AuthenticationStrength,
) -> Vec<MethodKind> {
    const REGISTRABLE: [MethodKind; 5] = [
        MethodKind::Fido2,
        MethodKind::AuthenticatorPush,
        MethodKind::Totp,
        MethodKind::Sms,
        MethodKind::Voice,
    ];
    let used: Vec<MethodCredential> = used.iter().map(UsedMethod::credential).collect();
    REGISTRABLE
        .into_iter()
        .filter(|kind| env.policy.methods.allows(*kind, user))
        .filter(|kind| env.config.deliverable_codes.reach(*kind))
        .filter(|kind| {
            let mut registered = vec![MethodCredential::new(mode_of(*kind))];
            if user.password.is_some() {
                registered.push(MethodCredential::new(AuthenticationMethodMode::Password));
            }
            !strength.plan(&registered, &used).is_impossible()
        })
        .collect()
}
