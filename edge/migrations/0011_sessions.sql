-- Sign-in (issue 12): sessions the server can end, and the single-use
-- `state` of WeCom's QR login and OAuth.

-- One row per signed-in browser. The signed cookie names the row (`sid`);
-- logout deletes it, revocation deletes all of an organisation's, and so
-- does cancel_auth (corp_id first, like every organisation-owned table).
CREATE TABLE sessions (
  corp_id     TEXT NOT NULL,
  sid         TEXT NOT NULL PRIMARY KEY,
  userid      TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('admin','member')),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_corp ON sessions (corp_id, userid);

-- A sign-in waiting for WeCom to send the user back: the nonce inside the
-- signed `state`, spent (deleted) when it returns.
CREATE TABLE login_states (
  nonce       TEXT PRIMARY KEY,
  expires_at  INTEGER NOT NULL
);
