-- The sign-in's risk as columns of their own, so the log can be filtered by
-- `riskLevelDuringSignIn` and `riskLevelAggregated` (portal and Graph `$filter`) through
-- an index walk like every other filter: risky sign-ins are rare, and without an index a
-- page of them would walk the time index over most of the log.
ALTER TABLE sign_ins ADD COLUMN risk_level_during_sign_in TEXT;
ALTER TABLE sign_ins ADD COLUMN risk_level_aggregated TEXT;

-- Entries written before this migration carry their risk only in the stored document.
-- Only insert and delete triggers exist on sign_ins, so this does not touch the rollups.
UPDATE sign_ins SET
    risk_level_during_sign_in = json_extract(doc, '$.riskLevelDuringSignIn'),
    risk_level_aggregated = json_extract(doc, '$.riskLevelAggregated')
WHERE json_valid(doc);

CREATE INDEX sign_ins_risk_during ON sign_ins (risk_level_during_sign_in, created_at, seq);
CREATE INDEX sign_ins_risk_aggregated ON sign_ins (risk_level_aggregated, created_at, seq);
