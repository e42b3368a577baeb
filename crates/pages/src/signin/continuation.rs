//! What the protocol that sent the browser to `/signin` asked for (TEAM_RULES §11):
//! `return_to`, `app` (the Conditional Access target) and `acr` (an authentication
//! context, `c1`…`c25`). They ride along as hidden fields on every step's form;
//! `app` and `acr` are fixed into the transaction at its start, and `return_to` is
//! validated again when the sign-in completes, so tampering mid-flow gains nothing.

use axum::http::StatusCode;
use portcullis_service::signin::TargetApplication;
use serde::Deserialize;

use crate::kit::PageError;

/// The continuation parameters, as they arrive (query or hidden fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Continuation {
    #[serde(default)]
    pub return_to: String,
    #[serde(default)]
    pub app: String,
    #[serde(default)]
    pub acr: String,
}

/// Whether `acr` names an authentication context: `c1` … `c25`.
pub fn is_authentication_context(acr: &str) -> bool {
    acr.strip_prefix('c')
        .filter(|n| !n.starts_with('0'))
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| (1..=25).contains(&n))
}

impl Continuation {
    /// Checks `app` and `acr` (`return_to` needs the store: see `kit::return_to`).
    pub fn check(&self) -> Result<(), PageError> {
        let app_ok = self.app.is_empty() || portcullis_core::ClientId::parse(&self.app).is_ok();
        let acr_ok = self.acr.is_empty() || is_authentication_context(&self.acr);
        if app_ok && acr_ok {
            Ok(())
        } else {
            Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "Sign-in request not valid",
                "The application that sent you here asked for a sign-in Portcullis cannot \
                 perform (an unknown application or authentication context).",
            )
            .with_code(90100))
        }
    }

    /// The Conditional Access target: the named application, else Portcullis itself.
    pub fn application(&self) -> TargetApplication {
        if self.app.is_empty() {
            TargetApplication::Portal
        } else {
            TargetApplication::Client(self.app.clone())
        }
    }

    pub fn authentication_context(&self) -> Option<String> {
        (!self.acr.is_empty()).then(|| self.acr.clone())
    }

    /// Whether the caller asked for anything beyond a plain sign-in to Portcullis.
    pub fn asks_for_more(&self) -> bool {
        !self.app.is_empty() || !self.acr.is_empty()
    }

    /// `/signin?…` carrying these parameters (to start over).
    pub fn signin_href(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("return_to", &self.return_to),
            ("app", &self.app),
            ("acr", &self.acr),
        ] {
            if !value.is_empty() {
                query.append_pair(key, value);
            }
        }
        let query = query.finish();
        if query.is_empty() {
            "/signin".to_owned()
        } else {
            format!("/signin?{query}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authentication_contexts_are_c1_to_c25() {
        for ok in ["c1", "c9", "c10", "c25"] {
            assert!(is_authentication_context(ok), "{ok}");
        }
        for bad in ["c0", "c26", "c01", "C1", "c", "1", "c1 ", "c-1", "c255"] {
            assert!(!is_authentication_context(bad), "{bad}");
        }
    }

    #[test]
    fn unknown_shapes_are_refused() {
        let bad_app = Continuation {
            app: "not-a-guid".into(),
            ..Default::default()
        };
        assert!(bad_app.check().is_err());
        let good = Continuation {
            app: "00000000-0000-0000-0000-000000000001".into(),
            acr: "c3".into(),
            return_to: "/x".into(),
        };
        assert!(good.check().is_ok());
        assert_eq!(
            good.signin_href(),
            "/signin?return_to=%2Fx&app=00000000-0000-0000-0000-000000000001&acr=c3"
        );
    }
}
