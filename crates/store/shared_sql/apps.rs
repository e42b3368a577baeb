//! Applications and their hashed client secrets.

use async_trait::async_trait;
use portcullis_core::{Application, ApplicationId, ApplicationSecret, ClientId, SecretId};
use portcullis_store::{ApplicationStore, StoreError, StoreResult};
use sqlx::Row;

use super::directory::{delete_assignments_of, found};
use super::{Conn, SqlStore, db_err, decode, encode, micros, read_err};

#[async_trait]
impl ApplicationStore for SqlStore {
    async fn get_application(&self, id: &ApplicationId) -> StoreResult<Application> {
        let row = sqlx::query("SELECT doc FROM applications WHERE id = $1")
            .bind(id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?
            .ok_or_else(|| StoreError::not_found(format!("application {id}")))?;
        decode(
            "application",
            &row.try_get::<String, _>("doc").map_err(read_err)?,
        )
    }

    async fn find_application_by_client_id(
        &self,
        client_id: &ClientId,
    ) -> StoreResult<Option<Application>> {
        let row = sqlx::query("SELECT doc FROM applications WHERE client_id = $1")
            .bind(client_id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(read_err)?;
        row.map(|row| {
            decode(
                "application",
                &row.try_get::<String, _>("doc").map_err(read_err)?,
            )
        })
        .transpose()
    }

    async fn list_applications(&self) -> StoreResult<Vec<Application>> {
        let rows = sqlx::query("SELECT doc FROM applications ORDER BY display_name, id")
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        rows.iter()
            .map(|row| {
                decode(
                    "application",
                    &row.try_get::<String, _>("doc").map_err(read_err)?,
                )
            })
            .collect()
    }

    async fn list_application_secrets(
        &self,
        application: &ApplicationId,
    ) -> StoreResult<Vec<ApplicationSecret>> {
        let rows = sqlx::query("SELECT doc FROM application_secrets WHERE application_id = $1 ORDER BY created_at, key_id")
            .bind(application.as_str().to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        rows.iter()
            .map(|row| {
                decode(
                    "application secret",
                    &row.try_get::<String, _>("doc").map_err(read_err)?,
                )
            })
            .collect()
    }
}

pub(super) async fn create_application(conn: &mut Conn, app: &Application) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO applications (id, client_id, display_name, created_at, doc) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(app.id.as_str().to_owned())
    .bind(app.app_id.as_str().to_owned())
    .bind(app.display_name.clone())
    .bind(micros(app.created_date_time))
    .bind(encode("application", app)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err(&format!("an application with id {} or client id {}", app.id, app.app_id)))?;
    Ok(())
}

pub(super) async fn update_application(conn: &mut Conn, app: &Application) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE applications SET client_id = $2, display_name = $3, doc = $4 WHERE id = $1",
    )
    .bind(app.id.as_str().to_owned())
    .bind(app.app_id.as_str().to_owned())
    .bind(app.display_name.clone())
    .bind(encode("application", app)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err(&format!(
        "an application with client id {}",
        app.app_id
    )))?;
    found(done.rows_affected(), || format!("application {}", app.id))
}

pub(super) async fn delete_application(conn: &mut Conn, id: &ApplicationId) -> StoreResult<()> {
    delete_assignments_of(conn, "application", id.as_str()).await?;
    let done = sqlx::query("DELETE FROM applications WHERE id = $1")
        .bind(id.as_str().to_owned())
        .execute(&mut *conn)
        .await
        .map_err(db_err("application deletion"))?;
    found(done.rows_affected(), || format!("application {id}"))
}

pub(super) async fn add_secret(conn: &mut Conn, secret: &ApplicationSecret) -> StoreResult<()> {
    sqlx::query("INSERT INTO application_secrets (key_id, application_id, created_at, doc) VALUES ($1, $2, $3, $4)")
        .bind(secret.key_id.as_str().to_owned())
        .bind(secret.application_id.as_str().to_owned())
        .bind(micros(secret.start_date_time))
        .bind(encode("application secret", secret)?)
        .execute(&mut *conn)
        .await
        .map_err(db_err(&format!("secret {} of application {}", secret.key_id, secret.application_id)))?;
    Ok(())
}

pub(super) async fn remove_secret(
    conn: &mut Conn,
    application: &ApplicationId,
    key_id: &SecretId,
) -> StoreResult<()> {
    let done =
        sqlx::query("DELETE FROM application_secrets WHERE application_id = $1 AND key_id = $2")
            .bind(application.as_str().to_owned())
            .bind(key_id.as_str().to_owned())
            .execute(&mut *conn)
            .await
            .map_err(db_err("secret removal"))?;
    found(done.rows_affected(), || {
        format!("secret {key_id} of application {application}")
    })
}
