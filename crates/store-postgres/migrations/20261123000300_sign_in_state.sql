-- Sign-in service state: transactions in progress (several nodes serve one sign-in),
-- users' smart-lockout and registration-nudge state, the authentication facts of each
-- session a sign-in created, and the evaluation input of each sign-in log entry (for
-- replaying draft policies over past sign-ins).

CREATE TABLE sign_in_transactions (
    id_hash TEXT PRIMARY KEY,
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX sign_in_transactions_expiry ON sign_in_transactions (expires_at);

CREATE TABLE user_sign_in_state (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE sign_in_session_facts (
    session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    doc TEXT NOT NULL
);

ALTER TABLE sign_ins ADD COLUMN evaluation_input TEXT;
