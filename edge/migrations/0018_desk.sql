-- The provider's desk: one row per installed organisation, what the desk
-- shows and filters on, kept by the cron's reconcile (and written at
-- install), so a page of 50 000 organisations reads one index, not every
-- organisation's seats and members. 0 stands for "none" in the times.
CREATE TABLE desk (
  corp_id            TEXT PRIMARY KEY,
  corp_name          TEXT NOT NULL DEFAULT '',
  members_in_range   INTEGER NOT NULL DEFAULT 0,
  seats_bought       INTEGER NOT NULL DEFAULT 0,
  seats_active       INTEGER NOT NULL DEFAULT 0,
  seats_free         INTEGER NOT NULL DEFAULT 0,
  seats_expiring     INTEGER NOT NULL DEFAULT 0,
  asking             INTEGER NOT NULL DEFAULT 0,
  refused            INTEGER NOT NULL DEFAULT 0,
  trial_ends_at      INTEGER NOT NULL DEFAULT 0,
  license_check_time INTEGER NOT NULL DEFAULT 0,
  failed_events      INTEGER NOT NULL DEFAULT 0,
  last_sync_at       INTEGER NOT NULL DEFAULT 0,
  sync_state         TEXT NOT NULL DEFAULT 'idle',
  updated_at         INTEGER NOT NULL
);
-- Each sortable column, with the corp id as the tie-break the cursor uses.
CREATE INDEX desk_by_name ON desk (corp_name, corp_id);
CREATE INDEX desk_by_members ON desk (members_in_range, corp_id);
CREATE INDEX desk_by_bought ON desk (seats_bought, corp_id);
CREATE INDEX desk_by_active ON desk (seats_active, corp_id);
CREATE INDEX desk_by_free ON desk (seats_free, corp_id);
CREATE INDEX desk_by_expiring ON desk (seats_expiring, corp_id);
CREATE INDEX desk_by_asking ON desk (asking, corp_id);
CREATE INDEX desk_by_refused ON desk (refused, corp_id);
CREATE INDEX desk_by_trial ON desk (trial_ends_at, corp_id);
CREATE INDEX desk_by_failed ON desk (failed_events, corp_id);
CREATE INDEX desk_by_sync ON desk (last_sync_at, corp_id);

-- The provider's operators sign in too: sessions take a third role. SQLite
-- cannot change a CHECK in place, so the table is made again, rows kept.
CREATE TABLE sessions_with_operators (
  corp_id     TEXT NOT NULL,
  sid         TEXT NOT NULL PRIMARY KEY,
  userid      TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('admin','member','operator')),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  auth_type   INTEGER
);
INSERT INTO sessions_with_operators (corp_id, sid, userid, role, created_at, expires_at, auth_type)
  SELECT corp_id, sid, userid, role, created_at, expires_at, auth_type FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_with_operators RENAME TO sessions;
CREATE INDEX sessions_by_corp ON sessions (corp_id, userid);
