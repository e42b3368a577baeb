-- Dashboard rollups (portcullis-store `ReportStore`). Triggers keep them current as the
-- sign-in log and the credentials change, so dashboards read a few hundred indexed rows
-- instead of scanning a log of millions. Times are Unix microseconds; buckets are hours.

-- Sign-ins per hour by result, error code, legacy client and risk level.
CREATE TABLE report_sign_in_hours (
    hour INTEGER NOT NULL,
    result TEXT NOT NULL,
    error_code INTEGER NOT NULL,
    legacy BOOLEAN NOT NULL,
    risk_level TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (hour, result, error_code, legacy, risk_level)
) WITHOUT ROWID;

-- Policy results that did something (enforced or report-only), per hour.
CREATE TABLE report_policy_hours (
    hour INTEGER NOT NULL,
    policy_id TEXT NOT NULL,
    result TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (hour, policy_id, result)
) WITHOUT ROWID;
CREATE INDEX report_policy_hours_policy ON report_policy_hours (policy_id, hour);

-- One row per sign-in a policy blocked, or in report-only would have blocked or
-- challenged: the "who" of the impact view.
CREATE TABLE report_policy_sign_ins (
    policy_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sign_in_seq INTEGER NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (policy_id, created_at, sign_in_seq)
) WITHOUT ROWID;

