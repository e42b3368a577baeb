-- Indexes for the two sign-in log filters the portal and `portcullis logs signins` use
-- whose matching rows are rare: legacy-authentication clients (`clientAppUsed`) and
-- Conditional Access failures (`conditionalAccessStatus`). Without them the query walks
-- the time index newest-first until it has a page of matches: 4.3 s at 1.4 M rows for a
-- 0.1 % client, linear in the table (docs/benchmarks.md). With them the cost depends on
-- the page, like every other filter.
CREATE INDEX sign_ins_client_app ON sign_ins (client_app_used, created_at, seq);
CREATE INDEX sign_ins_ca_status ON sign_ins (conditional_access_status, created_at, seq);
