//! The user as the edge loaded them for this step: directory facts, the password record,
//! registered methods with the material needed to verify them, and lockout state.
//!
//! The edge loads the subject afresh for every step (never from the transaction), so a
//! user disabled, unlocked or given a new method between two steps is judged as they are
//! now, and no secret ever sits in the serialisable transaction.

use portcullis_authn::lockout::{Familiarity, LockoutState};
use portcullis_authn::methods::MethodKind;
use portcullis_authn::otp_code::SendThrottle;
use portcullis_authn::tap::TemporaryAccessPass;
use portcullis_authn::totp::Totp;
use portcullis_core::{CredentialId, UserId, UserType};

use crate::campaign::CampaignProgress;
use time::OffsetDateTime;
use uuid::Uuid;

/// Who the typed name (or the passkey's user handle) resolved to.
#[derive(Debug, Clone)]
pub enum Subject {
    /// No such user. The sign-in takes the same path (dummy hash, same answer).
    Unknown,
    /// A directory user.
    Known(Box<UserRecord>),
}

impl Subject {
    /// The user, if known.
    pub fn user(&self) -> Option<&UserRecord> {
        match self {
            Subject::Unknown => None,
            Subject::Known(user) => Some(user),
        }
    }
}

/// A user and everything a sign-in step needs to know about them.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub user_principal_name: String,
    pub display_name: String,
    pub user_type: UserType,
    pub account_enabled: bool,
    /// Transitive group memberships (object IDs).
    pub group_ids: Vec<String>,
    /// Role template IDs of the user's active directory roles.
    pub role_template_ids: Vec<String>,
    /// The password, if the user has one (passwordless users have none).
    pub password: Option<PasswordRecord>,
    /// Registered methods other than the password.
    pub methods: Vec<RegisteredMethod>,
    /// Smart lockout counters (a fresh `LockoutState::new` if none is stored yet).
    pub lockout: LockoutState,
    /// Whether this sign-in comes from a location the user has used before (decided by
    /// the edge from sign-in history); selects the lockout counter.
    pub familiarity: Familiarity,
    /// Security defaults: the first interactive sign-in after enablement, which starts the
    /// 14-day registration grace. `None`: not recorded yet (this sign-in starts it).
    pub security_defaults_first_interactive_sign_in_at: Option<OffsetDateTime>,
    /// Snoozes of the registration campaign.
    pub registration_campaign: CampaignProgress,
}

/// The stored password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordRecord {
    /// argon2id PHC string.
    pub phc: String,
    /// The password is past its maximum age, or an admin set "change at next sign-in".
    pub must_change: bool,
}

/// One registered method with its verification material.
#[derive(Debug, Clone)]
pub struct RegisteredMethod {
    pub credential_id: CredentialId,
    pub display_name: Option<String>,
    pub material: MethodMaterial,
}

/// What verifying a method needs.
#[derive(Debug, Clone)]
pub enum MethodMaterial {
    /// A TOTP authenticator app and the last time step accepted (replay protection).
    Totp {
        totp: Totp,
        last_used_step: Option<u64>,
    },
    /// A passkey; the signature is verified at the edge (webauthn-rs).
    Passkey { aaguid: Option<Uuid> },
    /// A phone number for SMS or voice codes, with its send throttle.
    Phone {
        number: String,
        channel: PhoneChannel,
        throttle: SendThrottle,
    },
    /// An email address for one-time codes (not an MFA method, entra.md §5.5).
    Email {
        address: String,
        throttle: SendThrottle,
    },
    /// The Portcullis Authenticator app (push with number matching, verified out of band
    /// at the edge).
    AuthenticatorPush,
    /// The user's Temporary Access Pass.
    TemporaryAccessPass(TemporaryAccessPass),
}

/// How a phone code is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PhoneChannel {
    Sms,
    Voice,
}

impl MethodMaterial {
    /// The method kind this material belongs to.
    pub fn kind(&self) -> MethodKind {
        match self {
            MethodMaterial::Totp { .. } => MethodKind::Totp,
            MethodMaterial::Passkey { .. } => MethodKind::Fido2,
            MethodMaterial::Phone {
                channel: PhoneChannel::Sms,
                ..
            } => MethodKind::Sms,
            MethodMaterial::Phone {
                channel: PhoneChannel::Voice,
                ..
            } => MethodKind::Voice,
            MethodMaterial::Email { .. } => MethodKind::Email,
            MethodMaterial::AuthenticatorPush => MethodKind::AuthenticatorPush,
            MethodMaterial::TemporaryAccessPass(pass) => {
                if pass.is_usable_once() {
                    MethodKind::TemporaryAccessPassOneTime
                } else {
                    MethodKind::TemporaryAccessPassMultiUse
                }
            }
        }
    }
}

impl UserRecord {
    /// The registered method with this credential ID.
    pub fn method(&self, credential_id: &CredentialId) -> Option<&RegisteredMethod> {
        self.methods
            .iter()
            .find(|method| &method.credential_id == credential_id)
    }

    /// The user's Temporary Access Pass, if any (at most one, entra.md §5.6).
    pub fn temporary_access_pass(&self) -> Option<(&CredentialId, &TemporaryAccessPass)> {
        self.methods
            .iter()
            .find_map(|method| match &method.material {
                MethodMaterial::TemporaryAccessPass(pass) => Some((&method.credential_id, pass)),
                _ => None,
            })
    }
}
