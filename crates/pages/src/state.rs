//! What the page handlers reach.

use axum::extract::FromRef;
use portcullis_service::security_info::{ContactCodes, SecurityInfoService, SecurityInfoSettings};
use portcullis_web::AppState;

use crate::kit::Kit;

/// Handler state: the application's state and the kit.
#[derive(Clone)]
pub struct PagesState {
    pub app: AppState,
    pub kit: Kit,
    /// `None` when the public URL cannot be a WebAuthn relying party (logged at start);
    /// the security-info pages then answer with the error page.
    pub security_info: Option<SecurityInfoService>,
}

impl PagesState {
    pub fn new(app: AppState) -> Self {
        let kit = Kit::new(&app);
        let security_info = SecurityInfoSettings::for_public_url(app.base_url())
            .and_then(|settings| SecurityInfoService::new(app.services.clone(), settings))
            .map(|service| {
                let (sender, policy) = app.signin.one_time_codes();
                service.with_contact_codes(ContactCodes { sender, policy })
            })
            .map_err(|error| tracing::error!(%error, "My security info is unavailable"))
            .ok();
        PagesState {
            app,
            kit,
            security_info,
        }
    }
}

impl FromRef<PagesState> for Kit {
    fn from_ref(state: &PagesState) -> Self {
        state.kit.clone()
    }
}

impl FromRef<PagesState> for AppState {
    fn from_ref(state: &PagesState) -> Self {
        state.app.clone()
    }
}

impl FromRef<PagesState> for portcullis_web::client_ip::TrustedProxies {
    fn from_ref(state: &PagesState) -> Self {
        state.app.trusted_proxies.clone()
    }
}
