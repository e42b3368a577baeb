//! What the page handlers reach.

use axum::extract::FromRef;
use portcullis_web::AppState;

use crate::kit::Kit;

/// Handler state: the application's state and the kit.
#[derive(Clone)]
pub struct PagesState {
    pub app: AppState,
    pub kit: Kit,
}

impl PagesState {
    pub fn new(app: AppState) -> Self {
        let kit = Kit::new(&app);
        PagesState { app, kit }
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
