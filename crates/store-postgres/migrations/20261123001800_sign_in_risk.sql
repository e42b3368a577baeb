-- The sign-in's risk as columns of their own, so the log can be filtered by
-- `riskLevelDuringSignIn` and `riskLevelAggregated` (portal and Graph `$filter`) through
-- an index walk like every other filter: risky sign-ins are rare, and without an index a
-- page of them would walk the time index over most of the log.
ALTER TABLE sign_ins ADD COLUMN risk_level_during_sign_in TEXT;
ALTER TABLE sign_ins ADD COLUMN risk_level_aggregated TEXT;

-- Entries written before this migration carry their risk only in the stored document
-- (always JSON written by the store itself).
UPDATE sign_ins SET
    risk_level_during_sign_in = doc::jsonb ->> 'riskLevelDuringSignIn',
    risk_level_aggregated = doc::jsonb ->> 'riskLevelAggregated';

CREATE INDEX sign_ins_risk_during ON sign_ins (risk_level_during_sign_in, created_at, seq);
CREATE INDEX sign_ins_risk_aggregated ON sign_ins (risk_level_aggregated, created_at, seq);
