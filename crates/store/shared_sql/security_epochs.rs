//! Security epochs (`security_clock`, `user_security`), maintained by the triggers of
//! migration `…000600_security_epochs`; this side only reads them.

use async_trait::async_trait;
use portcullis_core::UserId;
use portcullis_store::security_epochs::{
    ConfigurationVersions, SecurityChanges, SecurityEpochStore, UserEpochChange,
};
use portcullis_store::{StoreError, StoreResult};
use sqlx::Row;

use super::{SqlStore, read_err};

/// The clock's row, the policy version beside it.
const READ_CLOCK: &str = "SELECT c.seq, c.global_epoch, s.policy_version \
     FROM security_clock c, store_state s WHERE c.id = 1 AND s.id = 1";

#[async_trait]
impl SecurityEpochStore for SqlStore {
    async fn security_changes_since(&self, after: i64, limit: u32) -> StoreResult<SecurityChanges> {
        // One snapshot, so `head` covers exactly the users listed.
        let mut tx = crate::dialect::begin_snapshot(&self.pool)
            .await
            .map_err(read_err)?;
        let clock = sqlx::query(READ_CLOCK)
            .fetch_one(&mut *tx)
            .await
            .map_err(read_err)?;
        let head: i64 = clock.try_get(0).map_err(read_err)?;
        let global_epoch: i64 = clock.try_get(1).map_err(read_err)?;
        let policy_version: i64 = clock.try_get(2).map_err(read_err)?;
        let rows = sqlx::query(
            "SELECT user_id, epoch FROM user_security WHERE epoch > $1 ORDER BY epoch LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut *tx)
        .await
        .map_err(read_err)?;
        tx.commit().await.map_err(read_err)?;
        let truncated = rows.len() > limit as usize;
        let mut users = Vec::with_capacity(rows.len().min(limit as usize));
        for row in rows.iter().take(limit as usize) {
            let id: String = row.try_get(0).map_err(read_err)?;
            users.push(UserEpochChange {
                user_id: UserId::parse(&id).map_err(|_| {
                    StoreError::Backend(format!("stored user id {id:?} in user_security"))
                })?,
                epoch: row.try_get(1).map_err(read_err)?,
            });
        }
        Ok(SecurityChanges {
            head,
            global_epoch,
            policy_version,
            users,
            truncated,
        })
    }

    async fn user_epoch(&self, user: &UserId) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COALESCE((SELECT epoch FROM user_security WHERE user_id = $1), 0), \
             global_epoch FROM security_clock WHERE id = 1",
        )
        .bind(user.as_str().to_owned())
        .fetch_one(&self.pool)
        .await
        .map_err(read_err)?;
        Ok((
            row.try_get(0).map_err(read_err)?,
            row.try_get(1).map_err(read_err)?,
        ))
    }

    async fn configuration_versions(&self) -> StoreResult<ConfigurationVersions> {
        let row = sqlx::query(
            "SELECT (SELECT policy_version FROM store_state WHERE id = 1), global_epoch \
             FROM security_clock WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(read_err)?;
        Ok(ConfigurationVersions {
            policy_version: row.try_get(0).map_err(read_err)?,
            global_epoch: row.try_get(1).map_err(read_err)?,
        })
    }
}
