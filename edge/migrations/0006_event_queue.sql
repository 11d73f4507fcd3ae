-- Events are applied by the queue consumer: claimed (one statement) before
-- they are applied, counted, and marked failed when their message reached
-- the dead-letter queue.
ALTER TABLE events ADD COLUMN claimed_until INTEGER;
ALTER TABLE events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN failed_at INTEGER;
