//! Seeds the sign-in log in bulk. `append_sign_in` is one durable transaction per row
//! (a few hundred rows a second here), which would spend an hour on a million rows; the
//! page times depend on what is stored, not on how it got there. So rows go in through
//! multi-row INSERTs of the store's own columns in large transactions, on one connection
//! with `synchronous = OFF` (seeding only). The `sign_ins` insert triggers fill the
//! report rollups exactly as in production.

use portcullis_core::SignIn;
use portcullis_core::timestamp::unix_micros;
use portcullis_store_sqlite::SqliteStore;

const ROWS_PER_STATEMENT: usize = 200;
const ROWS_PER_TRANSACTION: usize = 50_000;
const COLUMNS: &str = "id, created_at, user_id, upn_lower, app_id, ip_address, client_app_used, \
                       conditional_access_status, error_code, correlation_id, is_interactive, \
                       risk_level_during_sign_in, risk_level_aggregated, doc";
const COLUMN_COUNT: usize = 14;

fn insert_sql(rows: usize) -> String {
    let row = |r: usize| {
        let params: Vec<String> = (1..=COLUMN_COUNT)
            .map(|c| format!("${}", r * COLUMN_COUNT + c))
            .collect();
        format!("({})", params.join(","))
    };
    let values: Vec<String> = (0..rows).map(row).collect();
    format!(
        "INSERT INTO sign_ins ({COLUMNS}) VALUES {}",
        values.join(",")
    )
}

/// Inserts `count` rows made by `make(i)`.
pub async fn sign_ins(store: &SqliteStore, count: usize, make: impl Fn(usize) -> SignIn) {
    let mut seeder = store.pool().acquire().await.unwrap();
    for pragma in ["PRAGMA synchronous = OFF", "PRAGMA cache_size = -524288"] {
        sqlx::query(pragma).execute(&mut *seeder).await.unwrap();
    }
    let full = insert_sql(ROWS_PER_STATEMENT);
    for tx_start in (0..count).step_by(ROWS_PER_TRANSACTION) {
        let tx_end = (tx_start + ROWS_PER_TRANSACTION).min(count);
        let mut tx = sqlx::Connection::begin(&mut *seeder).await.unwrap();
        for start in (tx_start..tx_end).step_by(ROWS_PER_STATEMENT) {
            let end = (start + ROWS_PER_STATEMENT).min(tx_end);
            let partial;
            let sql = if end - start == ROWS_PER_STATEMENT {
                full.as_str()
            } else {
                partial = insert_sql(end - start);
                partial.as_str()
            };
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for i in start..end {
                let s = make(i);
                query = query
                    .bind(s.id.to_string())
                    .bind(unix_micros(s.created_date_time))
                    .bind(s.user_id.as_ref().map(ToString::to_string))
                    .bind(s.user_principal_name.as_deref().map(str::to_lowercase))
                    .bind(s.app_id.clone())
                    .bind(s.ip_address.clone())
                    .bind(s.client_app_used.clone())
                    .bind(s.conditional_access_status.as_str().to_owned())
                    .bind(i64::from(s.status.error_code))
                    .bind(None::<String>)
                    .bind(s.is_interactive)
                    .bind(s.risk_level_during_sign_in.clone())
                    .bind(s.risk_level_aggregated.clone())
                    .bind(serde_json::to_string(&s).unwrap());
            }
            query.execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        if tx_end.is_multiple_of(200_000) {
            eprintln!("  seeded {tx_end} sign-ins");
        }
    }
}
