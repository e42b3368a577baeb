//! The conformance suite every backend runs (feature `testsuite`). Each backend's
//! integration tests implement [`TestBackend`] and expand [`conformance_tests!`], which
//! generates one `#[tokio::test]` per check below, each on a fresh, empty store.
//!
//! The checks panic with a message on failure, like any test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod application_epochs;
mod break_glass;
mod code_sends;
mod directory;
mod grant_subject;
mod logs;
mod oauth_state;
mod policy;
mod push_state;
mod refresh_rotation;
mod reports;
mod security;
mod security_epochs;
mod sign_in_risk;
mod sign_in_state;
mod user_risk;

use std::sync::Arc;

use async_trait::async_trait;
use portcullis_core::audit::{InitiatedBy, TargetResource, UserIdentity};
use portcullis_core::{AuditId, AuditRecord, Group, GroupId, User, UserId, UserType};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::Store;

pub use application_epochs::*;
pub use break_glass::*;
pub use code_sends::*;
pub use directory::*;
pub use grant_subject::*;
pub use logs::*;
pub use oauth_state::*;
pub use policy::*;
pub use push_state::*;
pub use refresh_rotation::*;
pub use reports::*;
pub use security::*;
pub use security_epochs::*;
pub use sign_in_risk::*;
pub use sign_in_state::*;
pub use user_risk::*;

/// What a backend's test harness provides.
#[async_trait]
pub trait TestBackend: Send + Sync {
    /// The store under test (fresh and empty for each check).
    fn store(&self) -> Arc<dyn Store>;
    /// Runs one raw SQL statement on the store's database, bypassing the store, and
    /// returns the number of rows it changed. Used to simulate an attacker with database
    /// access (tampering with the audit log).
    async fn execute_raw_sql(&self, sql: &'static str) -> Result<u64, String>;
}

/// Generates one `#[tokio::test]` per conformance check. `$make` is an async expression
/// evaluating to a value implementing [`TestBackend`] (or `None` to skip with a message
/// already printed), created anew for every test.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@tests $make;
            users_crud, upn_is_unique_case_insensitively, user_lookup_by_upn_ignores_case,
            groups_and_direct_membership, transitive_membership_five_deep,
            transitive_membership_diamond, membership_cycles_are_refused,
            role_assignments_and_effective_roles, applications_and_secrets,
            user_paging_visits_every_user_once, user_filters, startswith_prefix_edges,
            group_paging_and_filters,
            bad_filters_and_cursors_are_invalid, delete_user_cascades,
            policy_objects_and_policy_version, policy_preconditions, policy_snapshot_is_consistent,
            settings_round_trip, credential_revisions_guard_concurrent_updates,
            sessions_and_revocation, refresh_token_rotation_and_reuse,
            concurrent_refresh_token_use_has_one_winner, devices_round_trip,
            risk_events_and_state, signing_keys_rotation, sign_in_log_queries,
            sign_in_log_paging, sign_in_log_risk_filters, last_sign_in_times_per_user, audit_log_append_and_query,
            audit_chain_verifies,
            audit_chain_linear_under_concurrent_writers, audit_tampering_is_detected,
            audit_retention_keeps_the_rest_verifiable,
            failed_batch_leaves_nothing_half_written, ping_and_backend_name,
            report_sign_in_rollups, report_policy_impact, report_registration_coverage,
            security_epochs_follow_user_changes, security_epochs_skip_users_without_sessions,
            security_epochs_directory_wide_and_paging,
            oauth_state_insert_if_absent, oauth_state_compare_and_set_has_one_winner,
            oauth_state_purge_expired, refresh_token_lookup_without_use,
            push_activation_codes_are_single_use, push_approvals_settle_once_and_feed_changes,
            push_fatigue_compare_and_set, push_state_purge_and_cascade,
            push_approval_commits_with_its_sign_in_step,
            sign_in_transactions_round_trip, concurrent_sign_in_steps_have_one_winner,
            sign_in_group_commit_isolates_a_failed_step,
            relaxed_sign_in_commits_are_visible_at_once_and_fail_alone,
            user_sign_in_state_revisions_and_revocation,
            break_glass_marks_round_trip, admin_user_sign_in_state_write_is_revision_checked,
            user_risk_follows_detections, risky_users_list_filters_and_pages,
            concurrent_detections_of_one_user_all_count,
            code_send_limits_and_windows, concurrent_code_sends_pass_only_the_allowed_number,
            refresh_rotation_commits_with_its_sign_in_step,
            a_group_of_rotations_commits_every_successor_and_entry,
            application_secret_writes_move_the_directory_wide_epoch,
            grant_subject_reads_every_fact_of_the_user,
            grant_subject_of_a_deleted_user_has_only_the_session,
            refresh_grant_subject_reads_the_token_with_its_user_and_session,
            sign_in_subject_finds_the_user_by_id_name_or_credential,
            sign_in_step_read_reads_the_transaction_with_its_subject,
        );
    };
    (@tests $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                if let Some(backend) = $make {
                    $crate::testsuite::$name(&backend).await;
                }
            }
        )*
    };
}

