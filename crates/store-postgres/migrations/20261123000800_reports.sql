-- Dashboard rollups (portcullis-store `ReportStore`). Triggers keep them current as the
-- sign-in log and the credentials change, so dashboards read a few hundred indexed rows
-- instead of scanning a log of millions. Times are Unix microseconds; buckets are hours.

-- Sign-ins per hour by result, error code, legacy client and risk level.
CREATE TABLE report_sign_in_hours (
    hour BIGINT NOT NULL,
    result TEXT NOT NULL,
    error_code BIGINT NOT NULL,
    legacy BOOLEAN NOT NULL,
    risk_level TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (hour, result, error_code, legacy, risk_level)
);

-- Policy results that did something (enforced or report-only), per hour.
CREATE TABLE report_policy_hours (
    hour BIGINT NOT NULL,
    policy_id TEXT NOT NULL,
    result TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (hour, policy_id, result)
);
CREATE INDEX report_policy_hours_policy ON report_policy_hours (policy_id, hour);

-- One row per sign-in a policy blocked, or in report-only would have blocked or
-- challenged: the "who" of the impact view.
CREATE TABLE report_policy_sign_ins (
    policy_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sign_in_seq BIGINT NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (policy_id, created_at, sign_in_seq)
);

-- Each user's strongest registered method: 1 single factor, 2 MFA, 3 phishing-resistant.
-- Users without a row have none.
CREATE TABLE report_user_methods (
    user_id TEXT PRIMARY KEY,
    tier INTEGER NOT NULL
);
CREATE INDEX report_user_methods_tier ON report_user_methods (tier);

CREATE FUNCTION report_sign_in_result(code BIGINT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN code = 0 THEN 'success'
                WHEN code IN (50074, 50072, 50125) THEN 'interrupted'
                ELSE 'failure' END
$$;

CREATE FUNCTION report_method_tier(kind TEXT) RETURNS INTEGER
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE kind
        WHEN 'fido2' THEN 3
        WHEN 'softwareOath' THEN 2 WHEN 'microsoftAuthenticator' THEN 2 WHEN 'phone' THEN 2
        WHEN 'password' THEN 1 WHEN 'email' THEN 1
        ELSE 0 END
$$;

CREATE FUNCTION report_sign_in_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_doc JSONB := NEW.doc::jsonb;
    v_hour BIGINT := NEW.created_at - (NEW.created_at % 3600000000);
BEGIN
    INSERT INTO report_sign_in_hours AS h (hour, result, error_code, legacy, risk_level, count)
    VALUES (
        v_hour,
        report_sign_in_result(NEW.error_code),
        NEW.error_code,
        COALESCE(NEW.client_app_used NOT IN ('Browser', 'Mobile Apps and Desktop clients'), FALSE),
        COALESCE(v_doc ->> 'riskLevelDuringSignIn', 'none'),
        1)
    ON CONFLICT (hour, result, error_code, legacy, risk_level)
    DO UPDATE SET count = h.count + 1;

    IF jsonb_typeof(v_doc -> 'appliedConditionalAccessPolicies') = 'array' THEN
        INSERT INTO report_policy_hours AS h (hour, policy_id, result, count)
        SELECT v_hour, p ->> 'id', p ->> 'result', COUNT(*)
        FROM jsonb_array_elements(v_doc -> 'appliedConditionalAccessPolicies') AS p
        WHERE p ->> 'result' IN
            ('success', 'failure', 'reportOnlySuccess', 'reportOnlyFailure', 'reportOnlyInterrupted')
          AND p ->> 'id' IS NOT NULL
        GROUP BY 1, 2, 3
        ON CONFLICT (hour, policy_id, result) DO UPDATE SET count = h.count + EXCLUDED.count;

        INSERT INTO report_policy_sign_ins (policy_id, created_at, sign_in_seq, result)
        SELECT p ->> 'id', NEW.created_at, NEW.seq, p ->> 'result'
        FROM jsonb_array_elements(v_doc -> 'appliedConditionalAccessPolicies') AS p
        WHERE p ->> 'result' IN ('failure', 'reportOnlyFailure', 'reportOnlyInterrupted')
          AND p ->> 'id' IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER report_sign_in_insert AFTER INSERT ON sign_ins
    FOR EACH ROW EXECUTE FUNCTION report_sign_in_insert();

-- Retention deletes old sign-ins; their impact rows go with them.
CREATE FUNCTION report_sign_in_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM report_policy_sign_ins
    WHERE created_at = OLD.created_at AND sign_in_seq = OLD.seq;
    RETURN NULL;
END
$$;

CREATE TRIGGER report_sign_in_delete AFTER DELETE ON sign_ins
    FOR EACH ROW EXECUTE FUNCTION report_sign_in_delete();

CREATE FUNCTION report_credential_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    affected TEXT := CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
BEGIN
    DELETE FROM report_user_methods WHERE user_id = affected;
    INSERT INTO report_user_methods (user_id, tier)
    SELECT user_id, MAX(report_method_tier(kind))
    FROM credentials WHERE user_id = affected
    GROUP BY user_id HAVING MAX(report_method_tier(kind)) > 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER report_credential_change AFTER INSERT OR DELETE ON credentials
    FOR EACH ROW EXECUTE FUNCTION report_credential_change();

-- Rows written before this migration.
INSERT INTO report_sign_in_hours (hour, result, error_code, legacy, risk_level, count)
SELECT created_at - (created_at % 3600000000),
       report_sign_in_result(error_code),
       error_code,
       COALESCE(client_app_used NOT IN ('Browser', 'Mobile Apps and Desktop clients'), FALSE),
       COALESCE(doc::jsonb ->> 'riskLevelDuringSignIn', 'none'),
       COUNT(*)
FROM sign_ins GROUP BY 1, 2, 3, 4, 5;

INSERT INTO report_policy_hours (hour, policy_id, result, count)
SELECT s.created_at - (s.created_at % 3600000000), p ->> 'id', p ->> 'result', COUNT(*)
FROM sign_ins AS s,
     jsonb_array_elements(CASE WHEN jsonb_typeof(s.doc::jsonb -> 'appliedConditionalAccessPolicies') = 'array'
                               THEN s.doc::jsonb -> 'appliedConditionalAccessPolicies'
                               ELSE '[]'::jsonb END) AS p
WHERE p ->> 'result' IN
    ('success', 'failure', 'reportOnlySuccess', 'reportOnlyFailure', 'reportOnlyInterrupted')
  AND p ->> 'id' IS NOT NULL
GROUP BY 1, 2, 3;

INSERT INTO report_policy_sign_ins (policy_id, created_at, sign_in_seq, result)
SELECT p ->> 'id', s.created_at, s.seq, p ->> 'result'
FROM sign_ins AS s,
     jsonb_array_elements(CASE WHEN jsonb_typeof(s.doc::jsonb -> 'appliedConditionalAccessPolicies') = 'array'
                               THEN s.doc::jsonb -> 'appliedConditionalAccessPolicies'
                               ELSE '[]'::jsonb END) AS p
WHERE p ->> 'result' IN ('failure', 'reportOnlyFailure', 'reportOnlyInterrupted')
  AND p ->> 'id' IS NOT NULL
ON CONFLICT DO NOTHING;

INSERT INTO report_user_methods (user_id, tier)
SELECT user_id, MAX(report_method_tier(kind))
FROM credentials GROUP BY user_id HAVING MAX(report_method_tier(kind)) > 0;
