//! Conditional Access at every issuance to a user, and the sign-in log entry each
//! issuance writes before it is answered.
//!
//! No policy code lives here: the evaluator input is built by
//! `portcullis_signin::session_evaluation_context` (the mapping the sign-in pipeline and
//! forward-auth use) from the sign-in service's request context and user record, and the
//! policy set is the sign-in service's compiled one for the store's current version.

use std::net::IpAddr;

use portcullis_core::ids::time_ordered_uuid;
use portcullis_core::signin::{ConditionalAccessStatus, SignInStatus};
use portcullis_core::{
    Credential, DirectoryRole, GroupId, SignIn, SignInId, User, UserId, UserRisk,
};
use portcullis_oidc::{ClientType, ErrorCode, OAuthError};
use portcullis_policy::evaluate::{self, Outcome, RequiredControl, SessionState, UsedMethod};
use portcullis_policy::model::TransferMethod;
use portcullis_signin::{Protocol, RiskInput, UserRecord, session_evaluation_context};
use portcullis_store::{LoggedSignIn, StoredUserSignInState};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::OidcProvider;
use super::clients::RegisteredClient;
use super::error::OidcError;
use crate::signin::{SignInRequest, TargetApplication, UserFacts};

/// Risk of an issuance refused before Conditional Access: not read, so none shown.
static NO_RISK: RiskInput = RiskInput {
    sign_in_risk_level: None,
    sign_in_risk_reasons: Vec::new(),
    user_risk_level: None,
    user_risk_state: None,
    user_risk_detail: None,
    unfamiliar_sign_in_properties: false,
};

/// Entra's error codes, so a client (and an admin reading the log) can act on them.
mod code {
    /// Conditional Access blocked the access.
    pub const BLOCKED_BY_POLICY: i32 = 53003;
    /// Strong authentication (MFA or a strength) is required.
    pub const MFA_REQUIRED: i32 = 50076;
    /// Sign-in frequency: a fresh sign-in is required.
    pub const REAUTHENTICATION_REQUIRED: i32 = 70044;
    /// The account is disabled.
    pub const USER_DISABLED: i32 = 50057;
    /// The user no longer exists.
    pub const USER_NOT_FOUND: i32 = 50034;
    /// The session or grant was revoked (password changed, admin revoke, risk).
    pub const GRANT_REVOKED: i32 = 50173;
}

/// What the user proved in the session a token is issued from.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSnapshot {
    pub user_id: UserId,
    pub session_id: Option<String>,
    /// First-factor time (`auth_time`).
    pub authenticated_at: OffsetDateTime,
    /// Every method proven, with when (the evaluator's session state).
    pub methods: Vec<UsedMethod>,
    pub amr: Vec<String>,
    pub acr: Option<String>,
}

/// The kind of issuance, which decides what the user can still be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuanceKind {
    /// `authorize` with an SSO session: a missing control sends the browser to sign in.
    Authorize,
    /// Code redemption: judged at `authorize` already; logged here.
    CodeRedemption,
    Refresh,
    /// The user approving a device code on `/device` (interactive; the
    /// `authenticationFlows` condition applies).
    DeviceApproval,
    /// The device redeeming its approved code, and that family's refreshes.
    DeviceCode,
}

impl IssuanceKind {
    fn interactive(self) -> bool {
        matches!(self, IssuanceKind::Authorize | IssuanceKind::DeviceApproval)
    }

    fn device_flow(self) -> bool {
        matches!(
            self,
            IssuanceKind::DeviceApproval | IssuanceKind::DeviceCode
        )
    }
}

/// Conditional Access's answer for one issuance.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthorizationVerdict {
    /// Issue. `acr` is the authentication context satisfied (if one was asked for).
    Allow { acr: Option<String> },
    /// Interactive only: the user must sign in (again or with more); `acr` is the
    /// authentication context to step up to.
    SignIn { acr: Option<String> },
    /// Refuse with this protocol error.
    Deny(OAuthError),
}

/// One issuance to judge.
pub(crate) struct Judgement<'a> {
    pub client: &'a RegisteredClient,
    pub session: &'a SessionSnapshot,
    pub kind: IssuanceKind,
    pub authentication_context: Option<&'a str>,
    pub ip_address: Option<IpAddr>,
    pub user_agent: Option<&'a str>,
}

