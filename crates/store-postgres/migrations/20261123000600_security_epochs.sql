-- Continuous access evaluation: a security epoch per user, bumped in the same transaction
-- as every write that can change whether one of the user's sessions is still good
-- (disabled or edited account, password or other methods changed, session revoked or
-- stepped up, risk detection, group or role membership), plus a directory-wide epoch for
-- changes that touch many users at once (nested groups, group roles, applications).
--
-- Why triggers: every writer (admin API, self-service password reset, bulk import, the
-- CLI, every node) bumps the epoch without having to remember to; the bump commits or
-- rolls back with the change itself. `UPDATE security_clock` row-locks the clock until
-- commit, so seq order is commit order and a node polling "epochs above N" never skips a
-- change that commits late. Nodes poll the clock (one row) about once a second and drop
-- what they cached for the users whose epoch moved (see portcullis-service
-- `sessions::epochs`). Users without an active session are skipped: nothing is cached
-- for them, and bulk imports stay cheap.

CREATE TABLE security_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    global_epoch BIGINT NOT NULL
);
INSERT INTO security_clock VALUES (1, 0, 0);

CREATE TABLE user_security (
    user_id TEXT PRIMARY KEY,
    epoch BIGINT NOT NULL
);
CREATE INDEX user_security_epoch ON user_security (epoch);

-- Bumps one user's epoch, when `only_with_sessions` is false or they have an active session.
CREATE FUNCTION portcullis_bump_user_security(target TEXT, only_with_sessions BOOLEAN)
RETURNS VOID AS $$
DECLARE
    next_seq BIGINT;
BEGIN
    IF target IS NULL THEN
        RETURN;
    END IF;
    IF only_with_sessions AND NOT EXISTS (
        SELECT 1 FROM sessions WHERE user_id = target AND revoked_at IS NULL
    ) THEN
        RETURN;
    END IF;
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO next_seq;
    INSERT INTO user_security (user_id, epoch) VALUES (target, next_seq)
        ON CONFLICT (user_id) DO UPDATE SET epoch = EXCLUDED.epoch;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION portcullis_bump_global_security() RETURNS VOID AS $$
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;
$$ LANGUAGE plpgsql;

-- users: any update; a deletion always (its sessions cascade away with it)
CREATE FUNCTION portcullis_users_security() RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM portcullis_bump_user_security(OLD.id, FALSE);
    ELSE
        PERFORM portcullis_bump_user_security(NEW.id, TRUE);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER users_security AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION portcullis_users_security();

-- credentials (password reset, methods registered or removed) and risk detections
CREATE FUNCTION portcullis_user_column_security() RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM portcullis_bump_user_security(OLD.user_id, TRUE);
    ELSE
        PERFORM portcullis_bump_user_security(NEW.user_id, TRUE);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER credentials_security AFTER INSERT OR UPDATE OR DELETE ON credentials
    FOR EACH ROW EXECUTE FUNCTION portcullis_user_column_security();
CREATE TRIGGER risk_events_security AFTER INSERT OR UPDATE ON risk_events
    FOR EACH ROW EXECUTE FUNCTION portcullis_user_column_security();

-- sessions: revocation, step-up (new methods), expiry changes; a no-op update is ignored
CREATE FUNCTION portcullis_sessions_security() RETURNS TRIGGER AS $$
BEGIN
    IF OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
        OR OLD.doc IS DISTINCT FROM NEW.doc
        OR OLD.expires_at IS DISTINCT FROM NEW.expires_at THEN
        PERFORM portcullis_bump_user_security(NEW.user_id, FALSE);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sessions_security AFTER UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION portcullis_sessions_security();

-- group membership: a user's own is theirs; nesting reaches every member below
CREATE FUNCTION portcullis_group_members_security() RETURNS TRIGGER AS $$
DECLARE
    row_user TEXT;
    row_group TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        row_user := OLD.member_user_id;
        row_group := OLD.member_group_id;
    ELSE
        row_user := NEW.member_user_id;
        row_group := NEW.member_group_id;
    END IF;
    IF row_group IS NOT NULL THEN
        PERFORM portcullis_bump_global_security();
    ELSE
        PERFORM portcullis_bump_user_security(row_user, TRUE);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER group_members_security AFTER INSERT OR DELETE ON group_members
    FOR EACH ROW EXECUTE FUNCTION portcullis_group_members_security();

-- directory roles: a user's own is theirs; a group's reaches every member
CREATE FUNCTION portcullis_role_assignments_security() RETURNS TRIGGER AS $$
DECLARE
    kind TEXT;
    principal TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        kind := OLD.principal_type;
        principal := OLD.principal_id;
    ELSE
        kind := NEW.principal_type;
        principal := NEW.principal_id;
    END IF;
    IF kind = 'user' THEN
        PERFORM portcullis_bump_user_security(principal, TRUE);
    ELSIF kind = 'group' THEN
        PERFORM portcullis_bump_global_security();
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER role_assignments_security AFTER INSERT OR DELETE ON role_assignments
    FOR EACH ROW EXECUTE FUNCTION portcullis_role_assignments_security();

-- groups (renames show in Remote-Groups) and applications (forward-auth routing)
CREATE FUNCTION portcullis_global_security() RETURNS TRIGGER AS $$
BEGIN
    PERFORM portcullis_bump_global_security();
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER groups_security AFTER UPDATE OR DELETE ON groups
    FOR EACH ROW EXECUTE FUNCTION portcullis_global_security();
CREATE TRIGGER applications_security AFTER INSERT OR UPDATE OR DELETE ON applications
    FOR EACH ROW EXECUTE FUNCTION portcullis_global_security();
