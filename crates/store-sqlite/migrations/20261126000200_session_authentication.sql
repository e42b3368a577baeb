-- The authentication facts a sign-in stores with the session it creates move into a
-- column of the session's own row: one insert per new session instead of two (each
-- SQLite statement is a round trip to the connection's worker thread, and the facts'
-- table wrote its own B-tree pages at every sign-in). Sessions created otherwise have
-- none, as before. The update below changes no column the security triggers watch.

ALTER TABLE sessions ADD COLUMN authentication TEXT;
UPDATE sessions SET authentication =
    (SELECT doc FROM sign_in_session_facts WHERE session_id = sessions.id);
DROP TABLE sign_in_session_facts;
