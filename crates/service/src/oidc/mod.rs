//! The OpenID Connect / OAuth 2.0 provider: the I/O glue around the pure protocol rules
//! of `portcullis-oidc`. Knows nothing of HTTP: the web layer hands in parameters,
//! header values and the caller's address, and gets protocol answers back.
//!
//! * Codes, device codes, assertion ids and refresh-family facts live in the store's
//!   OAuth state (compare-and-set: a code is redeemed once on any node).
//! * Refresh tokens use the store's refresh-token table (atomic use; reuse revokes the
//!   family; an admin's "revoke sessions" revokes them too).
//! * Every issuance to a user is judged by Conditional Access through the sign-in
//!   service's policy ([`judge`]) and writes its sign-in log entry before answering.

mod authorize;
mod clients;
mod codes;
mod device;
pub mod error;
pub(crate) mod family_facts;
mod issue;
pub mod judge;
mod refresh;
pub mod resource;
pub mod signing;
mod state;
mod workload;

use std::sync::Arc;

use portcullis_oidc::refresh::RefreshPolicy;

pub use clients::RegisteredClient;
pub use device::{DeviceCodeApproval, DeviceDecisionOutcome};
pub use error::OidcError;
pub use issue::RequestMeta;
pub use judge::{AuthorizationVerdict, SessionSnapshot};
pub use resource::UserInfoError;
pub use signing::TokenCheckError;
pub use signing::VerifiedIdTokenHint;

use crate::services::Services;
use crate::sessions::SessionService;
use crate::signin::SignInService;

/// Lifetimes of what the provider issues.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub id_token_lifetime_secs: i64,
    pub access_token_lifetime_secs: i64,
    pub refresh: RefreshPolicy,
}

impl Default for OidcSettings {
    fn default() -> Self {
        OidcSettings {
            id_token_lifetime_secs: 3600,
            access_token_lifetime_secs: 3600,
            refresh: RefreshPolicy::default(),
        }
    }
}

/// The provider. Cheap to clone.
#[derive(Clone)]
pub struct OidcProvider {
    pub(crate) services: Services,
    pub(crate) signin: SignInService,
    pub(crate) settings: Arc<OidcSettings>,
}

impl OidcProvider {
    pub fn new(services: Services, signin: SignInService, settings: OidcSettings) -> Self {
        OidcProvider {
            services,
            signin,
            settings: Arc::new(settings),
        }
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    pub fn sessions(&self) -> &SessionService {
        self.services.sessions()
    }

    /// The issuer (`iss`), which is also the base of every endpoint.
    pub fn issuer(&self) -> &str {
        self.services.issuer()
    }

    /// The token endpoint URL, the audience of `private_key_jwt` assertions.
    pub fn token_endpoint(&self) -> String {
        portcullis_oidc::discovery::Endpoints::under(self.issuer()).token
    }
}
