//! Which authenticator models may be used: the methods policy's FIDO2 key restrictions,
//! narrowed by an authentication strength's `allowedAAGUIDs` when one applies.

use portcullis_signin::KeyRestrictions;
use uuid::Uuid;

/// Enforced at registration and at sign-in (entra.md §5.4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AaguidPolicy {
    /// `fido2AuthenticationMethodConfiguration.keyRestrictions`.
    pub key_restrictions: KeyRestrictions,
    /// A strength's `fido2CombinationConfiguration.allowedAAGUIDs`; `None`: no such
    /// restriction. An empty list allows no model.
    pub strength_allowed: Option<Vec<Uuid>>,
}

impl AaguidPolicy {
    /// Only the methods policy's restrictions.
    pub fn from_key_restrictions(key_restrictions: KeyRestrictions) -> Self {
        Self {
            key_restrictions,
            strength_allowed: None,
        }
    }

    /// Whether a passkey of this model may be used. An unknown model (no AAGUID, or the
    /// all-zero one of unattested passkeys) never satisfies an allow-list.
    pub fn permits(&self, aaguid: Option<Uuid>) -> bool {
        self.key_restrictions.permits(aaguid)
            && self
                .strength_allowed
                .as_ref()
                .is_none_or(|allowed| aaguid.is_some_and(|model| allowed.contains(&model)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_signin::KeyEnforcement;

    #[test]
    fn key_restrictions_and_strength_both_apply() {
        let yubikey = Uuid::from_u128(7);
        let other = Uuid::from_u128(8);
        let open = AaguidPolicy::default();
        assert!(open.permits(None));
        assert!(open.permits(Some(other)));

        let block = AaguidPolicy::from_key_restrictions(KeyRestrictions {
            is_enforced: true,
            enforcement_type: KeyEnforcement::Block,
            aa_guids: vec![other],
        });
        assert!(!block.permits(Some(other)));
        assert!(block.permits(Some(yubikey)));

        let strength = AaguidPolicy {
            strength_allowed: Some(vec![yubikey]),
            ..block
        };
        assert!(strength.permits(Some(yubikey)));
        assert!(!strength.permits(None));
        assert!(!strength.permits(Some(Uuid::from_u128(9))));
    }
}