/// What the caller read about the user already (a refresh reads everything in one store
/// call for the session's posture, Conditional Access and the ID token), so the
/// judgement reads nothing.
pub(crate) struct KnownSubject {
    /// `None`: the user is deleted.
    pub user: Option<User>,
    pub credentials: Vec<Credential>,
    pub groups: Vec<GroupId>,
    pub roles: Vec<DirectoryRole>,
    pub sign_in_state: Option<StoredUserSignInState>,
    /// The user's risk as of the judgement.
    pub risk: UserRisk,
}

/// A judgement with its log entry, not yet committed.
pub(crate) struct Judged {
    pub verdict: AuthorizationVerdict,
    pub entry: LoggedSignIn,
    /// The user as Conditional Access saw them (`None`: deleted).
    pub user: Option<UserRecord>,
}

impl OidcProvider {
    /// Judges an issuance and writes its sign-in log entry (durable before return).
    pub(crate) async fn judge(
        &self,
        judgement: &Judgement<'_>,
    ) -> Result<AuthorizationVerdict, OidcError> {
        let judged = self.judge_unlogged(judgement, None).await?;
        self.append(judged.entry).await?;
        Ok(judged.verdict)
    }

    /// Judges an issuance and returns its sign-in log entry without committing it: the
    /// caller commits it before answering (a refresh commits it in one write with the
    /// token's rotation). `known`: the user as the caller read them (`None`: read here).
    pub(crate) async fn judge_unlogged(
        &self,
        judgement: &Judgement<'_>,
        known: Option<KnownSubject>,
    ) -> Result<Judged, OidcError> {
        let now = OffsetDateTime::now_utc();
        let client = judgement.client;
        let protocol = match client.config.client_type {
            ClientType::Public => Protocol::NativeApp,
            ClientType::Confidential => Protocol::Browser,
        };
        let mut request = SignInRequest::new(
            protocol,
            TargetApplication::Client(client.client_id().to_owned()),
            "",
        );
        request.ip_address = judgement.ip_address;
        request.user_agent = judgement.user_agent.map(str::to_owned);
        request.authentication_context = judgement.authentication_context.map(str::to_owned);
        // The client was read from the store by its authentication just before; an
        // application disabled meanwhile is refused by the reading path as before.
        let mut context = if client.application.enabled {
            self.signin.request_context_for_application(
                &request,
                client.application.app_id.to_string(),
                client.application.display_name.clone(),
            )
        } else {
            self.signin.request_context(&request).await
        }
        .map_err(|e| OidcError::internal("sign-in request context", e))?;
        if judgement.kind.device_flow() {
            context.authentication_flow = Some(TransferMethod::DeviceCodeFlow);
        }
        let (user, known_risk) = match known {
            Some(KnownSubject {
                user: Some(user),
                credentials,
                groups,
                roles,
                sign_in_state,
                risk,
            }) => (
                Some(
                    self.signin
                        .user_record_from(
                            UserFacts {
                                user,
                                credentials,
                                groups,
                                roles,
                            },
                            sign_in_state,
                            &context,
                        )
                        .map_err(|e| OidcError::internal("user record", e))?,
                ),
                Some(risk),
            ),
            Some(KnownSubject { user: None, .. }) => (None, None),
            None => (
                self.signin
                    .user_record(&judgement.session.user_id, &context)
                    .await
                    .map_err(|e| OidcError::internal("user record", e))?,
                None,
            ),
        };
        let Some(user) = user else {
            let error = OAuthError::invalid_grant("the user no longer exists; sign in again");
            let entry = self.log_entry(
                judgement,
                None,
                code::USER_NOT_FOUND,
                Some(&error.description),
                None,
                now,
            );
            return Ok(Judged {
                verdict: AuthorizationVerdict::Deny(error),
                entry,
                user: None,
            });
        };
        if !user.account_enabled {
            let error = OAuthError::invalid_grant("the user's account is disabled");
            let entry = self.log_entry(
                judgement,
                Some(&user.user_principal_name),
                code::USER_DISABLED,
                Some(&error.description),
                None,
                now,
            );
            return Ok(Judged {
                verdict: AuthorizationVerdict::Deny(error),
                entry,
                user: Some(user),
            });
        }
        // User risk for `userRiskLevels` conditions, read afresh at every issuance (by
        // the caller, or here).
        match known_risk {
            Some(risk) => crate::risk::apply_user_risk(&risk, &mut context.risk),
            None => {
                crate::risk::load_user_risk(
                    self.services.store.as_ref(),
                    &judgement.session.user_id,
                    &mut context.risk,
                    now,
                )
                .await?
            }
        }
        // At the version read with the client by this request: no second read.
        let policy = self.signin.policy_at(client.policy_version).await?;
        let session_state = SessionState {
            authenticated_at: Some(judgement.session.authenticated_at),
            methods: judgement.session.methods.clone(),
        };
        let input = session_evaluation_context(
            &context,
            &policy.environment(),
            &user,
            &session_state,
            false,
            context.target.clone(),
            now,
        );
        let decision = evaluate::evaluate(&policy.conditional_access, &input);
        let applied = serde_json::to_value(&decision.applied_conditional_access_policies)
            .unwrap_or(Value::Array(Vec::new()));
        let ca_status = match decision.conditional_access_status {
            evaluate::ConditionalAccessStatus::Success => ConditionalAccessStatus::Success,
            evaluate::ConditionalAccessStatus::Failure => ConditionalAccessStatus::Failure,
            evaluate::ConditionalAccessStatus::NotApplied => ConditionalAccessStatus::NotApplied,
        };
        let interactive = judgement.kind.interactive();
        let (verdict, error_code) = match &decision.outcome {
            Outcome::Allow { .. } => (
                AuthorizationVerdict::Allow {
                    acr: judgement.authentication_context.map(str::to_owned),
                },
                0,
            ),
            Outcome::NeedsControls { .. } if interactive => (
                AuthorizationVerdict::SignIn {
                    acr: judgement.authentication_context.map(str::to_owned),
                },
                code::MFA_REQUIRED,
            ),
            Outcome::NeedsControls { alternatives, .. } => {
                let needs_fresh_sign_in = alternatives
                    .iter()
                    .any(|a| a.controls.contains(&RequiredControl::Reauthentication));
                let description = if needs_fresh_sign_in {
                    "sign-in frequency: Conditional Access requires the user to sign in again (interaction_required)"
                } else {
                    "Conditional Access requires stronger authentication than this grant carries; sign the user in again (interaction_required)"
                };
                (
                    AuthorizationVerdict::Deny(OAuthError::invalid_grant(description)),
                    if needs_fresh_sign_in {
                        code::REAUTHENTICATION_REQUIRED
                    } else {
                        code::MFA_REQUIRED
                    },
                )
            }
            Outcome::Block { .. } => {
                let error = if interactive {
                    OAuthError::new(
                        ErrorCode::AccessDenied,
                        "access to this application is blocked by Conditional Access",
                    )
                } else {
                    OAuthError::invalid_grant(
                        "access to this application is blocked by Conditional Access",
                    )
                };
                (AuthorizationVerdict::Deny(error), code::BLOCKED_BY_POLICY)
            }
        };
        let details = match &verdict {
            AuthorizationVerdict::Deny(e) => Some(e.description.clone()),
            AuthorizationVerdict::SignIn { .. } => {
                Some("the session does not satisfy Conditional Access; sign-in required".into())
            }
            AuthorizationVerdict::Allow { .. } => None,
        };
        let entry = self.log_entry(
            judgement,
            Some(&user.user_principal_name),
            error_code,
            details.as_deref(),
            Some((ca_status, applied, &context.risk)),
            now,
        );
        Ok(Judged {
            verdict,
            entry,
            user: Some(user),
        })
    }

