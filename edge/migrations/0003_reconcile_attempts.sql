-- The cron picks organisations by when it last *tried* them, not when a
-- sync last succeeded: one that keeps failing (WeCom refuses, contacts
-- unreadable) goes to the back of the line instead of taking a slot of
-- every batch, and a second cron run never picks what the first just took.
-- Until its first try an organisation counts from its last sync.
ALTER TABLE organisations ADD COLUMN reconcile_attempted_at INTEGER;
