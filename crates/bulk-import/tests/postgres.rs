//! The import scenarios against a real PostgreSQL server named by
//! `PORTCULLIS_TEST_POSTGRES_URL` (`source scripts/lib/postgres.sh && start_test_postgres`
//! starts one). Each test gets its own schema, as the store's own tests do.
//!
//! Without the variable the tests fail under `CI=true` and print a skip message otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod scenarios;

use std::str::FromStr;
use std::sync::Arc;

use portcullis_store::Store;
use portcullis_store_postgres::{PgConnectOptions, PoolSettings, PostgresStore};

const URL_VAR: &str = "PORTCULLIS_TEST_POSTGRES_URL";

fn test_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{URL_VAR} is not set under CI=true: the PostgreSQL import tests must run")
        }
        _ => {
            eprintln!("SKIPPED: {URL_VAR} is not set; PostgreSQL import tests did not run");
            None
        }
    }
}

async fn store() -> Option<Arc<dyn Store>> {
    let url = test_url()?;
    let schema = format!("import_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    // The schema name comes from a UUID generated above, never from input.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let settings = PoolSettings {
        max_connections: 4,
        ..PoolSettings::default()
    };
    Some(Arc::new(
        PostgresStore::connect_with(options, settings)
            .await
            .unwrap(),
    ))
}

macro_rules! scenario_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let Some(store) = store().await else { return };
                scenarios::$name(store).await;
            }
        )*
    };
}

scenario_tests!(
    good_csv_imports_every_user_audited,
    bad_rows_are_reported_and_good_rows_land,
    duplicates_in_file_and_store,
    nested_groups_and_memberships,
    bom_json_and_json_lines,
    truncated_json_keeps_the_rows_before,
    file_level_problems_write_nothing,
    interrupted_import_resumes_without_duplicates,
    stop_signal_interrupts_and_resume_finishes,
    existing_user_inside_a_chunk,
    crash_in_groups_phase_resumes,
    update_adds_missing_memberships,
);
