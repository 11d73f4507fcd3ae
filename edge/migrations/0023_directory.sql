-- The directory (edge/src/shard.rs): which D1 database holds each
-- organisation, by its binding's name. It lives in the home database (the
-- first of D1_DATABASES); every database gets the same schema, so this
-- table stays empty elsewhere. An organisation without a row lives in the
-- home database (every organisation installed before the directory).
CREATE TABLE org_homes (
  corp_id   TEXT PRIMARY KEY,
  binding   TEXT NOT NULL,
  placed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- An install in progress (edge/src/install.rs): the create_auth event's row
-- on the home database keeps it (the permanent code sealed), written before
-- the organisation's own database, so a pass after a failure in between
-- finishes the install without spending WeCom's single-use auth code.
ALTER TABLE events ADD COLUMN install TEXT;

-- Every organisation installed so far lives on the home database.
INSERT INTO org_homes (corp_id, binding, placed_at)
  SELECT corp_id, 'DB', coalesce(installed_at, 0) FROM organisations;
