-- Continuous access evaluation: a security epoch per user, bumped in the same transaction
-- as every write that can change whether one of the user's sessions is still good
-- (disabled or edited account, password or other methods changed, session revoked or
-- stepped up, risk detection, group or role membership), plus a directory-wide epoch for
-- changes that touch many users at once (nested groups, group roles, applications).
--
-- Why triggers: every writer (admin API, self-service password reset, bulk import, the
-- CLI, a second node) bumps the epoch without having to remember to; the bump commits
-- or rolls back with the change itself. Nodes poll `security_clock` (one row) about once
-- a second and drop what they cached for the users whose epoch moved (see
-- portcullis-service `sessions::epochs`). Users without an active session are skipped:
-- nothing is cached for them, and bulk imports stay cheap.

-- One row: `seq` counts bumps; `global_epoch` is the seq of the last directory-wide one.
CREATE TABLE security_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    global_epoch INTEGER NOT NULL
);
INSERT INTO security_clock VALUES (1, 0, 0);

-- The seq of each user's last bump. Kept after the user is deleted, so caches learn it.
CREATE TABLE user_security (
    user_id TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL
);
CREATE INDEX user_security_epoch ON user_security (epoch);

-- users
CREATE TRIGGER users_security_update AFTER UPDATE ON users
WHEN EXISTS (SELECT 1 FROM sessions WHERE user_id = NEW.id AND revoked_at IS NULL)
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (NEW.id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

-- Sessions cascade away with the user, so the test cannot look at them: always bump.
CREATE TRIGGER users_security_delete AFTER DELETE ON users
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (OLD.id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

-- credentials (password reset, methods registered or removed: they change what
-- Conditional Access sees as registered)
CREATE TRIGGER credentials_security_insert AFTER INSERT ON credentials
WHEN EXISTS (SELECT 1 FROM sessions WHERE user_id = NEW.user_id AND revoked_at IS NULL)
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (NEW.user_id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

CREATE TRIGGER credentials_security_update AFTER UPDATE ON credentials
WHEN EXISTS (SELECT 1 FROM sessions WHERE user_id = NEW.user_id AND revoked_at IS NULL)
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (NEW.user_id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

CREATE TRIGGER credentials_security_delete AFTER DELETE ON credentials
WHEN EXISTS (SELECT 1 FROM sessions WHERE user_id = OLD.user_id AND revoked_at IS NULL)
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (OLD.user_id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

-- sessions: revocation, step-up (new methods), expiry changes. The WHEN keeps a no-op
-- update from invalidating caches.
CREATE TRIGGER sessions_security_update AFTER UPDATE ON sessions
WHEN OLD.revoked_at IS NOT NEW.revoked_at OR OLD.doc IS NOT NEW.doc OR OLD.expires_at IS NOT NEW.expires_at
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (NEW.user_id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

-- risk detections (user risk)
CREATE TRIGGER risk_events_security_insert AFTER INSERT ON risk_events
WHEN NEW.user_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM sessions WHERE user_id = NEW.user_id AND revoked_at IS NULL)
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (NEW.user_id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

CREATE TRIGGER risk_events_security_update AFTER UPDATE ON risk_events
WHEN NEW.user_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM sessions WHERE user_id = NEW.user_id AND revoked_at IS NULL)
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (NEW.user_id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

-- group membership of a user (Conditional Access assignments, Remote-Groups)
CREATE TRIGGER group_members_user_insert AFTER INSERT ON group_members
WHEN NEW.member_user_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM sessions WHERE user_id = NEW.member_user_id AND revoked_at IS NULL)
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (NEW.member_user_id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

CREATE TRIGGER group_members_user_delete AFTER DELETE ON group_members
WHEN OLD.member_user_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM sessions WHERE user_id = OLD.member_user_id AND revoked_at IS NULL)
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (OLD.member_user_id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

-- nesting changes reach every member below: directory-wide
CREATE TRIGGER group_members_group_insert AFTER INSERT ON group_members
WHEN NEW.member_group_id IS NOT NULL
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;

CREATE TRIGGER group_members_group_delete AFTER DELETE ON group_members
WHEN OLD.member_group_id IS NOT NULL
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;

-- group renames show in Remote-Groups; deletions end memberships
CREATE TRIGGER groups_security_update AFTER UPDATE ON groups
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;

CREATE TRIGGER groups_security_delete AFTER DELETE ON groups
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;

-- directory roles (Conditional Access role assignments)
CREATE TRIGGER role_assignments_user_insert AFTER INSERT ON role_assignments
WHEN NEW.principal_type = 'user'
    AND EXISTS (SELECT 1 FROM sessions WHERE user_id = NEW.principal_id AND revoked_at IS NULL)
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (NEW.principal_id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

CREATE TRIGGER role_assignments_user_delete AFTER DELETE ON role_assignments
WHEN OLD.principal_type = 'user'
    AND EXISTS (SELECT 1 FROM sessions WHERE user_id = OLD.principal_id AND revoked_at IS NULL)
BEGIN
    UPDATE security_clock SET seq = seq + 1 WHERE id = 1;
    INSERT INTO user_security (user_id, epoch) VALUES (OLD.principal_id, (SELECT seq FROM security_clock WHERE id = 1))
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
END;

CREATE TRIGGER role_assignments_group_insert AFTER INSERT ON role_assignments
WHEN NEW.principal_type = 'group'
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;

CREATE TRIGGER role_assignments_group_delete AFTER DELETE ON role_assignments
WHEN OLD.principal_type = 'group'
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;

-- applications (forward-auth hosts, paths and header settings)
CREATE TRIGGER applications_security_insert AFTER INSERT ON applications
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;

CREATE TRIGGER applications_security_update AFTER UPDATE ON applications
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;

CREATE TRIGGER applications_security_delete AFTER DELETE ON applications
BEGIN
    UPDATE security_clock SET seq = seq + 1, global_epoch = seq + 1 WHERE id = 1;
END;
