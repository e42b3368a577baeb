-- Indexes for the two sign-in log filters the portal and `portcullis logs signins` use
-- whose matching rows are rare: legacy-authentication clients (`clientAppUsed`) and
-- Conditional Access failures (`conditionalAccessStatus`). Without them the query walks
-- the time index newest-first until it has a page of matches: 4.3 s at 1.4 M rows for a
-- 0.1 % client, linear in the table (docs/benchmarks.md). With them the cost depends on
-- the page, like every other filter.
CREATE INDEX sign_ins_client_app ON sign_ins (client_app_used, created_at, seq);
CREATE INDEX sign_ins_ca_status ON sign_ins (conditional_access_status, created_at, seq);

-- `startswith(displayName,'Ad')` is answered with an index range scan
-- (`col >= 'ad' AND col < 'ae'`, see portcullis_store::sql). A prefix range is only
-- right under byte order; PostgreSQL compares text by the database's locale unless told
-- otherwise, under which "ad-min" need not sort between "ad" and "ae". The folded
-- lookup columns therefore use the "C" collation (byte order of UTF-8 = code point
-- order), which is also exactly SQLite's BINARY order: both backends now sort and
-- page `$orderby=displayName` identically. Changing the type rebuilds their indexes.
ALTER TABLE users
    ALTER COLUMN upn_lower TYPE TEXT COLLATE "C",
    ALTER COLUMN display_name_lower TYPE TEXT COLLATE "C",
    ALTER COLUMN mail_lower TYPE TEXT COLLATE "C";
ALTER TABLE groups
    ALTER COLUMN display_name_lower TYPE TEXT COLLATE "C",
    ALTER COLUMN mail_nickname_lower TYPE TEXT COLLATE "C";
ALTER TABLE sign_ins
    ALTER COLUMN upn_lower TYPE TEXT COLLATE "C";
