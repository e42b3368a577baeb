-- The audit log filtered by activity (`activityDisplayName eq '…'`): the portal's
-- overview lists the newest break-glass sign-in alerts this way, on every page view, so
-- it must seek their few rows instead of walking the whole log's time index.
CREATE INDEX audit_log_activity ON audit_log (activity_display_name, activity_at, seq);