-- Each user's strongest registered method: 1 single factor, 2 MFA, 3 phishing-resistant.
-- Users without a row have none.
CREATE TABLE report_user_methods (
    user_id TEXT PRIMARY KEY,
    tier INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX report_user_methods_tier ON report_user_methods (tier);

CREATE TRIGGER report_sign_in_insert AFTER INSERT ON sign_ins
BEGIN
    INSERT INTO report_sign_in_hours (hour, result, error_code, legacy, risk_level, count)
    VALUES (
        NEW.created_at - (NEW.created_at % 3600000000),
        CASE WHEN NEW.error_code = 0 THEN 'success'
             WHEN NEW.error_code IN (50074, 50072, 50125) THEN 'interrupted'
             ELSE 'failure' END,
        NEW.error_code,
        COALESCE(NEW.client_app_used NOT IN ('Browser', 'Mobile Apps and Desktop clients'), 0),
        COALESCE(json_extract(NEW.doc, '$.riskLevelDuringSignIn'), 'none'),
        1)
    ON CONFLICT (hour, result, error_code, legacy, risk_level) DO UPDATE SET count = count + 1;

    INSERT INTO report_policy_hours (hour, policy_id, result, count)
    SELECT NEW.created_at - (NEW.created_at % 3600000000),
           json_extract(p.value, '$.id'), json_extract(p.value, '$.result'), 1
    FROM json_each(NEW.doc, '$.appliedConditionalAccessPolicies') AS p
    WHERE json_extract(p.value, '$.result') IN
        ('success', 'failure', 'reportOnlySuccess', 'reportOnlyFailure', 'reportOnlyInterrupted')
      AND json_extract(p.value, '$.id') IS NOT NULL
    ON CONFLICT (hour, policy_id, result) DO UPDATE SET count = count + 1;

    INSERT OR IGNORE INTO report_policy_sign_ins (policy_id, created_at, sign_in_seq, result)
    SELECT json_extract(p.value, '$.id'), NEW.created_at, NEW.seq, json_extract(p.value, '$.result')
    FROM json_each(NEW.doc, '$.appliedConditionalAccessPolicies') AS p
    WHERE json_extract(p.value, '$.result') IN ('failure', 'reportOnlyFailure', 'reportOnlyInterrupted')
      AND json_extract(p.value, '$.id') IS NOT NULL;
END;

-- Retention deletes old sign-ins; their impact rows go with them.
CREATE TRIGGER report_sign_in_delete AFTER DELETE ON sign_ins
BEGIN
    DELETE FROM report_policy_sign_ins
    WHERE created_at = OLD.created_at AND sign_in_seq = OLD.seq
      AND policy_id IN (SELECT json_extract(p.value, '$.id')
                        FROM json_each(OLD.doc, '$.appliedConditionalAccessPolicies') AS p);
END;

CREATE TRIGGER report_credential_insert AFTER INSERT ON credentials
BEGIN
    DELETE FROM report_user_methods WHERE user_id = NEW.user_id;
    INSERT INTO report_user_methods (user_id, tier)
    SELECT user_id, MAX(CASE kind
        WHEN 'fido2' THEN 3
        WHEN 'softwareOath' THEN 2 WHEN 'microsoftAuthenticator' THEN 2 WHEN 'phone' THEN 2
        WHEN 'password' THEN 1 WHEN 'email' THEN 1
        ELSE 0 END) AS tier
    FROM credentials WHERE user_id = NEW.user_id GROUP BY user_id HAVING tier > 0;
END;

CREATE TRIGGER report_credential_delete AFTER DELETE ON credentials
BEGIN
    DELETE FROM report_user_methods WHERE user_id = OLD.user_id;
    INSERT INTO report_user_methods (user_id, tier)
    SELECT user_id, MAX(CASE kind
        WHEN 'fido2' THEN 3
        WHEN 'softwareOath' THEN 2 WHEN 'microsoftAuthenticator' THEN 2 WHEN 'phone' THEN 2
        WHEN 'password' THEN 1 WHEN 'email' THEN 1
        ELSE 0 END) AS tier
    FROM credentials WHERE user_id = OLD.user_id GROUP BY user_id HAVING tier > 0;
END;

-- Rows written before this migration.
INSERT INTO report_sign_in_hours (hour, result, error_code, legacy, risk_level, count)
SELECT created_at - (created_at % 3600000000),
       CASE WHEN error_code = 0 THEN 'success'
            WHEN error_code IN (50074, 50072, 50125) THEN 'interrupted'
            ELSE 'failure' END,
       error_code,
       COALESCE(client_app_used NOT IN ('Browser', 'Mobile Apps and Desktop clients'), 0),
       COALESCE(json_extract(doc, '$.riskLevelDuringSignIn'), 'none'),
       COUNT(*)
FROM sign_ins GROUP BY 1, 2, 3, 4, 5;

INSERT INTO report_policy_hours (hour, policy_id, result, count)
SELECT s.created_at - (s.created_at % 3600000000),
       json_extract(p.value, '$.id'), json_extract(p.value, '$.result'), COUNT(*)
FROM sign_ins AS s, json_each(s.doc, '$.appliedConditionalAccessPolicies') AS p
WHERE json_extract(p.value, '$.result') IN
    ('success', 'failure', 'reportOnlySuccess', 'reportOnlyFailure', 'reportOnlyInterrupted')
  AND json_extract(p.value, '$.id') IS NOT NULL
GROUP BY 1, 2, 3;

INSERT OR IGNORE INTO report_policy_sign_ins (policy_id, created_at, sign_in_seq, result)
SELECT json_extract(p.value, '$.id'), s.created_at, s.seq, json_extract(p.value, '$.result')
FROM sign_ins AS s, json_each(s.doc, '$.appliedConditionalAccessPolicies') AS p
WHERE json_extract(p.value, '$.result') IN ('failure', 'reportOnlyFailure', 'reportOnlyInterrupted')
  AND json_extract(p.value, '$.id') IS NOT NULL;

INSERT INTO report_user_methods (user_id, tier)
SELECT user_id, MAX(CASE kind
    WHEN 'fido2' THEN 3
    WHEN 'softwareOath' THEN 2 WHEN 'microsoftAuthenticator' THEN 2 WHEN 'phone' THEN 2
    WHEN 'password' THEN 1 WHEN 'email' THEN 1
    ELSE 0 END) AS tier
FROM credentials GROUP BY user_id HAVING tier > 0;
