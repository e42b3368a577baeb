//! The first Global Administrator: a one-time link printed at first start (or by
//! `portcullis bootstrap`), and the offline bootstrap that also creates an automation
//! application with client credentials.

use portcullis_core::audit::category;
use portcullis_core::{
    AppPermission, Application, ApplicationId, ApplicationKind, ApplicationSecret, ClientId,
    Credential, CredentialId, CredentialKind, DirectoryRole, Principal, RoleAssignment,
    RoleAssignmentId, SecretHash, SecretId, User, UserId, UserType,
};
use portcullis_store::{Batch, Change, RoleAssignmentFilter};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::secrets::new_secret;
use crate::services::{Services, audit_record, target};

/// Setting holding the pending bootstrap link (its hash, never the token).
pub const BOOTSTRAP_LINK_SETTING: &str = "bootstrap.link";
/// How long a bootstrap link stays valid.
pub const BOOTSTRAP_LINK_LIFETIME: time::Duration = time::Duration::hours(24);
/// The path the link points at.
pub const BOOTSTRAP_PATH: &str = "/bootstrap";
/// Shortest password accepted for the first administrator.
pub const MIN_PASSWORD_LEN: usize = 12;
/// The administrator created by `portcullis bootstrap` unless told otherwise.
pub const DEFAULT_ADMIN_UPN: &str = "admin@portcullis.local";

