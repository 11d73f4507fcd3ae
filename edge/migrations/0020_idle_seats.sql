-- Seats that manage themselves: when each member last used the app (the
-- access check notes it at most once a day), and each organisation's idea
-- of an idle seat (days without use) and whether idle seats move to the
-- members asking each night by themselves.
ALTER TABLE members ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organisations ADD COLUMN idle_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE organisations ADD COLUMN auto_move INTEGER NOT NULL DEFAULT 0;
