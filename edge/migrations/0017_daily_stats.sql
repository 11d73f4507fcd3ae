-- One row per organisation and day (China Standard Time, as days since
-- 1970-01-01): seats bought and active, members in range and members
-- asking for a seat without one, as the cron's reconcile last saw them
-- that day. The overview's trends read the last 90 days.
CREATE TABLE daily_stats (
  corp_id          TEXT NOT NULL,
  day              INTEGER NOT NULL,
  seats_bought     INTEGER NOT NULL,
  seats_active     INTEGER NOT NULL,
  members_in_range INTEGER NOT NULL,
  asking           INTEGER NOT NULL,
  PRIMARY KEY (corp_id, day)
);