/// The Graph app roles of the automation application: enough to manage the directory,
/// users' authentication methods (onboarding: contact methods, Temporary Access Passes),
/// policies and role assignments and to read the audit log.
pub const AUTOMATION_PERMISSIONS: &[AppPermission] = &[
    AppPermission::DirectoryReadWriteAll,
    AppPermission::UserReadWriteAll,
    AppPermission::GroupReadWriteAll,
    AppPermission::RoleManagementReadWriteDirectory,
    AppPermission::PolicyReadAll,
    AppPermission::PolicyReadWriteConditionalAccess,
    AppPermission::PolicyReadWriteAuthenticationMethod,
    AppPermission::AuditLogReadAll,
    AppPermission::UserAuthenticationMethodReadWriteAll,
    // `portcullis apps …` with the bootstrap credentials (not privileged apps: granting
    // permissions stays with roles that may grant them).
    AppPermission::ApplicationReadWriteAll,
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingLink {
    hash: SecretHash,
    expires_at: i64,
    /// Set when the administrator already exists (offline bootstrap): the link then
    /// only sets that user's password.
    user_id: Option<UserId>,
}

/// What `portcullis bootstrap` creates.
#[derive(Debug, Clone)]
pub struct BootstrapOutcome {
    pub admin_user_principal_name: String,
    pub sign_in_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub token_endpoint: String,
}

/// The form submitted from the bootstrap page.
#[derive(Debug, Clone)]
pub struct BootstrapForm {
    pub token: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub password: String,
}

impl Services {
    /// Whether any principal holds Global Administrator.
    pub async fn global_admin_exists(&self) -> ServiceResult<bool> {
        let assignments = self
            .store
            .list_role_assignments(&RoleAssignmentFilter {
                principal: None,
                role: Some(DirectoryRole::GlobalAdministrator),
            })
            .await?;
        Ok(!assignments.is_empty())
    }

    /// At first start (no Global Administrator yet), creates a fresh one-time link and
    /// returns it; `None` once an administrator exists. Each call replaces the previous
    /// link, so only the most recently printed one works.
    pub async fn first_start_link(&self) -> ServiceResult<Option<String>> {
        if self.global_admin_exists().await? {
            return Ok(None);
        }
        let link = self
            .issue_link(None, "Create first administrator link")
            .await?;
        Ok(Some(link))
    }

    async fn issue_link(&self, user_id: Option<UserId>, activity: &str) -> ServiceResult<String> {
        let secret = new_secret("pcb_")?;
        let pending = PendingLink {
            hash: secret.hash.clone(),
            expires_at: (OffsetDateTime::now_utc() + BOOTSTRAP_LINK_LIFETIME).unix_timestamp(),
            user_id,
        };
        let value =
            serde_json::to_value(&pending).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let caller = Caller::system("Portcullis bootstrap");
        let audit =
            audit_record(&caller, category::ROLE_MANAGEMENT, activity, "Add").with_target(target(
                "Directory",
                BOOTSTRAP_LINK_SETTING,
                Some("one-time administrator link"),
            ));
        self.store
            .commit(Batch::single(
                Change::PutSetting {
                    key: BOOTSTRAP_LINK_SETTING.to_owned(),
                    value,
                },
                audit,
            ))
            .await?;
        Ok(format!(
            "{}{BOOTSTRAP_PATH}?token={}",
            self.settings.public_url, secret.plaintext
        ))
    }

    async fn pending_link(&self, token: &str) -> ServiceResult<PendingLink> {
        let refused =
            || ServiceError::Invalid("this bootstrap link is invalid, used or expired".into());
        let value = self
            .store
            .get_setting(BOOTSTRAP_LINK_SETTING)
            .await?
            .ok_or_else(refused)?;
        let pending: PendingLink = serde_json::from_value(value).map_err(|_| refused())?;
        let matches = pending.hash.verify(token);
        if !matches || pending.expires_at < OffsetDateTime::now_utc().unix_timestamp() {
            return Err(refused());
        }
        Ok(pending)
    }

    /// Checks a link without using it (to decide whether to show the form).
    pub async fn bootstrap_link_is_valid(&self, token: &str) -> bool {
        self.pending_link(token).await.is_ok()
    }

    /// For a valid link from `portcullis bootstrap`, the administrator whose password it
    /// sets (the page then shows that name instead of asking for one).
    pub async fn bootstrap_link_user(&self, token: &str) -> ServiceResult<Option<User>> {
        match self.pending_link(token).await?.user_id {
            Some(id) => Ok(Some(self.store.get_user(&id).await?)),
            None => Ok(None),
        }
    }

    /// Redeems the one-time link: creates the first Global Administrator (or, for a link
    /// from `portcullis bootstrap`, sets that administrator's password). Single use: the
    /// link is deleted in the same transaction, and a deterministic assignment id makes
    /// a concurrent second redemption conflict instead of creating a second admin.
    pub async fn redeem_bootstrap(
        &self,
        form: BootstrapForm,
        ip_address: Option<String>,
    ) -> ServiceResult<User> {
        let pending = self.pending_link(&form.token).await?;
        if form.password.chars().count() < MIN_PASSWORD_LEN {
            return Err(ServiceError::Invalid(format!(
                "the password must have at least {MIN_PASSWORD_LEN} characters"
            )));
        }
        let now = OffsetDateTime::now_utc();
        let (user, mut batch) = match pending.user_id {
            Some(id) => (self.store.get_user(&id).await?, Batch::new()),
            None => {
                if self.global_admin_exists().await? {
                    return Err(ServiceError::Conflict(
                        "a Global Administrator already exists".into(),
                    ));
                }
                portcullis_core::user::validate_upn(&form.user_principal_name)
                    .map_err(|e| ServiceError::Invalid(e.to_string()))?;
                let display_name = if form.display_name.trim().is_empty() {
                    "Administrator".to_owned()
                } else {
                    form.display_name.trim().to_owned()
                };
                let user = new_user(&form.user_principal_name, &display_name, now);
                let batch = Batch::new()
                    .change(Change::CreateUser(user.clone()))
                    .change(Change::AssignRole(RoleAssignment {
                        id: assignment_id_for(&pending.hash),
                        principal: Principal::User(user.id.clone()),
                        role: DirectoryRole::GlobalAdministrator,
                        directory_scope_id: "/".to_owned(),
                        created_date_time: now,
                    }));
                (user, batch)
            }
        };
        // The first administrator's password follows the same rules as any other
        // (common list, banned words, their own names), checked once the name is known.
        let password_hash = self
            .checked_password_hash(
                "password",
                &user.user_principal_name,
                &user.display_name,
                &form.password,
            )
            .await?;
        let caller = Caller::user(&user.id, &user.user_principal_name, ip_address);
        batch = batch
            .change(Change::AddCredential(password_credential(
                &user.id,
                &password_hash,
                now,
            )))
            .change(Change::DeleteSetting {
                key: BOOTSTRAP_LINK_SETTING.to_owned(),
            })
            .audit(
                audit_record(
                    &caller,
                    category::ROLE_MANAGEMENT,
                    "Complete first administrator setup",
                    "Assign",
                )
                .with_target(user_target(&user)),
            );
        self.store.commit(batch).await?;
        Ok(user)
    }

    /// `portcullis bootstrap`: creates (or, with `recover`, re-enables access for) the
    /// administrator `admin_upn` as Global Administrator, an automation application with
    /// a client secret and [`AUTOMATION_PERMISSIONS`], and a one-time link to set the
    /// administrator's password. Refused when an administrator exists unless `recover`;
    /// recovery is audited as such.
    pub async fn offline_bootstrap(
        &self,
        admin_upn: &str,
        recover: bool,
    ) -> ServiceResult<BootstrapOutcome> {
        let admin_exists = self.global_admin_exists().await?;
        if admin_exists && !recover {
            return Err(ServiceError::Conflict(
                "a Global Administrator already exists; run with --recover to regain access (audited)".into(),
            ));
        }
        portcullis_core::user::validate_upn(admin_upn)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let now = OffsetDateTime::now_utc();
        let caller = Caller::system(if recover {
            "portcullis bootstrap --recover"
        } else {
            "portcullis bootstrap"
        });
        let mut batch = Batch::new();
        let user = match self.store.find_user_by_upn(admin_upn).await? {
            Some(mut existing) => {
                if !existing.account_enabled {
                    existing.account_enabled = true;
                    batch = batch.change(Change::UpdateUser(existing.clone()));
                }
                existing
            }
            None => {
                let user = new_user(admin_upn, "Administrator", now);
                batch = batch.change(Change::CreateUser(user.clone()));
                user
            }
        };
        let holds_admin = self
            .store
            .effective_roles_of_user(&user.id)
            .await
            .map(|roles| roles.contains(&DirectoryRole::GlobalAdministrator))
            .unwrap_or(false);
        if !holds_admin {
            batch = batch.change(Change::AssignRole(RoleAssignment {
                id: RoleAssignmentId::from_uuid(Uuid::new_v4()),
                principal: Principal::User(user.id.clone()),
                role: DirectoryRole::GlobalAdministrator,
                directory_scope_id: "/".to_owned(),
                created_date_time: now,
            }));
        }
        let application = Application {
            id: ApplicationId::from_uuid(Uuid::new_v4()),
            app_id: ClientId::from_uuid(Uuid::new_v4()),
            display_name: "Portcullis automation".to_owned(),
            kind: ApplicationKind::Automation,
            redirect_uris: Vec::new(),
            granted_permissions: AUTOMATION_PERMISSIONS.to_vec(),
            enabled: true,
            created_date_time: now,
            settings: Value::Null,
        };
        let secret = new_secret("pcs_")?;
        let activity = if recover {
            "Recover administrator access"
        } else {
            "Bootstrap first administrator"
        };
        batch = batch
            .change(Change::CreateApplication(application.clone()))
            .change(Change::AddApplicationSecret(ApplicationSecret {
                key_id: SecretId::from_uuid(Uuid::new_v4()),
                application_id: application.id.clone(),
                display_name: "bootstrap".to_owned(),
                hint: secret.hint.clone(),
                secret_hash: secret.hash.clone(),
                start_date_time: now,
                end_date_time: None,
            }))
            .audit(
                audit_record(&caller, category::ROLE_MANAGEMENT, activity, "Assign")
                    .with_target(user_target(&user))
                    .with_target(target(
                        "App",
                        application.app_id.as_str(),
                        Some(&application.display_name),
                    ))
                    .with_detail("recover", if recover { "true" } else { "false" }),
            );
        self.store.commit(batch).await?;
        let sign_in_url = self
            .issue_link(Some(user.id.clone()), "Create administrator password link")
            .await?;
        Ok(BootstrapOutcome {
            admin_user_principal_name: user.user_principal_name,
            sign_in_url,
            client_id: application.app_id.to_string(),
            client_secret: secret.plaintext,
            token_endpoint: format!("{}/oauth2/token", self.settings.public_url),
        })
    }
}

fn new_user(upn: &str, display_name: &str, now: OffsetDateTime) -> User {
    User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: upn.trim().to_owned(),
        display_name: display_name.to_owned(),
        mail: None,
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: now,
        attributes: Default::default(),
    }
}

