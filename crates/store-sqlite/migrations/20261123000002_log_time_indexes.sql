-- Log listings are ordered newest first by time, then seq; these indexes let a page be
-- read by walking an index backwards from the window's end, whatever the window.
DROP INDEX sign_ins_created;
DROP INDEX sign_ins_user;
DROP INDEX sign_ins_upn;
DROP INDEX sign_ins_app;
DROP INDEX sign_ins_ip;
CREATE INDEX sign_ins_time ON sign_ins (created_at, seq);
CREATE INDEX sign_ins_user ON sign_ins (user_id, created_at, seq);
CREATE INDEX sign_ins_upn ON sign_ins (upn_lower, created_at, seq);
CREATE INDEX sign_ins_app ON sign_ins (app_id, created_at, seq);
CREATE INDEX sign_ins_ip ON sign_ins (ip_address, created_at, seq);
CREATE INDEX sign_ins_error ON sign_ins (error_code, created_at, seq);

DROP INDEX audit_log_time;
DROP INDEX audit_log_target;
DROP INDEX audit_log_actor;
CREATE INDEX audit_log_time ON audit_log (activity_at, seq);
CREATE INDEX audit_log_target ON audit_log (target_resource_id, activity_at, seq);
CREATE INDEX audit_log_actor ON audit_log (initiated_by_user_id, activity_at, seq);
CREATE INDEX audit_log_category ON audit_log (category, activity_at, seq);
