//! `ReportStore` over the rollup tables of migration `20261123000800_reports.sql`.
//!
//! Shared as source with the PostgreSQL backend (its `lib.rs` includes this file by
//! path), like `crates/store/shared_sql`: the queries are the same on both databases;
//! only the triggers that fill the tables differ, and they live in each backend's
//! migration. Sums are cast to BIGINT because PostgreSQL widens `SUM(bigint)` to numeric.

use async_trait::async_trait;
use portcullis_core::{SignIn, UserId};
use portcullis_store::reports::{
    FailureCount, HOUR_MICROS, MethodStrength, PolicyResultCount, RegistrationCoverage,
    ReportStore, ReportWindow, SignInCount, SignInResult,
};
use portcullis_store::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, Row};
use time::OffsetDateTime;

use crate::shared::{SqlStore, decode, micros, read_err};

/// At most this many users per [`ReportStore::method_strengths`] call (one page).
const MAX_STRENGTH_LOOKUP: usize = 1000;

/// The hour bucket a time falls in, so a window starting mid-hour still counts that hour.
fn hour_floor(at: OffsetDateTime) -> i64 {
    micros(at).div_euclid(HOUR_MICROS) * HOUR_MICROS
}

fn checked_bucket(window: &ReportWindow) -> StoreResult<i64> {
    if window.bucket_micros < HOUR_MICROS || window.bucket_micros % HOUR_MICROS != 0 {
        return Err(StoreError::Invalid(format!(
            "report buckets must be whole hours, not {} µs",
            window.bucket_micros
        )));
    }
    Ok(window.bucket_micros)
}

