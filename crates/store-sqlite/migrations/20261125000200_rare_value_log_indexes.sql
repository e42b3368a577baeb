-- The sign-in log's error and risk indexes keep only the rows they exist to find: failed
-- sign-ins and risky ones. A query for those values seeks its index (the listing adds the
-- index's condition to such a filter, shared_sql/logs.rs), while the common values —
-- success, no risk — are most of the log, which the time index pages through at no
-- extra cost. Every successful, riskless sign-in (nearly all of them) then writes three
-- index entries fewer.
DROP INDEX sign_ins_error;
CREATE INDEX sign_ins_error ON sign_ins (error_code, created_at, seq) WHERE error_code <> 0;
DROP INDEX sign_ins_risk_during;
CREATE INDEX sign_ins_risk_during ON sign_ins (risk_level_during_sign_in, created_at, seq)
    WHERE risk_level_during_sign_in <> 'none';
DROP INDEX sign_ins_risk_aggregated;
CREATE INDEX sign_ins_risk_aggregated ON sign_ins (risk_level_aggregated, created_at, seq)
    WHERE risk_level_aggregated <> 'none';
