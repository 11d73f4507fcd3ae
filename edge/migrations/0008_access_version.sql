-- The access views' generation (edge/src/cache.rs): bumped by every change
-- to an organisation's members, seats or license regime. It lives in D1, not
-- KV: KV takes about one write per second per key and shows a write in
-- other locations up to 60 s later, D1 takes a burst and reads it back at
-- once.
ALTER TABLE organisations ADD COLUMN access_version INTEGER NOT NULL DEFAULT 0;
