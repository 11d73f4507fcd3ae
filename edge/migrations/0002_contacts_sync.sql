-- Contacts sync: when each organisation was last fully synced (the cron
-- reconciles the stalest first), and member lookups by range and status.
ALTER TABLE organisations ADD COLUMN last_synced_at INTEGER;
CREATE INDEX organisations_by_sync ON organisations (last_synced_at);
-- Department filters read members.department_ids with json_each, which
-- needs no per-member index rows; the unused index table goes.
DROP TABLE member_departments;
CREATE INDEX members_by_range ON members (corp_id, in_range, status, userid);
