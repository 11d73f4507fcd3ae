-- A full contacts sync runs as a chain of queue messages, one chunk of
-- departments each (edge/src/contacts/sync.rs). The lease row is the run:
-- it also holds the plan (the department tree, the chunks, the tags in
-- range), the step the run expects next (so a message delivered twice is
-- applied once) and how many rows it wrote. Every step renews the lease.
ALTER TABLE sync_leases ADD COLUMN next_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_leases ADD COLUMN chunks_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_leases ADD COLUMN plan TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_leases ADD COLUMN written INTEGER NOT NULL DEFAULT 0;

-- The members each step placed in range (8-byte hashes, hex), so the last
-- step knows who was not seen: they left the range, or WeCom.
CREATE TABLE sync_seen (
  corp_id  TEXT NOT NULL,
  run_id   TEXT NOT NULL,
  step     INTEGER NOT NULL,
  hashes   TEXT NOT NULL,
  PRIMARY KEY (corp_id, run_id, step)
);
