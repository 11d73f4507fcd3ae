-- Anonymous sign-in traffic must cost little (issue 27): expired sign-in
-- states are pruned by the cron through this index, not scanned for by
-- every GET /auth/login.
CREATE INDEX login_states_by_expiry ON login_states (expires_at);
