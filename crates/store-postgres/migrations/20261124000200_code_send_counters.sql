-- One-time code send counters (SMS, voice, email), one row per throttle key: a
-- destination or a user. Claimed by one conditional upsert each, so two racing sends
-- cannot both pass a limit (see shared_sql/code_sends.rs). Times are Unix microseconds.
CREATE TABLE code_send_counters (
    throttle_key TEXT PRIMARY KEY,
    window_started_at BIGINT NOT NULL,
    sends BIGINT NOT NULL,
    last_sent_at BIGINT NOT NULL
);

CREATE INDEX code_send_counters_last_sent ON code_send_counters (last_sent_at);
