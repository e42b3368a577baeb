//! `authorize` with an SSO session: Conditional Access for this client over what the
//! session proved (step-up when `acr_values` names an authentication context the session
//! has not met), then a code.

use portcullis_oidc::acr::AcrValue;

use super::OidcProvider;
use super::clients::RegisteredClient;
use super::codes::is_context;
use super::error::OidcError;
use super::issue::RequestMeta;
use super::judge::{AuthorizationVerdict, IssuanceKind, Judgement, SessionSnapshot};
use crate::sessions::ActiveSession;

impl OidcProvider {
    /// What a validated session proved, as issuance needs it.
    pub fn snapshot(session: &ActiveSession) -> SessionSnapshot {
        SessionSnapshot {
            user_id: session.session.user_id.clone(),
            session_id: Some(session.session.id.to_string()),
            authenticated_at: session.session.authenticated_date_time,
            methods: session.methods.clone(),
            amr: session.session.amr.clone(),
            acr: session.session.acr.clone(),
        }
    }

    /// The authentication context asked for, if any: the first `c1`…`c25` of
    /// `acr_values` (other values, such as strengths' names, are informative only).
    pub fn requested_context(acr_values: &[AcrValue]) -> Option<String> {
        acr_values
            .iter()
            .map(AcrValue::as_claim)
            .find(|value| is_context(value))
    }

    /// Judges the session for this client (and context) and logs the interactive
    /// sign-in; `Allow` means a code may be issued now.
    pub async fn judge_authorization(
        &self,
        client: &RegisteredClient,
        session: &SessionSnapshot,
        authentication_context: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<AuthorizationVerdict, OidcError> {
        self.judge(&Judgement {
            client,
            session,
            kind: IssuanceKind::Authorize,
            authentication_context,
            ip_address: meta.ip_address,
            user_agent: meta.user_agent.as_deref(),
        })
        .await
    }
}