    /// A refusal decided before Conditional Access (revoked grant, session gone), logged
    /// like any other issuance attempt.
    pub(crate) async fn log_refusal(
        &self,
        judgement: &Judgement<'_>,
        error: &OAuthError,
    ) -> Result<(), OidcError> {
        let entry = self.log_entry(
            judgement,
            None,
            code::GRANT_REVOKED,
            Some(&error.description),
            None,
            OffsetDateTime::now_utc(),
        );
        self.append(entry).await
    }

    /// Commits one issuance's log entry (durable on return).
    pub(crate) async fn append(&self, entry: LoggedSignIn) -> Result<(), OidcError> {
        // Through the group committer: under load many issuances share one commit.
        self.signin.append_log_entries(vec![entry]).await?;
        Ok(())
    }

    fn log_entry(
        &self,
        judgement: &Judgement<'_>,
        user_principal_name: Option<&str>,
        error_code: i32,
        details: Option<&str>,
        conditional_access: Option<(ConditionalAccessStatus, Value, &RiskInput)>,
        now: OffsetDateTime,
    ) -> LoggedSignIn {
        let client = judgement.client;
        // The user's risk is known once Conditional Access ran (it was judged on it).
        let (ca_status, applied, risk) = conditional_access.unwrap_or((
            ConditionalAccessStatus::NotApplied,
            Value::Array(Vec::new()),
            &NO_RISK,
        ));
        let status = if error_code == 0 {
            SignInStatus::success()
        } else {
            SignInStatus {
                error_code,
                failure_reason: details.map(str::to_owned),
                additional_details: None,
            }
        };
        let mut extra = Map::new();
        extra.insert(
            "signInEventTypes".into(),
            json!([if judgement.kind.interactive() {
                "interactiveUser"
            } else {
                "nonInteractiveUser"
            }]),
        );
        extra.insert(
            "authenticationProtocol".into(),
            json!(if judgement.kind.device_flow() {
                "deviceCode"
            } else {
                "none"
            }),
        );
        extra.insert(
            "originalTransferMethod".into(),
            json!(if judgement.kind.device_flow() {
                "deviceCodeFlow"
            } else {
                "none"
            }),
        );
        extra.insert("tokenIssuerType".into(), json!("AzureAD"));
        extra.insert(
            "incomingTokenType".into(),
            json!(match judgement.kind {
                IssuanceKind::Refresh => "refreshToken",
                IssuanceKind::CodeRedemption => "authorizationCode",
                IssuanceKind::DeviceCode => "deviceCode",
                IssuanceKind::Authorize | IssuanceKind::DeviceApproval => "none",
            }),
        );
        if let Some(session) = &judgement.session.session_id {
            extra.insert("sessionId".into(), json!(session));
        }
        let record = SignIn {
            id: SignInId::from_uuid(time_ordered_uuid(now, rand::random())),
            created_date_time: now,
            correlation_id: None,
            user_id: Some(judgement.session.user_id.clone()),
            user_principal_name: user_principal_name.map(str::to_owned),
            user_display_name: None,
            app_id: Some(client.client_id().to_owned()),
            app_display_name: Some(client.application.display_name.clone()),
            ip_address: judgement.ip_address.map(|ip| ip.to_string()),
            client_app_used: Some(
                match client.config.client_type {
                    ClientType::Public => "Mobile Apps and Desktop clients",
                    ClientType::Confidential => "Browser",
                }
                .to_owned(),
            ),
            user_agent: judgement.user_agent.map(str::to_owned),
            is_interactive: judgement.kind.interactive(),
            status,
            conditional_access_status: ca_status,
            applied_conditional_access_policies: applied,
            risk_level_during_sign_in: Some("none".into()),
            risk_level_aggregated: risk
                .user_risk_level
                .as_ref()
                .map(|level| level.as_str().to_owned()),
            risk_state: Some(
                risk.user_risk_state
                    .clone()
                    .unwrap_or_else(|| "none".into()),
            ),
            risk_detail: Some(
                risk.user_risk_detail
                    .clone()
                    .unwrap_or_else(|| "none".into()),
            ),
            location: None,
            device_detail: None,
            authentication_details: Value::Array(Vec::new()),
            authentication_requirement: Some(
                if judgement.session.amr.iter().any(|m| m == "mfa") {
                    "multiFactorAuthentication"
                } else {
                    "singleFactorAuthentication"
                }
                .to_owned(),
            ),
            extra,
        };
        LoggedSignIn {
            record,
            evaluation_input: None,
        }
    }
}
