-- The session a refresh token continues, as a column beside the document: a refresh
-- grant reads the presented token, its user's facts and that session in one statement
-- keyed by the token's hash (shared_sql/grant_subject.rs), which needs the session id
-- where SQL can join on it. Tokens issued before this migration get it from their
-- document.
ALTER TABLE refresh_tokens ADD COLUMN session_id TEXT;
UPDATE refresh_tokens SET session_id = json_extract(doc, '$.sessionId');