fn count(row: &<crate::dialect::Db as sqlx::Database>::Row, column: &str) -> StoreResult<u64> {
    let n: i64 = row.try_get(column).map_err(read_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

#[async_trait]
impl ReportStore for SqlStore {
    async fn sign_in_counts(&self, window: &ReportWindow) -> StoreResult<Vec<SignInCount>> {
        let bucket = checked_bucket(window)?;
        let rows = sqlx::query(
            "SELECT CAST(hour - (hour % $3) AS BIGINT) AS bucket, result, legacy, risk_level, \
                    CAST(SUM(count) AS BIGINT) AS n \
             FROM report_sign_in_hours WHERE hour >= $1 AND hour < $2 \
             GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
        )
        .bind(hour_floor(window.from))
        .bind(micros(window.to))
        .bind(bucket)
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        let mut counts = Vec::with_capacity(rows.len());
        for row in &rows {
            let result: String = row.try_get("result").map_err(read_err)?;
            counts.push(SignInCount {
                bucket_start: row.try_get("bucket").map_err(read_err)?,
                result: SignInResult::parse(&result).ok_or_else(|| {
                    StoreError::Backend(format!("unknown sign-in result {result:?} in rollup"))
                })?,
                legacy: row.try_get("legacy").map_err(read_err)?,
                risk_level: row.try_get("risk_level").map_err(read_err)?,
                count: count(row, "n")?,
            });
        }
        Ok(counts)
    }

    async fn top_failures(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<FailureCount>> {
        let rows = sqlx::query(
            "SELECT CAST(error_code AS BIGINT) AS code, CAST(SUM(count) AS BIGINT) AS n \
             FROM report_sign_in_hours \
             WHERE hour >= $1 AND hour < $2 AND result <> 'success' \
             GROUP BY error_code ORDER BY n DESC, code LIMIT $3",
        )
        .bind(hour_floor(from))
        .bind(micros(to))
        .bind(i64::from(limit.min(100)))
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        let mut failures = Vec::with_capacity(rows.len());
        for row in &rows {
            let code: i64 = row.try_get("code").map_err(read_err)?;
            failures.push(FailureCount {
                error_code: i32::try_from(code).unwrap_or(i32::MAX),
                count: count(row, "n")?,
            });
        }
        Ok(failures)
    }

    async fn registration_coverage(&self) -> StoreResult<RegistrationCoverage> {
        let total = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(read_err)?;
        let mut coverage = RegistrationCoverage {
            users_total: count(&total, "n")?,
            ..RegistrationCoverage::default()
        };
        let rows = sqlx::query(
            "SELECT CAST(tier AS BIGINT) AS tier, CAST(COUNT(*) AS BIGINT) AS n \
             FROM report_user_methods GROUP BY tier",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        for row in &rows {
            let tier: i64 = row.try_get("tier").map_err(read_err)?;
            let n = count(row, "n")?;
            match MethodStrength::from_tier(tier) {
                MethodStrength::None => {}
                MethodStrength::SingleFactor => coverage.single_factor += n,
                MethodStrength::Mfa => coverage.mfa += n,
                MethodStrength::PhishingResistant => coverage.phishing_resistant += n,
            }
        }
        Ok(coverage)
    }

    async fn method_strengths(
        &self,
        users: &[UserId],
    ) -> StoreResult<Vec<(UserId, MethodStrength)>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        if users.len() > MAX_STRENGTH_LOOKUP {
            return Err(StoreError::Invalid(format!(
                "at most {MAX_STRENGTH_LOOKUP} users per method-strength lookup"
            )));
        }
        let placeholders: Vec<String> = (1..=users.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT user_id, CAST(tier AS BIGINT) AS tier FROM report_user_methods \
             WHERE user_id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for user in users {
            query = query.bind(user.to_string());
        }
        let rows = query.fetch_all(&self.pool).await.map_err(read_err)?;
        let mut strengths = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("user_id").map_err(read_err)?;
            let tier: i64 = row.try_get("tier").map_err(read_err)?;
            let id = UserId::parse(&id)
                .map_err(|_| StoreError::Backend(format!("stored user id {id:?} is not an id")))?;
            strengths.push((id, MethodStrength::from_tier(tier)));
        }
        Ok(strengths)
    }

    async fn policy_result_counts(
        &self,
        window: &ReportWindow,
        policy: Option<&str>,
    ) -> StoreResult<Vec<PolicyResultCount>> {
        let bucket = checked_bucket(window)?;
        // The policy index serves one policy; all policies read the hour range.
        let sql = match policy {
            Some(_) => {
                "SELECT CAST(hour - (hour % $3) AS BIGINT) AS bucket, policy_id, result, \
                        CAST(SUM(count) AS BIGINT) AS n \
                 FROM report_policy_hours WHERE policy_id = $4 AND hour >= $1 AND hour < $2 \
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            }
            None => {
                "SELECT CAST(hour - (hour % $3) AS BIGINT) AS bucket, policy_id, result, \
                        CAST(SUM(count) AS BIGINT) AS n \
                 FROM report_policy_hours WHERE hour >= $1 AND hour < $2 \
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            }
        };
        let mut query = sqlx::query(sql)
            .bind(hour_floor(window.from))
            .bind(micros(window.to))
            .bind(bucket);
        if let Some(policy) = policy {
            query = query.bind(policy.to_owned());
        }
        let rows = query.fetch_all(&self.pool).await.map_err(read_err)?;
        let mut counts = Vec::with_capacity(rows.len());
        for row in &rows {
            counts.push(PolicyResultCount {
                bucket_start: row.try_get("bucket").map_err(read_err)?,
                policy_id: row.try_get("policy_id").map_err(read_err)?,
                result: row.try_get("result").map_err(read_err)?,
                count: count(row, "n")?,
            });
        }
        Ok(counts)
    }

    async fn policy_acted_sign_ins(
        &self,
        policy: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<(String, SignIn)>> {
        let rows = sqlx::query(
            "SELECT r.result, s.doc FROM report_policy_sign_ins AS r \
             JOIN sign_ins AS s ON s.seq = r.sign_in_seq \
             WHERE r.policy_id = $1 AND r.created_at >= $2 AND r.created_at < $3 \
             ORDER BY r.created_at DESC, r.sign_in_seq DESC LIMIT $4",
        )
        .bind(policy.to_owned())
        .bind(micros(from))
        .bind(micros(to))
        .bind(i64::from(portcullis_store::page::effective_limit(limit)))
        .fetch_all(&self.pool)
        .await
        .map_err(read_err)?;
        let mut sign_ins = Vec::with_capacity(rows.len());
        for row in &rows {
            let result: String = row.try_get("result").map_err(read_err)?;
            let doc: String = row.try_get("doc").map_err(read_err)?;
            sign_ins.push((result, decode("sign-in", &doc)?));
        }
        Ok(sign_ins)
    }
}
