//! Users, groups, memberships (with recursive-CTE transitive queries) and role assignments.

use async_trait::async_trait;
use portcullis_core::{
    ApplicationId, DirectoryRole, Group, GroupId, MemberRef, Principal, RoleAssignment,
    RoleAssignmentId, TransitiveMembers, User, UserId,
};
use portcullis_store::filter::FilterField;
use portcullis_store::sql::{SqlParams, keyset, render_filter};
use portcullis_store::{
    Cursor, Filter, GroupField, GroupStore, ListQuery, Page, RoleAssignmentFilter, RoleStore,
    StoreError, StoreResult, UserField, UserStore,
};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};

use super::{Conn, SqlStore, bind_params, db_err, decode, encode, fetch_limit, micros, read_err};

// ---------------------------------------------------------------- listing helper

/// Runs a keyset-paged listing over `table` whose rows carry `doc`, `id` and the sort column.
async fn list_page<F: FilterField, T: serde::de::DeserializeOwned>(
    store: &SqlStore,
    table: &'static str,
    what: &str,
    query: &ListQuery<F>,
) -> StoreResult<Page<T>> {
    let mut params = SqlParams::new();
    let mut conditions = Vec::new();
    if let Some(filter) = &query.filter {
        conditions.push(render_filter(filter, &mut params)?);
    }
    let keys = keyset(query.order, query.cursor.as_ref(), &mut params)?;
    if let Some(after) = &keys.after {
        conditions.push(after.clone());
    }
    let sort_select = keys.sort_column.unwrap_or("id");
    let limit_p = params.push(portcullis_store::sql::SqlParam::Int(fetch_limit(
        query.limit,
    )));
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT doc, id, {sort_select} AS sort_key FROM {table} {where_clause} ORDER BY {} LIMIT {limit_p}",
        keys.order_by
    );
    let rows = bind_params(sqlx::query(AssertSqlSafe(sql)), &params.values)
        .fetch_all(&store.pool)
        .await
        .map_err(read_err)?;
    let page_size = portcullis_store::page::effective_limit(query.limit) as usize;
    let more = rows.len() > page_size;
    let mut items = Vec::with_capacity(rows.len().min(page_size));
    let mut next = None;
    for (i, row) in rows.iter().take(page_size).enumerate() {
        let doc: String = row.try_get("doc").map_err(read_err)?;
        items.push(decode(what, &doc)?);
        if more && i + 1 == page_size {
            let id: String = row.try_get("id").map_err(read_err)?;
            next = Some(match keys.sort_column {
                None => Cursor::encode(&[Value::from(id)]),
                Some(_) => {
                    let key = match query.order.map(|o| o.field.kind()) {
                        Some(portcullis_store::ValueKind::Int) => {
                            Value::from(row.try_get::<i64, _>("sort_key").map_err(read_err)?)
                        }
                        _ => Value::from(row.try_get::<String, _>("sort_key").map_err(read_err)?),
                    };
                    Cursor::encode(&[key, Value::from(id)])
                }
            });
        }
    }
    Ok(Page { items, next })
}

