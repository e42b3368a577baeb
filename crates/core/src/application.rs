//! Applications: OIDC clients, forward-auth apps and automation clients.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{ApplicationId, ClientId, SecretId};
use crate::permission::AppPermission;
use crate::secret::SecretHash;

/// What an application is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ApplicationKind {
    /// An OpenID Connect / OAuth2 relying party.
    OidcClient,
    /// A web app protected through a reverse proxy's forward-auth call.
    ForwardAuth,
    /// A machine client using client credentials against the admin API.
    Automation,
}

impl ApplicationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationKind::OidcClient => "oidcClient",
            ApplicationKind::ForwardAuth => "forwardAuth",
            ApplicationKind::Automation => "automation",
        }
    }
}

/// A registered application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: ApplicationId,
    /// The OAuth2 `client_id` (Graph `appId`).
    pub app_id: ClientId,
    pub display_name: String,
    pub kind: ApplicationKind,
    /// Exact-match redirect URIs.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Graph application permissions granted to this app (its tokens' `roles`).
    #[serde(default)]
    pub granted_permissions: Vec<AppPermission>,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    /// Kind-specific settings (forward-auth host, PKCE requirements, …).
    #[serde(default)]
    pub settings: serde_json::Value,
}

fn enabled_by_default() -> bool {
    true
}

/// A client secret, stored only as its hash (Graph `passwordCredential` without `secretText`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSecret {
    pub key_id: SecretId,
    pub application_id: ApplicationId,
    pub display_name: String,
    /// The first characters of the secret, for telling secrets apart.
    pub hint: String,
    pub secret_hash: SecretHash,
    #[serde(with = "time::serde::rfc3339")]
    pub start_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub end_date_time: Option<OffsetDateTime>,
}

impl ApplicationSecret {
    /// Whether `candidate` is this secret and the secret is valid at `now`.
    /// The hash comparison is constant-time and always runs, so timing does not reveal
    /// whether the secret had expired.
    pub fn accepts(&self, candidate: &str, now: OffsetDateTime) -> bool {
        let matches = self.secret_hash.verify(candidate);
        let current = now >= self.start_date_time && self.end_date_time.is_none_or(|end| now < end);
        matches & current
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::generate_secret;
    use time::macros::datetime;

    #[test]
    fn secret_accepts_only_when_current_and_matching() {
        let generated = generate_secret("pcs_", [1; 32]);
        let secret = ApplicationSecret {
            key_id: SecretId::from_uuid(uuid::Uuid::nil()),
            application_id: ApplicationId::from_uuid(uuid::Uuid::nil()),
            display_name: "ci".into(),
            hint: generated.hint.clone(),
            secret_hash: generated.hash.clone(),
            start_date_time: datetime!(2026-01-01 0:00 UTC),
            end_date_time: Some(datetime!(2027-01-01 0:00 UTC)),
        };
        assert!(secret.accepts(&generated.plaintext, datetime!(2026-06-01 0:00 UTC)));
        assert!(!secret.accepts(&generated.plaintext, datetime!(2027-01-01 0:00 UTC)));
        assert!(!secret.accepts(&generated.plaintext, datetime!(2025-12-31 0:00 UTC)));
        assert!(!secret.accepts("pcs_other", datetime!(2026-06-01 0:00 UTC)));
        let json = serde_json::to_value(&secret).unwrap();
        assert!(json["secretHash"].as_str().unwrap().starts_with("sha256:"));
    }
}
