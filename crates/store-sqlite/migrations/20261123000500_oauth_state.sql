-- Short-lived OAuth / OpenID Connect protocol state: authorization codes, device
-- authorizations, client-assertion ids seen, refresh-family facts, revoked access-token
-- ids. Keys are hashes or random ids; the document is the portcullis-oidc record.
CREATE TABLE oauth_state (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    version BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX oauth_state_expiry ON oauth_state (expires_at);
