-- Portcullis schema (PostgreSQL). Same tables and columns as the SQLite schema, so both
-- backends run the same SQL: JSON documents in TEXT `doc` columns (TEXT, not JSONB, keeps
-- the audit records byte-for-byte), times as BIGINT Unix microseconds.

-- One row: the audit chain head (locked FOR UPDATE by every commit) and the policy version.
CREATE TABLE store_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    policy_version BIGINT NOT NULL,
    audit_seq BIGINT NOT NULL,
    audit_head_hash TEXT NOT NULL,
    audit_start_seq BIGINT NOT NULL,
    audit_start_hash TEXT NOT NULL
);
INSERT INTO store_state VALUES (1, 0, 0,
    '0000000000000000000000000000000000000000000000000000000000000000', 0,
    '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    upn_lower TEXT NOT NULL UNIQUE,
    display_name_lower TEXT NOT NULL,
    mail_lower TEXT,
    user_type TEXT NOT NULL,
    account_enabled BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX users_display_name ON users (display_name_lower, id);
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_mail ON users (mail_lower);

CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    display_name_lower TEXT NOT NULL,
    mail_nickname_lower TEXT,
    is_assignable_to_role BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX groups_display_name ON groups (display_name_lower, id);
CREATE INDEX groups_created ON groups (created_at, id);

-- A member is a user or a group (exactly one column set).
CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    member_group_id TEXT REFERENCES groups (id) ON DELETE CASCADE,
    CHECK ((member_user_id IS NULL) <> (member_group_id IS NULL)),
    UNIQUE (group_id, member_user_id),
    UNIQUE (group_id, member_group_id)
);
CREATE INDEX group_members_user ON group_members (member_user_id, group_id);
CREATE INDEX group_members_group ON group_members (member_group_id, group_id);

CREATE TABLE role_assignments (
    id TEXT PRIMARY KEY,
    principal_type TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    role_template_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (principal_type, principal_id, role_template_id)
);
CREATE INDEX role_assignments_role ON role_assignments (role_template_id);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE application_secrets (
    key_id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX application_secrets_app ON application_secrets (application_id);

CREATE TABLE policy_objects (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX credentials_user ON credentials (user_id, created_at);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    doc TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    family_id TEXT NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT,
    doc TEXT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    owner_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    registered_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX devices_owner ON devices (owner_user_id);

CREATE TABLE sign_ins (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    user_id TEXT,
    upn_lower TEXT,
    app_id TEXT,
    ip_address TEXT,
    client_app_used TEXT,
    conditional_access_status TEXT NOT NULL,
    error_code BIGINT NOT NULL,
    correlation_id TEXT,
    is_interactive BOOLEAN NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX sign_ins_created ON sign_ins (created_at);
CREATE INDEX sign_ins_user ON sign_ins (user_id, seq);
CREATE INDEX sign_ins_upn ON sign_ins (upn_lower, seq);
CREATE INDEX sign_ins_app ON sign_ins (app_id, seq);
CREATE INDEX sign_ins_ip ON sign_ins (ip_address, seq);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    activity_at BIGINT NOT NULL,
    category TEXT NOT NULL,
    activity_display_name TEXT NOT NULL,
    result TEXT NOT NULL,
    correlation_id TEXT,
    logged_by_service TEXT NOT NULL,
    operation_type TEXT NOT NULL,
    initiated_by_user_id TEXT,
    initiated_by_app_id TEXT,
    target_resource_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (activity_at);
CREATE INDEX audit_log_target ON audit_log (target_resource_id, seq);
CREATE INDEX audit_log_actor ON audit_log (initiated_by_user_id, seq);

CREATE TABLE risk_events (
    id TEXT PRIMARY KEY,
    user_id TEXT,
    detected_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX risk_events_user ON risk_events (user_id, detected_at);
CREATE INDEX risk_events_time ON risk_events (detected_at);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
