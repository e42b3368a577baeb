//! A pending push approval: what the sign-in asked, the number the sign-in screen shows,
//! the nonce the answer must sign, and how it was settled.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::{CredentialId, UserId};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::number::MatchNumber;

/// Entra gives the user about a minute to answer a push; long enough to find the phone,
/// short enough that a forgotten prompt is not approved minutes later by reflex.
pub const DEFAULT_APPROVAL_LIFETIME: Duration = Duration::seconds(90);

/// A pending approval's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApprovalId(Uuid);

impl ApprovalId {
    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// A random (version 4) id from the injected generator.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    pub fn parse(text: &str) -> Result<Self, uuid::Error> {
        Uuid::try_parse(text).map(Self)
    }
}

impl std::fmt::Display for ApprovalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

/// 32 random bytes the answer must sign, fresh per approval.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nonce([u8; 32]);

impl Nonce {
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn from_base64url(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        <[u8; 32]>::try_from(bytes.as_slice()).ok().map(Self)
    }
}

impl std::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Nonce({})", self.to_base64url())
    }
}

impl Serialize for Nonce {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64url())
    }
}

impl<'de> Deserialize<'de> for Nonce {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_base64url(&text)
            .ok_or_else(|| serde::de::Error::custom("a nonce is 32 bytes in base64url"))
    }
}

/// Why the push was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ApprovalPurpose {
    /// Second factor of a sign-in (or a legacy protocol's out-of-band MFA).
    #[serde(rename_all = "camelCase")]
    SignIn { correlation_id: String },
    /// A helpdesk agent checking the caller really is the user.
    #[serde(rename_all = "camelCase")]
    HelpdeskVerification { requested_by: String },
    /// The first factor of a sign-in (passwordless phone sign-in, Graph mode
    /// `deviceBasedPush`): approving needs the app's local unlock.
    #[serde(rename_all = "camelCase")]
    PasswordlessSignIn { correlation_id: String },
}

impl ApprovalPurpose {
    /// The approval is a passwordless sign-in's only proof: answers must attest the
    /// app's local unlock.
    pub fn is_passwordless(&self) -> bool {
        matches!(self, ApprovalPurpose::PasswordlessSignIn { .. })
    }

    /// The sign-in this push belongs to, if it belongs to one.
    pub fn sign_in_correlation_id(&self) -> Option<&str> {
        match self {
            ApprovalPurpose::SignIn { correlation_id }
            | ApprovalPurpose::PasswordlessSignIn { correlation_id } => Some(correlation_id),
            ApprovalPurpose::HelpdeskVerification { .. } => None,
        }
    }
}

/// What the app shows so the user can judge the request (entra.md §5.3 "additional
/// context"). The number is deliberately not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalContext {
    /// The application being signed in to (display name).
    pub application: String,
    pub ip_address: Option<String>,
    /// "City, Country" from GeoIP when known.
    pub location: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
}

/// How a pending approval ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum ApprovalState {
    Pending,
    #[serde(rename_all = "camelCase")]
    Approved {
        device_id: CredentialId,
    },
    #[serde(rename_all = "camelCase")]
    Denied {
        device_id: CredentialId,
    },
    /// The device answered "approve" with a number other than the one shown.
    #[serde(rename_all = "camelCase")]
    WrongNumber {
        device_id: CredentialId,
    },
    #[serde(rename_all = "camelCase")]
    Reported {
        device_id: CredentialId,
    },
    Expired,
    /// The sign-in moved on (another method, abandoned) before an answer came.
    Cancelled,
}

impl ApprovalState {
    pub fn name(&self) -> &'static str {
        match self {
            ApprovalState::Pending => "pending",
            ApprovalState::Approved { .. } => "approved",
            ApprovalState::Denied { .. } => "denied",
            ApprovalState::WrongNumber { .. } => "wrongNumber",
            ApprovalState::Reported { .. } => "reported",
            ApprovalState::Expired => "expired",
            ApprovalState::Cancelled => "cancelled",
        }
    }
}

/// One push approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingApproval {
    pub id: ApprovalId,
    pub user_id: UserId,
    pub purpose: ApprovalPurpose,
    pub context: ApprovalContext,
    /// Shown only on the sign-in screen (or read out by the helpdesk agent).
    pub number: MatchNumber,
    pub nonce: Nonce,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub state: ApprovalState,
}

impl PendingApproval {
    /// Creates an approval expiring `lifetime` after `now`. Expiry is kept to whole
    /// seconds because the signed message carries Unix seconds.
    pub fn create<R: CryptoRng + ?Sized>(
        user_id: UserId,
        purpose: ApprovalPurpose,
        context: ApprovalContext,
        now: OffsetDateTime,
        lifetime: Duration,
        rng: &mut R,
    ) -> Self {
        let expires_at = now + lifetime;
        let expires_at = expires_at.replace_nanosecond(0).unwrap_or(expires_at);
        Self {
            id: ApprovalId::generate(rng),
            user_id,
            purpose,
            context,
            number: MatchNumber::generate(rng),
            nonce: Nonce::generate(rng),
            expires_at,
            state: ApprovalState::Pending,
        }
    }

    /// Still waiting for an answer at `now`.
    pub fn is_outstanding(&self, now: OffsetDateTime) -> bool {
        self.state == ApprovalState::Pending && now < self.expires_at
    }

    /// What a device is sent: everything needed to show and answer it, except the number.
    pub fn notice(&self) -> PushNotice {
        PushNotice {
            approval_id: self.id,
            purpose: match &self.purpose {
                ApprovalPurpose::SignIn { .. } => NoticePurpose::SignIn,
                ApprovalPurpose::HelpdeskVerification { .. } => NoticePurpose::HelpdeskVerification,
                ApprovalPurpose::PasswordlessSignIn { .. } => NoticePurpose::PasswordlessSignIn,
            },
            context: self.context.clone(),
            nonce: self.nonce.clone(),
            expires_at: self.expires_at,
        }
    }
}

/// The purpose as the device may see it (no correlation ids or agent names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NoticePurpose {
    SignIn,
    HelpdeskVerification,
    /// Passwordless sign-in: the app asks for its local unlock before approving.
    PasswordlessSignIn,
}

/// A push as delivered to the app over the event stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushNotice {
    pub approval_id: ApprovalId,
    pub purpose: NoticePurpose,
    pub context: ApprovalContext,
    pub nonce: Nonce,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}
