//! Settings and shared, precomputed inputs of the pipeline.

use portcullis_authn::lockout::{FingerprintKey, LockoutPolicy};
use portcullis_authn::methods::MethodKind;
use portcullis_authn::otp_code::OtpCodePolicy;
use portcullis_authn::password::{DummyHash, PasswordHasher};
use portcullis_policy::evaluate::CompiledPolicySet;
use time::Duration;

use crate::methods_policy::AuthenticationMethodsPolicy;
use crate::strengths::StrengthCatalogue;

/// Node-wide settings, built once at start-up.
#[derive(Debug, Clone)]
pub struct SignInConfig {
    /// argon2id at the configured parameters.
    pub hasher: PasswordHasher,
    /// The dummy hash verified for unknown users and users without a password, so they
    /// cost the same as a wrong password.
    pub dummy_hash: DummyHash,
    pub lockout: LockoutPolicy,
    /// Server secret for wrong-password fingerprints (smart lockout).
    pub fingerprint_key: FingerprintKey,
    pub otp_codes: OtpCodePolicy,
    /// Wrong second-factor answers allowed in one transaction before it fails.
    pub max_second_factor_failures: u32,
    /// How long a transaction may stay open between its first and last step.
    pub transaction_lifetime: Duration,
    /// Which one-time-code channels this server can deliver: a method whose codes
    /// cannot reach the user is neither offered nor proposed for registration.
    pub deliverable_codes: DeliverableCodes,
}

/// The code channels with a provider configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverableCodes {
    pub sms: bool,
    pub voice: bool,
    pub email: bool,
}

impl DeliverableCodes {
    /// Every channel (a development sender that writes codes to a file carries all).
    pub const ALL: DeliverableCodes = DeliverableCodes {
        sms: true,
        voice: true,
        email: true,
    };

    /// Whether codes for a method of `kind` can be delivered; methods without codes
    /// always can.
    pub fn reach(&self, kind: MethodKind) -> bool {
        match kind {
            MethodKind::Sms => self.sms,
            MethodKind::Voice => self.voice,
            MethodKind::Email => self.email,
            _ => true,
        }
    }
}

impl SignInConfig {
    /// Settings with Portcullis's defaults around the given hasher and keys: 3 wrong
    /// second-factor answers, 15-minute transactions, every code channel deliverable.
    pub fn new(
        hasher: PasswordHasher,
        dummy_hash: DummyHash,
        fingerprint_key: FingerprintKey,
    ) -> Self {
        Self {
            hasher,
            dummy_hash,
            lockout: LockoutPolicy::default(),
            fingerprint_key,
            otp_codes: OtpCodePolicy::default(),
            max_second_factor_failures: 3,
            transaction_lifetime: Duration::minutes(15),
            deliverable_codes: DeliverableCodes::ALL,
        }
    }
}

/// The tenant's policy configuration at one version: compiled Conditional Access (with
/// security defaults and per-user MFA), authentication strengths, the methods policy.
#[derive(Debug, Clone, Copy)]
pub struct PolicyEnvironment<'a> {
    pub conditional_access: &'a CompiledPolicySet,
    pub strengths: &'a StrengthCatalogue,
    pub methods: &'a AuthenticationMethodsPolicy,
}
