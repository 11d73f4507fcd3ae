-- One full sync per organisation at a time: the running one holds the
-- lease until it ends or the lease expires (its holder died).
CREATE TABLE sync_leases (
  corp_id     TEXT PRIMARY KEY,
  run_id      TEXT NOT NULL,
  actor       TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