// ---------------------------------------------------------------- fixtures

pub(crate) fn t0() -> OffsetDateTime {
    datetime!(2026-11-23 05:00:00 UTC)
}

pub(crate) fn user_id() -> UserId {
    UserId::from_uuid(Uuid::new_v4())
}

pub(crate) fn group_id() -> GroupId {
    GroupId::from_uuid(Uuid::new_v4())
}

pub(crate) fn user(upn: &str, display_name: &str) -> User {
    User {
        id: user_id(),
        user_principal_name: upn.to_owned(),
        display_name: display_name.to_owned(),
        mail: Some(upn.to_owned()),
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: t0(),
        attributes: serde_json::Map::new(),
    }
}

pub(crate) fn group(name: &str) -> Group {
    Group {
        id: group_id(),
        display_name: name.to_owned(),
        description: None,
        mail_nickname: None,
        is_assignable_to_role: false,
        created_date_time: t0(),
    }
}

/// An enabled application with fresh ids, no redirect URIs, permissions or settings.
pub(crate) fn application(
    name: &str,
    kind: portcullis_core::ApplicationKind,
) -> portcullis_core::Application {
    portcullis_core::Application {
        id: portcullis_core::ApplicationId::from_uuid(uuid::Uuid::new_v4()),
        app_id: portcullis_core::ClientId::from_uuid(uuid::Uuid::new_v4()),
        display_name: name.to_owned(),
        kind,
        redirect_uris: vec![],
        granted_permissions: vec![],
        enabled: true,
        created_date_time: t0(),
        settings: serde_json::Value::Null,
    }
}

pub(crate) fn audit(activity: &str, target: &str) -> AuditRecord {
    AuditRecord::new(
        AuditId::from_uuid(Uuid::new_v4()),
        t0(),
        portcullis_core::audit::category::USER_MANAGEMENT,
        activity,
        "Add",
        InitiatedBy {
            user: Some(UserIdentity {
                id: "00000000-0000-0000-0000-000000000001".into(),
                display_name: Some("Admin".into()),
                user_principal_name: Some("admin@example.com".into()),
                ip_address: Some("192.0.2.1".into()),
            }),
            app: None,
        },
    )
    .with_target(TargetResource {
        id: target.to_owned(),
        display_name: None,
        resource_type: "User".into(),
        user_principal_name: None,
        modified_properties: vec![],
    })
}

/// Commits one change with an audit record and panics with context on failure.
pub(crate) async fn commit(store: &dyn Store, change: crate::Change) -> crate::CommitReceipt {
    let label = format!("{change:?}");
    store
        .commit(crate::Batch::single(change, audit("test change", "target")))
        .await
        .unwrap_or_else(|err| panic!("commit of {label} failed: {err}"))
}

pub(crate) async fn create_user(store: &dyn Store, upn: &str, name: &str) -> User {
    let user = user(upn, name);
    commit(store, crate::Change::CreateUser(user.clone())).await;
    user
}

pub(crate) async fn create_group(store: &dyn Store, name: &str) -> Group {
    let group = group(name);
    commit(store, crate::Change::CreateGroup(group.clone())).await;
    group
}

/// Reads the whole audit chain.
pub(crate) async fn read_chain(store: &dyn Store) -> Vec<portcullis_core::ChainedAuditRecord> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = store.read_audit_chain(after, 100).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        all.extend(page);
    }
    all
}

/// Checks the store answers a liveness probe and names itself.
pub async fn ping_and_backend_name(backend: &dyn TestBackend) {
    let store = backend.store();
    store.ping().await.unwrap();
    assert!(["sqlite", "postgres"].contains(&store.backend_name()));
}
