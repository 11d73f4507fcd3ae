-- The demo organisation for local runs. Idempotent: running it twice adds
-- no rows. Times are relative to now so the trial always has days left.
INSERT INTO organisations (corp_id, corp_name, agent_id, installed_at, first_installed_at, updated_at)
VALUES ('wwdemo01', '草料演示科技有限公司', 1000001,
        unixepoch() - 20 * 86400, unixepoch() - 20 * 86400, unixepoch())
ON CONFLICT (corp_id) DO NOTHING;
INSERT INTO admins (corp_id, userid, auth_type) VALUES ('wwdemo01', 'admin', 1)
ON CONFLICT DO NOTHING;
