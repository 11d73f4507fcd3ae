-- wecom-seats: first schema. Append-only: later changes get new files.
-- Times are unix seconds. Every organisation-owned table starts with corp_id
-- so cancel_auth can delete an organisation with one statement per table.

-- One row per authorised organisation (install of the suite).
CREATE TABLE organisations (
  corp_id             TEXT PRIMARY KEY,
  corp_name           TEXT NOT NULL DEFAULT '',
  agent_id            INTEGER,
  permanent_code_enc  TEXT,                 -- AES-GCM, key derived from a secret
  allow_party         TEXT NOT NULL DEFAULT '[]',  -- visible range, JSON arrays
  allow_user          TEXT NOT NULL DEFAULT '[]',
  allow_tag           TEXT NOT NULL DEFAULT '[]',
  installed_at        INTEGER NOT NULL,
  first_installed_at  INTEGER NOT NULL,     -- survives reinstall: trial anchor
  auto_activate       INTEGER NOT NULL DEFAULT 0,
  trial_start         INTEGER,
  trial_end           INTEGER,
  license_status      INTEGER,
  license_check_time  INTEGER,
  updated_at          INTEGER NOT NULL
);

-- What survives cancel_auth: a keyed hash of the corp id and the first
-- install time, so a reinstall cannot restart the 90-day trial.
CREATE TABLE install_history (
  corp_hash           TEXT PRIMARY KEY,
  first_installed_at  INTEGER NOT NULL
);

-- The organisation's WeCom admins allowed to manage it in the console.
CREATE TABLE admins (
  corp_id    TEXT NOT NULL,
  userid     TEXT NOT NULL,
  auth_type  INTEGER NOT NULL DEFAULT 1,   -- 1 = may manage the app
  PRIMARY KEY (corp_id, userid)
);

CREATE TABLE departments (
  corp_id     TEXT NOT NULL,
  id          INTEGER NOT NULL,
  parent_id   INTEGER NOT NULL DEFAULT 0,
  name        TEXT NOT NULL DEFAULT '',
  sort_order  INTEGER NOT NULL DEFAULT 0,
  in_range    INTEGER NOT NULL DEFAULT 1,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (corp_id, id)
);

CREATE TABLE members (
  corp_id           TEXT NOT NULL,
  userid            TEXT NOT NULL,
  name              TEXT NOT NULL DEFAULT '',
  department_ids    TEXT,                  -- JSON array; NULL when WeCom gave none
  department_known  INTEGER NOT NULL DEFAULT 0,
  in_range          INTEGER NOT NULL DEFAULT 1,
  via               TEXT NOT NULL DEFAULT '[]', -- JSON: department|individual|tag
  status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','departed')),
  updated_at        INTEGER NOT NULL,
  PRIMARY KEY (corp_id, userid)
);
CREATE INDEX members_by_status ON members (corp_id, status, in_range);

-- Membership index for "members of department X" queries.
CREATE TABLE member_departments (
  corp_id        TEXT NOT NULL,
  department_id  INTEGER NOT NULL,
  userid         TEXT NOT NULL,
  PRIMARY KEY (corp_id, department_id, userid)
);

CREATE TABLE orders (
  corp_id             TEXT NOT NULL,
  order_id            TEXT NOT NULL,
  order_type          INTEGER NOT NULL DEFAULT 1,
  order_status        INTEGER NOT NULL DEFAULT 0,
  base_count          INTEGER NOT NULL DEFAULT 0,
  interconnect_count  INTEGER NOT NULL DEFAULT 0,
  duration_days       INTEGER NOT NULL DEFAULT 0,
  price               INTEGER NOT NULL DEFAULT 0,
  created_at          INTEGER NOT NULL,
  paid_at             INTEGER,
  updated_at          INTEGER NOT NULL,
  PRIMARY KEY (corp_id, order_id)
);

-- One row per activation code (interface license account).
CREATE TABLE seats (
  corp_id          TEXT NOT NULL,
  active_code      TEXT NOT NULL,
  order_id         TEXT,
  type             INTEGER NOT NULL CHECK (type IN (1, 2)),
  status           TEXT NOT NULL DEFAULT 'unassigned'
                   CHECK (status IN ('unassigned','active','expired','refunded')),
  userid           TEXT,
  activated_at     INTEGER,
  expires_at       INTEGER,
  transferable_at  INTEGER,                -- end of the 30-day transfer wait
  updated_at       INTEGER NOT NULL,
  PRIMARY KEY (corp_id, active_code)
);
CREATE INDEX seats_by_user ON seats (corp_id, userid, type);

-- Transfer history: WeCom does not keep it for us.
CREATE TABLE transfers (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  corp_id          TEXT NOT NULL,
  active_code      TEXT NOT NULL,
  type             INTEGER NOT NULL,
  handover_userid  TEXT NOT NULL,
  takeover_userid  TEXT NOT NULL,
  transferred_at   INTEGER NOT NULL,
  cooldown_until   INTEGER,
  actor            TEXT NOT NULL
);
CREATE INDEX transfers_by_corp ON transfers (corp_id, transferred_at);

-- Every valid callback, written before it is acted on; dedupe_key is a hash
-- of the decrypted message so WeCom's retries are applied once.
CREATE TABLE events (
  dedupe_key   TEXT PRIMARY KEY,
  corp_id      TEXT,
  source       TEXT NOT NULL,              -- command | data
  kind         TEXT NOT NULL,              -- InfoType or Event
  received_at  INTEGER NOT NULL,
  applied_at   INTEGER,
  outcome      TEXT,
  raw          TEXT NOT NULL
);
CREATE INDEX events_by_corp ON events (corp_id, received_at);

-- Members who opened the app without a seat (unlicensed_notify).
CREATE TABLE seat_requests (
  corp_id   TEXT NOT NULL,
  userid    TEXT NOT NULL,
  first_at  INTEGER NOT NULL,
  last_at   INTEGER NOT NULL,
  count     INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (corp_id, userid)
);

CREATE TABLE audit (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  corp_id  TEXT NOT NULL,
  at       INTEGER NOT NULL,
  actor    TEXT NOT NULL,                  -- admin userid, 'wecom' or 'cron'
  action   TEXT NOT NULL,
  detail   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_corp ON audit (corp_id, at);
