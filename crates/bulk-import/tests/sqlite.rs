//! The import scenarios against real SQLite, each on its own database in a temporary
//! directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod scenarios;

use std::sync::Arc;

use portcullis_store::Store;
use portcullis_store_sqlite::SqliteStore;

async fn store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    (Arc::new(store), dir)
}

macro_rules! scenario_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let (store, _dir) = store().await;
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