/// A password credential: the argon2id PHC string under `phc`.
pub(crate) fn password_credential(user: &UserId, phc: &str, now: OffsetDateTime) -> Credential {
    Credential {
        id: CredentialId::from_uuid(Uuid::new_v4()),
        user_id: user.clone(),
        kind: CredentialKind::Password,
        display_name: None,
        payload: json!({ "phc": phc }),
        metadata: json!({}),
        created_date_time: now,
        last_used_date_time: None,
        revision: 0,
    }
}

/// The same link always yields the same assignment id.
fn assignment_id_for(link_hash: &SecretHash) -> RoleAssignmentId {
    let digest = link_hash.as_str().trim_start_matches("sha256:");
    let bytes: Vec<u8> = (0..16)
        .filter_map(|i| {
            digest
                .get(i * 2..i * 2 + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    let mut raw = [0u8; 16];
    raw.iter_mut().zip(bytes).for_each(|(slot, b)| *slot = b);
    RoleAssignmentId::from_uuid(uuid::Builder::from_random_bytes(raw).into_uuid())
}

pub(crate) fn user_target(user: &User) -> portcullis_core::audit::TargetResource {
    let mut t = target("User", user.id.as_str(), Some(&user.display_name));
    t.user_principal_name = Some(user.user_principal_name.clone());
    t
}
