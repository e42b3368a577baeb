-- Portcullis Authenticator state (crates/push rules, crates/service/src/push edge).
-- Devices are credentials (kind microsoftAuthenticator); these tables hold what is
-- short-lived or per user: one-time activation codes (SHA-256 only), push approvals with
-- their change time for the cross-node change feed, and each user's fatigue state.
CREATE TABLE push_activations (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX push_activations_expiry ON push_activations (expires_at);

CREATE TABLE push_approvals (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX push_approvals_user_state ON push_approvals (user_id, state, expires_at);
CREATE INDEX push_approvals_changed ON push_approvals (changed_at);
CREATE INDEX push_approvals_expiry ON push_approvals (expires_at);

CREATE TABLE push_fatigue (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
