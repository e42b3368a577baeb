//! Break-glass (emergency-access) accounts: which users are marked, when each last signed
//! in, and whether Conditional Access still reaches them.
//!
//! Marking an account changes what the lockout lint protects (a policy set that blocks
//! every break-glass account everywhere is refused), so it takes the role-assigning power
//! of a Privileged Role Administrator or Global Administrator, and it is audited. Reading
//! the list takes the right to read role holders; the last sign-ins and the policy
//! warnings are added only for callers who may read the sign-in log and the policies.

use portcullis_core::audit::{ModifiedProperty, category};
use portcullis_core::{DirectoryRole, Permission, Target, User, UserId};
use portcullis_policy::lint::{LintRule, break_glass_ids, check_structure};
use portcullis_policy::model::ConditionalAccessPolicy;
use portcullis_store::{
    Batch, Change, Filter, FilterValue, ListQuery, MAX_LAST_SIGN_IN_USERS, PolicyKind, UserField,
};
use time::OffsetDateTime;

use crate::bootstrap::user_target;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, audit_record};

/// One marked account.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakGlassEntry {
    pub user_id: UserId,
    /// `None` only if the user vanished between the two reads.
    pub user: Option<User>,
    pub marked_date_time: OffsetDateTime,
    /// The newest sign-in of any outcome; `None` when there is none (or when
    /// [`BreakGlassOverview::last_sign_ins_visible`] is false).
    pub last_sign_in: Option<OffsetDateTime>,
}

/// The break-glass accounts as the caller may see them.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakGlassOverview {
    pub accounts: Vec<BreakGlassEntry>,
    /// Whether the caller may read the sign-in log (else no last sign-ins are given).
    pub last_sign_ins_visible: bool,
    /// The lockout lint's break-glass findings (not excluded from an enabled or
    /// report-only policy, not a Global Administrator, fewer than two), in words; `None`
    /// when the caller may not read policies.
    pub warnings: Option<Vec<String>>,
}

/// The lint rules about break-glass accounts that the overview reports.
const BREAK_GLASS_RULES: &[LintRule] = &[
    LintRule::BreakGlassNotExcluded,
    LintRule::BreakGlassNotGlobalAdministrator,
    LintRule::NoBreakGlassAccount,
    LintRule::TooFewBreakGlassAccounts,
    LintRule::UnknownBreakGlassAccount,
];

impl Services {
    pub async fn break_glass_overview(&self, caller: &Caller) -> ServiceResult<BreakGlassOverview> {
        caller.authorize(Permission::RoleRead, Target::Nothing)?;
        let marks = self.store.list_break_glass_accounts().await?;
        let ids: Vec<UserId> = marks.iter().map(|m| m.user_id.clone()).collect();
        // The list is short (a handful of accounts), but it is read in one query each for
        // users and last sign-ins all the same, never one per row.
        let ids = &ids[..ids.len().min(MAX_LAST_SIGN_IN_USERS)];
        let users = self.users_by_id(ids).await?;
        let last_sign_ins_visible = caller
            .authorize(Permission::SignInLogRead, Target::Nothing)
            .is_ok();
        let last = if last_sign_ins_visible {
            self.store.last_sign_in_times(ids).await?
        } else {
            Vec::new()
        };
        let warnings = if caller
            .authorize(Permission::PolicyRead, Target::Nothing)
            .is_ok()
        {
            Some(self.break_glass_warnings().await?)
        } else {
            None
        };
        let accounts = marks
            .into_iter()
            .map(|mark| BreakGlassEntry {
                user: users.iter().find(|u| u.id == mark.user_id).cloned(),
                last_sign_in: last
                    .iter()
                    .find(|(id, _)| *id == mark.user_id)
                    .map(|(_, at)| *at),
                user_id: mark.user_id,
                marked_date_time: mark.marked_date_time,
            })
            .collect();
        Ok(BreakGlassOverview {
            accounts,
            last_sign_ins_visible,
            warnings,
        })
    }

    /// Whether `user` is marked (for the user page; same permission as the overview).
    pub async fn is_break_glass(&self, caller: &Caller, user: &UserId) -> ServiceResult<bool> {
        caller.authorize(Permission::RoleRead, Target::Nothing)?;
        Ok(self
            .store
            .list_break_glass_accounts()
            .await?
            .iter()
            .any(|mark| mark.user_id == *user))
    }

    /// Marks or unmarks `user` as a break-glass account. Setting what is already set
    /// changes nothing and writes no audit record.
    pub async fn set_break_glass(
        &self,
        caller: &Caller,
        user: &UserId,
        marked: bool,
    ) -> ServiceResult<()> {
        caller
            .authorize(
                Permission::RoleAssign,
                Target::Role(DirectoryRole::GlobalAdministrator),
            )
            .map_err(|denied| {
                ServiceError::Forbidden(format!(
                    "{}; marking break-glass accounts is for Privileged Role and Global Administrators",
                    denied.reason
                ))
            })?;
        let target_user = self.store.get_user(user).await?;
        let was = self
            .store
            .list_break_glass_accounts()
            .await?
            .iter()
            .any(|mark| mark.user_id == *user);
        if was == marked {
            return Ok(());
        }
        let (change, activity, operation) = if marked {
            (
                Change::MarkBreakGlass {
                    user: user.clone(),
                    at: OffsetDateTime::now_utc(),
                },
                "Add break-glass account",
                "Add",
            )
        } else {
            (
                Change::UnmarkBreakGlass(user.clone()),
                "Remove break-glass account",
                "Delete",
            )
        };
        let mut target = user_target(&target_user);
        target.modified_properties = vec![ModifiedProperty {
            display_name: "IsBreakGlassAccount".into(),
            old_value: Some(was.to_string()),
            new_value: Some(marked.to_string()),
        }];
        let audit = audit_record(caller, category::ROLE_MANAGEMENT, activity, operation)
            .with_target(target);
        self.store.commit(Batch::single(change, audit)).await?;
        Ok(())
    }

    /// The users with these ids, in one query.
    async fn users_by_id(&self, ids: &[UserId]) -> ServiceResult<Vec<User>> {
        let Some(filter) = ids
            .iter()
            .map(|id| Filter::Eq(UserField::Id, FilterValue::Text(id.to_string())))
            .reduce(Filter::or)
        else {
            return Ok(Vec::new());
        };
        let limit = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        Ok(self
            .store
            .list_users(&ListQuery::first(limit).filtered(filter))
            .await?
            .items)
    }

    /// The lockout lint's structural break-glass findings over the stored policies
    /// (it judges enabled and report-only ones).
    async fn break_glass_warnings(&self) -> ServiceResult<Vec<String>> {
        let policies: Vec<ConditionalAccessPolicy> = self
            .store
            .list_policies(PolicyKind::ConditionalAccessPolicy)
            .await?
            .into_iter()
            // Stored policies were validated on the way in; one that no longer parses is
            // left out, as the write path's lint does.
            .filter_map(|stored| serde_json::from_value(stored.json).ok())
            .collect();
        let facts = self.lint_facts().await?;
        let report = check_structure(&policies, &facts, &break_glass_ids(&facts, &[]));
        Ok(report
            .findings
            .into_iter()
            .filter(|finding| BREAK_GLASS_RULES.contains(&finding.rule))
            .map(|finding| finding.message)
            .collect())
    }
}
