-- An admin asks the provider for a renewal from the console: when, and of
-- the seats ending within how many days; the desk row carries them (0:
-- none) so the desk filters on them. Placing the renewal clears them.
ALTER TABLE organisations ADD COLUMN renewal_asked_at INTEGER;
ALTER TABLE organisations ADD COLUMN renewal_days INTEGER;
ALTER TABLE desk ADD COLUMN renewal_asked_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE desk ADD COLUMN renewal_days INTEGER NOT NULL DEFAULT 0;
