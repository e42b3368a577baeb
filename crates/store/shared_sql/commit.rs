//! `Store::commit`: every change of a batch and its audit records in one transaction.

use async_trait::async_trait;
use portcullis_core::audit::{ChainHash, ChainHead};
use portcullis_store::{Batch, Change, CommitReceipt, Store, StoreResult};
use sqlx::Row;

use super::{
    Conn, SqlStore, apps, break_glass, directory, logs, policy, read_err, security, sign_in_state,
    user_risk,
};

#[async_trait]
impl Store for SqlStore {
    async fn commit(&self, batch: Batch) -> StoreResult<CommitReceipt> {
        // Excludes every other commit until this one ends (see the dialect), so the audit
        // chain and the policy version advance linearly, and membership-cycle checks see
        // every earlier change.
        let mut tx = crate::dialect::begin_write(&self.writer)
            .await
            .map_err(read_err)?;
        let state = sqlx::query(crate::dialect::LOCK_STORE_STATE)
            .fetch_one(&mut *tx)
            .await
            .map_err(read_err)?;
        let mut policy_version: i64 = state.try_get("policy_version").map_err(read_err)?;
        let mut head = ChainHead {
            seq: state.try_get("audit_seq").map_err(read_err)?,
            hash: ChainHash(state.try_get("audit_head_hash").map_err(read_err)?),
        };

        for change in &batch.changes {
            // An error returns early; dropping `tx` rolls everything back.
            apply(&mut tx, change).await?;
        }
        if batch.changes.iter().any(Change::touches_policy) {
            policy_version += 1;
            crate::dialect::announce_policy_version(&mut tx, policy_version)
                .await
                .map_err(read_err)?;
        }
        let mut receipts = Vec::with_capacity(batch.audit.len());
        for record in batch.audit {
            let linked = head.append(record);
            logs::insert_audit(&mut tx, &linked).await?;
            head = linked.head();
            receipts.push(head.clone());
        }
        sqlx::query("UPDATE store_state SET policy_version = $1, audit_seq = $2, audit_head_hash = $3 WHERE id = 1")
            .bind(policy_version)
            .bind(head.seq)
            .bind(head.hash.as_str().to_owned())
            .execute(&mut *tx)
            .await
            .map_err(read_err)?;
        tx.commit().await.map_err(read_err)?;
        Ok(CommitReceipt {
            audit: receipts,
            policy_version,
        })
    }

    fn backend_name(&self) -> &'static str {
        crate::dialect::BACKEND
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(read_err)?;
        Ok(())
    }
}

async fn apply(conn: &mut Conn, change: &Change) -> StoreResult<()> {
    match change {
        Change::CreateUser(user) => directory::create_user(conn, user).await,
        Change::UpdateUser(user) => directory::update_user(conn, user).await,
        Change::DeleteUser(id) => directory::delete_user(conn, id).await,
        Change::CreateGroup(group) => directory::create_group(conn, group).await,
        Change::UpdateGroup(group) => directory::update_group(conn, group).await,
        Change::DeleteGroup(id) => directory::delete_group(conn, id).await,
        Change::AddMember { group, member } => directory::add_member(conn, group, member).await,
        Change::RemoveMember { group, member } => {
            directory::remove_member(conn, group, member).await
        }
        Change::AssignRole(assignment) => directory::assign_role(conn, assignment).await,
        Change::UnassignRole(id) => directory::unassign_role(conn, id).await,
        Change::CreateApplication(app) => apps::create_application(conn, app).await,
        Change::UpdateApplication(app) => apps::update_application(conn, app).await,
        Change::DeleteApplication(id) => apps::delete_application(conn, id).await,
        Change::AddApplicationSecret(secret) => apps::add_secret(conn, secret).await,
        Change::RemoveApplicationSecret {
            application,
            key_id,
        } => apps::remove_secret(conn, application, key_id).await,
        Change::PutPolicy {
            kind,
            id,
            json,
            precondition,
            at,
        } => policy::put_policy(conn, *kind, id, json, *precondition, *at).await,
        Change::DeletePolicy { kind, id } => policy::delete_policy(conn, *kind, id).await,
        Change::PutSetting { key, value } => policy::put_setting(conn, key, value).await,
        Change::DeleteSetting { key } => policy::delete_setting(conn, key).await,
        Change::AddCredential(credential) => security::add_credential(conn, credential).await,
        Change::UpdateCredential(credential) => security::update_credential(conn, credential).await,
        Change::DeleteCredential(id) => security::delete_credential(conn, id).await,
        Change::RevokeUserSessions { user, at } => {
            security::revoke_user_sessions(conn, user, *at).await
        }
        Change::SetRiskState {
            id,
            risk_state,
            risk_detail,
        } => security::set_risk_state(conn, id, risk_state, risk_detail.as_deref()).await,
        Change::AddRiskEvent(event) => user_risk::add_event(conn, event).await,
        Change::ResolveUserRisk {
            user,
            risk_state,
            risk_detail,
            at,
        } => user_risk::resolve(conn, user, risk_state, risk_detail, *at).await,
        Change::PutSigningKey(key) => security::put_signing_key(conn, key).await,
        Change::UpdateDevice(device) => security::update_device(conn, device).await,
        Change::DeleteDevice(id) => security::delete_device(conn, id).await,
        Change::PruneAuditLog { before } => logs::prune_audit(conn, *before).await,
        Change::MarkBreakGlass { user, at } => break_glass::mark(conn, user, *at).await,
        Change::UnmarkBreakGlass(user) => break_glass::unmark(conn, user).await,
        Change::PutUserSignInState(write) => sign_in_state::write_user_state(conn, write).await,
    }
}
