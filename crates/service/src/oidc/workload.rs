//! Client credentials for workload identities: the existing admin token service issues
//! the token; Conditional Access judges the service principal first (policies with
//! `clientApplications` conditions), and the service-principal sign-in is logged
//! before the answer.

use portcullis_core::ids::time_ordered_uuid;
use portcullis_core::signin::{ConditionalAccessStatus, SignInStatus};
use portcullis_core::{SignIn, SignInId};
use portcullis_policy::evaluate::{self, Outcome, SignInContext, SignInIdentity, SignInTarget};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::OidcProvider;
use super::issue::RequestMeta;
use crate::tokens::access_token::ADMIN_API_AUDIENCE;
use crate::tokens::grant::{GrantError, IssuedToken};

/// Conditional Access blocked the workload identity (Entra's code).
const BLOCKED_BY_POLICY: i32 = 53003;

impl OidcProvider {
    /// RFC 6749 §4.4 with Conditional Access for workload identities and a durable
    /// service-principal sign-in log entry.
    pub async fn client_credentials(
        &self,
        client_id: &str,
        client_secret: &str,
        scope: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<IssuedToken, GrantError> {
        self.services.maintain_signing_keys_if_due().await;
        // The application comes with the authentication: one read, not two.
        let grant = self
            .services
            .client_credentials_for(client_id, client_secret, scope)
            .await?;
        let (issued, application) = (grant.issued, grant.application);
        // Only applications that are usable OAuth clients (not forward-auth ones, not
        // registrations whose settings no longer validate), as `OidcProvider::client`.
        if let Err(error) =
            portcullis_oidc::application::client_config_from_application(&application)
        {
            tracing::info!(client_id, %error, "application is not a usable OAuth client");
            return Err(GrantError::InvalidClient);
        }
        // At the version read with the client: no second read of it.
        let policy = self
            .signin
            .policy_at(grant.policy_version)
            .await
            .map_err(|e| GrantError::Internal(e.to_string()))?;
        let now = OffsetDateTime::now_utc();
        let input = SignInContext {
            identity: SignInIdentity::ServicePrincipal {
                id: application.id.to_string(),
            },
            target: SignInTarget::Application {
                app_id: ADMIN_API_AUDIENCE.to_owned(),
            },
            client_app_type: None,
            device_platform: None,
            ip_address: meta.ip_address,
            country: None,
            gps_country: None,
            device: None,
            sign_in_risk_level: None,
            user_risk_level: None,
            insider_risk_level: None,
            service_principal_risk_level: None,
            authentication_flow: None,
            session: Default::default(),
            facts: Default::default(),
            now,
        };
        let decision = evaluate::evaluate(&policy.conditional_access, &input);
        // A workload cannot satisfy MFA or any other interactive control: anything but
        // Allow refuses the token (never a silent pass).
        let allowed = matches!(decision.outcome, Outcome::Allow { .. });
        let ca_status = match decision.conditional_access_status {
            evaluate::ConditionalAccessStatus::Success => ConditionalAccessStatus::Success,
            evaluate::ConditionalAccessStatus::Failure => ConditionalAccessStatus::Failure,
            evaluate::ConditionalAccessStatus::NotApplied => ConditionalAccessStatus::NotApplied,
        };
        let mut extra = Map::new();
        extra.insert("signInEventTypes".into(), json!(["servicePrincipal"]));
        extra.insert(
            "servicePrincipalId".into(),
            json!(application.id.to_string()),
        );
        extra.insert(
            "servicePrincipalName".into(),
            json!(application.display_name),
        );
        extra.insert("resourceId".into(), json!(ADMIN_API_AUDIENCE));
        let record = SignIn {
            id: SignInId::from_uuid(time_ordered_uuid(now, rand::random())),
            created_date_time: now,
            correlation_id: None,
            user_id: None,
            user_principal_name: None,
            user_display_name: None,
            app_id: Some(application.app_id.to_string()),
            app_display_name: Some(application.display_name.clone()),
            ip_address: meta.ip_address.map(|ip| ip.to_string()),
            client_app_used: None,
            user_agent: meta.user_agent.clone(),
            is_interactive: false,
            status: if allowed {
                SignInStatus::success()
            } else {
                SignInStatus {
                    error_code: BLOCKED_BY_POLICY,
                    failure_reason: Some(
                        "Access has been blocked by Conditional Access policies.".into(),
                    ),
                    additional_details: None,
                }
            },
            conditional_access_status: ca_status,
            applied_conditional_access_policies: serde_json::to_value(
                &decision.applied_conditional_access_policies,
            )
            .unwrap_or(Value::Array(Vec::new())),
            risk_level_during_sign_in: None,
            risk_level_aggregated: None,
            risk_state: None,
            risk_detail: None,
            location: None,
            device_detail: None,
            authentication_details: Value::Array(Vec::new()),
            authentication_requirement: Some("singleFactorAuthentication".into()),
            extra,
        };
        // Through the group committer: under load many grants share one commit.
        self.signin
            .append_log_entries(vec![portcullis_store::LoggedSignIn {
                record,
                evaluation_input: None,
            }])
            .await
            .map_err(|e| GrantError::Internal(e.to_string()))?;
        if !allowed {
            return Err(GrantError::Blocked(
                "access for this workload identity is blocked by Conditional Access".into(),
            ));
        }
        Ok(issued)
    }
}
