-- WeCom takes a sign-in `state` of letters and digits, at most 128 bytes
-- (document/path/91120): the state is now the bare random nonce, and what
-- the signed state carried is kept here: which sign-in it was issued for,
-- and when it was spent (kept until it expires, so a second use reads as
-- used, not as unknown).
ALTER TABLE login_states ADD COLUMN flow TEXT NOT NULL DEFAULT 'qr';
ALTER TABLE login_states ADD COLUMN spent_at INTEGER;

-- An admin WeCom's admin list does not name (an external admin, or anyone
-- in a member-authorised install, where there is no list: document/path/
-- 100073) signs in on what get_login_info says of them (usertype 1-4 and
-- auth_type for this app); that right is kept on their session (NULL: the
-- admin list decides at every request, as before).
ALTER TABLE sessions ADD COLUMN auth_type INTEGER;
