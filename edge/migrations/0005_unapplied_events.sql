-- Events not yet applied (unfinished installs the cron resumes; failed
-- events to surface), found without scanning the whole log.
CREATE INDEX events_unapplied ON events (kind, received_at) WHERE applied_at IS NULL;