async fn count_rows<F: FilterField>(
    store: &SqlStore,
    table: &'static str,
    filter: Option<&Filter<F>>,
) -> StoreResult<u64> {
    let mut params = SqlParams::new();
    let where_clause = match filter {
        Some(filter) => format!("WHERE {}", render_filter(filter, &mut params)?),
        None => String::new(),
    };
    let sql = format!("SELECT COUNT(*) AS n FROM {table} {where_clause}");
    let row = bind_params(sqlx::query(AssertSqlSafe(sql)), &params.values)
        .fetch_one(&store.pool)
        .await
        .map_err(read_err)?;
    let n: i64 = row.try_get("n").map_err(read_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

// ---------------------------------------------------------------- users

#[async_trait]
impl UserStore for SqlStore {
    async fn get_user(&self, id: &UserId) -> StoreResult<User> {
        let row = sqlx::query("SELECT doc FROM users WHERE id = $1")
            .bind(id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?
            .ok_or_else(|| StoreError::not_found(format!("user {id}")))?;
        decode("user", &row.try_get::<String, _>("doc").map_err(read_err)?)
    }

    async fn find_user_by_upn(&self, user_principal_name: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT doc FROM users WHERE upn_lower = $1")
            .bind(portcullis_core::user::normalize_upn(user_principal_name))
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?;
        row.map(|row| decode("user", &row.try_get::<String, _>("doc").map_err(read_err)?))
            .transpose()
    }

    async fn list_users(&self, query: &ListQuery<UserField>) -> StoreResult<Page<User>> {
        list_page(self, "users", "user", query).await
    }

    async fn count_users(&self, filter: Option<&Filter<UserField>>) -> StoreResult<u64> {
        count_rows(self, "users", filter).await
    }

    async fn list_break_glass_accounts(
        &self,
    ) -> StoreResult<Vec<portcullis_store::BreakGlassAccount>> {
        super::break_glass::list(self).await
    }
}

fn lower_opt(value: &Option<String>) -> Option<String> {
    value.as_ref().map(|v| v.to_lowercase())
}

pub(super) async fn create_user(conn: &mut Conn, user: &User) -> StoreResult<()> {
    let what = format!(
        "a user with id {} or userPrincipalName {}",
        user.id, user.user_principal_name
    );
    sqlx::query(
        "INSERT INTO users (id, upn_lower, display_name_lower, mail_lower, user_type, account_enabled, created_at, doc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(user.id.as_str().to_owned())
    .bind(user.normalized_upn())
    .bind(user.display_name.to_lowercase())
    .bind(lower_opt(&user.mail))
    .bind(user.user_type.as_str())
    .bind(user.account_enabled)
    .bind(micros(user.created_date_time))
    .bind(encode("user", user)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err(&what))?;
    Ok(())
}

pub(super) async fn update_user(conn: &mut Conn, user: &User) -> StoreResult<()> {
    let what = format!("a user with userPrincipalName {}", user.user_principal_name);
    let done = sqlx::query(
        "UPDATE users SET upn_lower = $2, display_name_lower = $3, mail_lower = $4, user_type = $5, \
         account_enabled = $6, doc = $7 WHERE id = $1",
    )
    .bind(user.id.as_str().to_owned())
    .bind(user.normalized_upn())
    .bind(user.display_name.to_lowercase())
    .bind(lower_opt(&user.mail))
    .bind(user.user_type.as_str())
    .bind(user.account_enabled)
    .bind(encode("user", user)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err(&what))?;
    found(done.rows_affected(), || format!("user {}", user.id))
}

pub(super) async fn delete_user(conn: &mut Conn, id: &UserId) -> StoreResult<()> {
    // Memberships, credentials, sessions and tokens cascade by foreign key; role
    // assignments name polymorphic principals, so they go explicitly.
    delete_assignments_of(conn, "user", id.as_str()).await?;
    let done = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id.as_str().to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("user deletion"))?;
    found(done.rows_affected(), || format!("user {id}"))
}

pub(super) fn found(rows: u64, what: impl FnOnce() -> String) -> StoreResult<()> {
    if rows == 0 {
        Err(StoreError::NotFound(what()))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------- groups

const TRANSITIVE_GROUPS_OF_USER: &str = "WITH RECURSIVE up(id) AS ( \
       SELECT group_id FROM group_members WHERE member_user_id = $1 \
       UNION \
       SELECT gm.group_id FROM group_members gm JOIN up ON gm.member_group_id = up.id \
     ) SELECT id FROM up ORDER BY id";

// `UNION` (not `UNION ALL`) makes the recursion stop at rows already seen, so even a
// cycle that slipped in could not make these queries loop.
const TRANSITIVE_MEMBERS: &str = "WITH RECURSIVE down(id) AS ( \
       SELECT member_group_id FROM group_members WHERE group_id = $1 AND member_group_id IS NOT NULL \
       UNION \
       SELECT gm.member_group_id FROM group_members gm JOIN down ON gm.group_id = down.id \
       WHERE gm.member_group_id IS NOT NULL \
     ) \
     SELECT 'g' AS kind, id FROM down \
     UNION \
     SELECT 'u' AS kind, gm.member_user_id AS id FROM group_members gm \
       WHERE gm.member_user_id IS NOT NULL AND (gm.group_id = $1 OR gm.group_id IN (SELECT id FROM down)) \
     ORDER BY kind, id";

#[async_trait]
impl GroupStore for SqlStore {
    async fn get_group(&self, id: &GroupId) -> StoreResult<Group> {
        let row = sqlx::query("SELECT doc FROM groups WHERE id = $1")
            .bind(id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?
            .ok_or_else(|| StoreError::not_found(format!("group {id}")))?;
        decode("group", &row.try_get::<String, _>("doc").map_err(read_err)?)
    }

    async fn list_groups(&self, query: &ListQuery<GroupField>) -> StoreResult<Page<Group>> {
        list_page(self, "groups", "group", query).await
    }

    async fn list_members(&self, group: &GroupId) -> StoreResult<Vec<MemberRef>> {
        self.get_group(group).await?;
        let rows = sqlx::query(
            "SELECT member_user_id, member_group_id FROM group_members WHERE group_id = $1 \
             ORDER BY member_user_id IS NULL, member_user_id, member_group_id",
        )
        .bind(group.as_str().to_owned())
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        rows.iter().map(member_from_row).collect()
    }

    async fn list_member_of(&self, member: &MemberRef) -> StoreResult<Vec<GroupId>> {
        let sql = match member {
            MemberRef::User(_) => {
                "SELECT group_id FROM group_members WHERE member_user_id = $1 ORDER BY group_id"
            }
            MemberRef::Group(_) => {
                "SELECT group_id FROM group_members WHERE member_group_id = $1 ORDER BY group_id"
            }
        };
        let rows = sqlx::query(sql)
            .bind(member.id_str().to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        rows.iter()
            .map(|row| group_id(row.try_get("group_id").map_err(read_err)?))
            .collect()
    }

    async fn transitive_groups_of_user(&self, user: &UserId) -> StoreResult<Vec<GroupId>> {
        let rows = sqlx::query(TRANSITIVE_GROUPS_OF_USER)
            .bind(user.as_str().to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        rows.iter()
            .map(|row| group_id(row.try_get("id").map_err(read_err)?))
            .collect()
    }

    async fn transitive_members(&self, group: &GroupId) -> StoreResult<TransitiveMembers> {
        self.get_group(group).await?;
        let rows = sqlx::query(TRANSITIVE_MEMBERS)
            .bind(group.as_str().to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        let mut members = TransitiveMembers::default();
        for row in rows {
            let kind: String = row.try_get("kind").map_err(read_err)?;
            let id: String = row.try_get("id").map_err(read_err)?;
            if kind == "u" {
                members.users.push(user_id(id)?);
            } else {
                members.groups.push(group_id(id)?);
            }
        }
        Ok(members)
    }
}

fn member_from_row(row: &<crate::dialect::Db as sqlx::Database>::Row) -> StoreResult<MemberRef> {
    let user: Option<String> = row.try_get("member_user_id").map_err(read_err)?;
    let group: Option<String> = row.try_get("member_group_id").map_err(read_err)?;
    match (user, group) {
        (Some(u), None) => Ok(MemberRef::User(user_id(u)?)),
        (None, Some(g)) => Ok(MemberRef::Group(group_id(g)?)),
        _ => Err(StoreError::Backend(
            "membership row names neither or both a user and a group".into(),
        )),
    }
}

pub(super) fn group_id(value: String) -> StoreResult<GroupId> {
    GroupId::parse(&value).map_err(|err| StoreError::Backend(err.to_string()))
}

pub(super) fn user_id(value: String) -> StoreResult<UserId> {
    UserId::parse(&value).map_err(|err| StoreError::Backend(err.to_string()))
}

pub(super) async fn create_group(conn: &mut Conn, group: &Group) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO groups (id, display_name_lower, mail_nickname_lower, is_assignable_to_role, created_at, doc) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(group.id.as_str().to_owned())
    .bind(group.display_name.to_lowercase())
    .bind(lower_opt(&group.mail_nickname))
    .bind(group.is_assignable_to_role)
    .bind(micros(group.created_date_time))
    .bind(encode("group", group)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err(&format!("a group with id {}", group.id)))?;
    Ok(())
}

pub(super) async fn update_group(conn: &mut Conn, group: &Group) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE groups SET display_name_lower = $2, mail_nickname_lower = $3, is_assignable_to_role = $4, doc = $5 \
         WHERE id = $1",
    )
    .bind(group.id.as_str().to_owned())
    .bind(group.display_name.to_lowercase())
    .bind(lower_opt(&group.mail_nickname))
    .bind(group.is_assignable_to_role)
    .bind(encode("group", group)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err("group update"))?;
    found(done.rows_affected(), || format!("group {}", group.id))
}

pub(super) async fn delete_group(conn: &mut Conn, id: &GroupId) -> StoreResult<()> {
    delete_assignments_of(conn, "group", id.as_str()).await?;
    let done = sqlx::query("DELETE FROM groups WHERE id = $1")
        .bind(id.as_str().to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("group deletion"))?;
    found(done.rows_affected(), || format!("group {id}"))
}

pub(super) async fn add_member(
    conn: &mut Conn,
    group: &GroupId,
    member: &MemberRef,
) -> StoreResult<()> {
    ensure_exists(conn, "groups", group.as_str(), "group").await?;
    let (user, nested) = match member {
        MemberRef::User(u) => {
            ensure_exists(conn, "users", u.as_str(), "user").await?;
            (Some(u.as_str().to_owned()), None)
        }
        MemberRef::Group(g) => {
            ensure_exists(conn, "groups", g.as_str(), "group").await?;
            if g == group {
                return Err(StoreError::Conflict(format!(
                    "group {group} cannot be a member of itself"
                )));
            }
            // Refuse a cycle: the new parent must not already sit below the new member.
            // Commits are serialised, so no concurrent change can slip a cycle in between.
            let below = sqlx::query(TRANSITIVE_MEMBERS)
                .bind(g.as_str().to_owned())
                .fetch_all(&mut *conn)
                .await
                .map_err(read_err)?;
            for row in below {
                let kind: String = row.try_get("kind").map_err(read_err)?;
                let id: String = row.try_get("id").map_err(read_err)?;
                if kind == "g" && id == group.as_str() {
                    return Err(StoreError::Conflict(format!(
                        "adding group {g} to group {group} would create a membership cycle"
                    )));
                }
            }
            (None, Some(g.as_str().to_owned()))
        }
    };
    sqlx::query(
        "INSERT INTO group_members (group_id, member_user_id, member_group_id) VALUES ($1, $2, $3)",
    )
    .bind(group.as_str().to_owned())
    .bind(user)
    .bind(nested)
    .execute(&mut *conn)
    .await
    .map_err(db_err(&format!(
        "membership of {} in group {group}",
        member.id_str()
    )))?;
    Ok(())
}

async fn ensure_exists(
    conn: &mut Conn,
    table: &'static str,
    id: &str,
    what: &str,
) -> StoreResult<()> {
    let sql = match table {
        "users" => "SELECT 1 AS x FROM users WHERE id = $1",
        "groups" => "SELECT 1 AS x FROM groups WHERE id = $1",
        "applications" => "SELECT 1 AS x FROM applications WHERE id = $1",
        _ => {
            return Err(StoreError::Backend(format!(
                "no existence check for {table}"
            )));
        }
    };
    let row = sqlx::query(sql)
        .bind(id.to_owned())
        .fetch_optional(&mut *conn)
        .await
        .map_err(read_err)?;
    if row.is_some() {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("{what} {id}")))
    }
}

pub(super) async fn remove_member(
    conn: &mut Conn,
    group: &GroupId,
    member: &MemberRef,
) -> StoreResult<()> {
    let sql = match member {
        MemberRef::User(_) => {
            "DELETE FROM group_members WHERE group_id = $1 AND member_user_id = $2"
        }
        MemberRef::Group(_) => {
            "DELETE FROM group_members WHERE group_id = $1 AND member_group_id = $2"
        }
    };
    let done = sqlx::query(sql)
        .bind(group.as_str().to_owned())
        .bind(member.id_str().to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("membership removal"))?;
    found(done.rows_affected(), || {
        format!("membership of {} in group {group}", member.id_str())
    })
}

// ---------------------------------------------------------------- roles

const EFFECTIVE_ROLES_OF_USER: &str = "WITH RECURSIVE up(id) AS ( \
       SELECT group_id FROM group_members WHERE member_user_id = $1 \
       UNION \
       SELECT gm.group_id FROM group_members gm JOIN up ON gm.member_group_id = up.id \
     ) \
     SELECT DISTINCT role_template_id FROM role_assignments \
     WHERE (principal_type = 'user' AND principal_id = $1) \
        OR (principal_type = 'group' AND principal_id IN (SELECT id FROM up)) \
     ORDER BY role_template_id";

#[async_trait]
impl RoleStore for SqlStore {
    async fn list_role_assignments(
        &self,
        filter: &RoleAssignmentFilter,
    ) -> StoreResult<Vec<RoleAssignment>> {
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        if let Some(principal) = &filter.principal {
            binds.push(principal.kind_str().to_owned());
            conditions.push(format!("principal_type = ${}", binds.len()));
            binds.push(principal.id_str().to_owned());
            conditions.push(format!("principal_id = ${}", binds.len()));
        }
        if let Some(role) = filter.role {
            binds.push(role.template_id().to_owned());
            conditions.push(format!("role_template_id = ${}", binds.len()));
        }
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql =
            format!("SELECT doc FROM role_assignments {where_clause} ORDER BY created_at, id");
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for bind in binds {
            query = query.bind(bind);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(read_err)?;
        rows.iter()
            .map(|row| {
                decode(
                    "role assignment",
                    &row.try_get::<String, _>("doc").map_err(read_err)?,
                )
            })
            .collect()
    }

    async fn effective_roles_of_user(&self, user: &UserId) -> StoreResult<Vec<DirectoryRole>> {
        let rows = sqlx::query(EFFECTIVE_ROLES_OF_USER)
            .bind(user.as_str().to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        roles_from_rows(&rows)
    }

    async fn roles_of_application(
        &self,
        application: &ApplicationId,
    ) -> StoreResult<Vec<DirectoryRole>> {
        let rows = sqlx::query(
            "SELECT DISTINCT role_template_id FROM role_assignments \
             WHERE principal_type = 'application' AND principal_id = $1 ORDER BY role_template_id",
        )
        .bind(application.as_str().to_owned())
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        roles_from_rows(&rows)
    }
}

fn roles_from_rows(
    rows: &[<crate::dialect::Db as sqlx::Database>::Row],
) -> StoreResult<Vec<DirectoryRole>> {
    rows.iter().map(role_from_row).collect()
}

/// The role of a row's `role_template_id`.
pub(super) fn role_from_row(
    row: &<crate::dialect::Db as sqlx::Database>::Row,
) -> StoreResult<DirectoryRole> {
    let id: String = row.try_get("role_template_id").map_err(read_err)?;
    DirectoryRole::from_template_id(&id)
        .ok_or_else(|| StoreError::Backend(format!("stored role template id {id} is unknown")))
}

pub(super) async fn assign_role(conn: &mut Conn, assignment: &RoleAssignment) -> StoreResult<()> {
    match &assignment.principal {
        Principal::User(id) => ensure_exists(conn, "users", id.as_str(), "user").await?,
        Principal::Group(id) => {
            ensure_exists(conn, "groups", id.as_str(), "group").await?;
        }
        Principal::Application(id) => {
            ensure_exists(conn, "applications", id.as_str(), "application").await?
        }
    }
    sqlx::query(
        "INSERT INTO role_assignments (id, principal_type, principal_id, role_template_id, created_at, doc) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(assignment.id.as_str().to_owned())
    .bind(assignment.principal.kind_str())
    .bind(assignment.principal.id_str().to_owned())
    .bind(assignment.role.template_id())
    .bind(micros(assignment.created_date_time))
    .bind(encode("role assignment", assignment)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err(&format!(
        "an assignment of {} to {} {}",
        assignment.role.display_name(),
        assignment.principal.kind_str(),
        assignment.principal.id_str()
    )))?;
    Ok(())
}

pub(super) async fn unassign_role(conn: &mut Conn, id: &RoleAssignmentId) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM role_assignments WHERE id = $1")
        .bind(id.as_str().to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("role unassignment"))?;
    found(done.rows_affected(), || format!("role assignment {id}"))
}

pub(super) async fn delete_assignments_of(
    conn: &mut Conn,
    principal_type: &'static str,
    id: &str,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM role_assignments WHERE principal_type = $1 AND principal_id = $2")
        .bind(principal_type)
        .bind(id.to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("role assignment cleanup"))?;
    Ok(())
}
