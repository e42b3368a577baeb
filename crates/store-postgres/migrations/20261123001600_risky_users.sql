-- Each user's current risk (Graph `riskyUser`), recomputed from their risk detections by
-- every write of a detection in the same transaction (portcullis_core::user_risk), so a
-- sign-in reads one row by primary key instead of aggregating the detections.
--
-- Unlike other tables there is no `doc`: every field is a column, which lets this
-- migration derive the rows of detections stored before it (below) in plain SQL.
CREATE TABLE risky_users (
    id TEXT PRIMARY KEY,                 -- the user's id (no foreign key: a deleted user stays listed)
    risk_level TEXT NOT NULL,            -- none | low | medium | high
    risk_state TEXT NOT NULL,            -- none | atRisk | confirmedCompromised | remediated | dismissed | confirmedSafe
    risk_detail TEXT NOT NULL,
    updated_at BIGINT NOT NULL,          -- riskLastUpdatedDateTime
    expires_at BIGINT,                   -- low risk ages out here
    high_detected_at BIGINT              -- newest open high detection
);
CREATE INDEX risky_users_level ON risky_users (risk_level, id);
CREATE INDEX risky_users_state ON risky_users (risk_state, id);

-- Users with open detections before this migration: highest open level, confirmed or at
-- risk. (Users whose detections were all resolved get their row at the next write.)
INSERT INTO risky_users (id, risk_level, risk_state, risk_detail, updated_at, expires_at, high_detected_at)
SELECT user_id,
       CASE MAX(lvl) WHEN 3 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END,
       CASE WHEN MAX(confirmed) = 1 THEN 'confirmedCompromised' ELSE 'atRisk' END,
       CASE WHEN MAX(confirmed) = 1 THEN 'adminConfirmedUserCompromised' ELSE 'none' END,
       MAX(detected_at),
       CASE WHEN MAX(lvl) = 1 THEN MAX(detected_at) + 15552000000000 END,
       MAX(CASE WHEN lvl = 3 THEN detected_at END)
FROM (
    SELECT user_id, detected_at,
           CASE (doc::jsonb ->> 'riskLevel') WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END AS lvl,
           CASE (doc::jsonb ->> 'riskState') WHEN 'confirmedCompromised' THEN 1 ELSE 0 END AS confirmed
    FROM risk_events
    WHERE user_id IS NOT NULL
      AND (doc::jsonb ->> 'riskState') IN ('atRisk', 'confirmedCompromised')
) AS open_events
WHERE lvl > 0
GROUP BY user_id;
