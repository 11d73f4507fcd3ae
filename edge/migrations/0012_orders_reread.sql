-- WeCom-true, second reading (issue 22): paid seats are never lost.

-- When the seat mirror last read the organisation's orders from WeCom
-- (`license/list_order`, windows of at most 31 days): the reconcile reads
-- from here on, an install reads the last year (NULL: never read).
ALTER TABLE organisations ADD COLUMN orders_read_at INTEGER;

-- How the app was authorised (`auth_info.agent[].auth_mode`, document/path/
-- 100779): 0 by an admin, 1 by a member. A member-authorised install has no
-- admin list (agent/get_admin_list answers none, 100073), so sign-in trusts
-- get_login_info's usertype and auth_type there.
ALTER TABLE organisations ADD COLUMN auth_mode INTEGER NOT NULL DEFAULT 0;

-- An unbound code must be activated within 365 days of its creation, which
-- follows its order's payment (701012 after; document/path/97189): the
-- last second it can be. NULL when unknown (a code first seen bound).
ALTER TABLE seats ADD COLUMN activate_by INTEGER;
UPDATE seats SET activate_by = (
  SELECT o.paid_at + 365 * 86400 FROM orders o
  WHERE o.corp_id = seats.corp_id AND o.order_id = seats.order_id AND o.paid_at > 0
) WHERE status = 'unassigned';

-- A code WeCom no longer knows (`invalid_active_code_list` of
-- batch_get_active_info_by_code): retired, kept for the record (status
-- 'expired' so nothing counts or offers it, shown as retired).
ALTER TABLE seats ADD COLUMN retired_at INTEGER;
