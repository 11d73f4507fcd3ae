-- A claim names the queue message that holds it: the same message,
-- delivered again after its claim's reply was lost, takes it back at once
-- instead of waiting for the claim to run out (15 minutes).
ALTER TABLE events ADD COLUMN claimed_by TEXT;
