//! Break-glass (emergency-access) marks: one row per marked user, removed with the user
//! by foreign key.

use portcullis_core::UserId;
use portcullis_store::{BreakGlassAccount, StoreError, StoreResult};
use sqlx::Row;
use time::OffsetDateTime;

use super::directory::found;
use super::{Conn, SqlStore, db_err, micros, read_err};

pub(super) async fn list(store: &SqlStore) -> StoreResult<Vec<BreakGlassAccount>> {
    let rows = sqlx::query(
        "SELECT user_id, marked_at FROM break_glass_accounts ORDER BY marked_at, user_id",
    )
    .fetch_all(&store.pool)
    .await
    .map_err(read_err)?;
    rows.iter()
        .map(|row| {
            let user: String = row.try_get("user_id").map_err(read_err)?;
            let at: i64 = row.try_get("marked_at").map_err(read_err)?;
            Ok(BreakGlassAccount {
                user_id: UserId::parse(&user).map_err(|_| {
                    StoreError::Backend(format!(
                        "break_glass_accounts.user_id {user:?} is not a user id"
                    ))
                })?,
                marked_date_time: portcullis_core::timestamp::from_unix_micros(at).ok_or_else(
                    || {
                        StoreError::Backend(format!(
                            "break_glass_accounts.marked_at {at} is out of range"
                        ))
                    },
                )?,
            })
        })
        .collect()
}

/// Idempotent: marking a marked user keeps the first mark's time. An unknown user is a
/// foreign-key violation (`Conflict`).
pub(super) async fn mark(conn: &mut Conn, user: &UserId, at: OffsetDateTime) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO break_glass_accounts (user_id, marked_at) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user.as_str().to_owned())
    .bind(micros(at))
    .execute(&mut *conn)
    .await
    .map_err(db_err(&format!("user {user}")))?;
    Ok(())
}

pub(super) async fn unmark(conn: &mut Conn, user: &UserId) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM break_glass_accounts WHERE user_id = $1")
        .bind(user.as_str().to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("break-glass mark removal"))?;
    found(done.rows_affected(), || {
        format!("break-glass mark of user {user}")
    })
}
