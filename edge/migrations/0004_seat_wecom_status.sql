-- WeCom's own status of each account (get_active_info_by_code, document
-- 97189): 1 unbound, 2 bound and valid, 3 expired, 4 awaiting transfer
-- (auto-activation moves a departed or out-of-range holder's account by
-- itself), 5 merged into another code, 6 assigned to a downstream
-- organisation. NULL until read. `status` stays our own lifecycle
-- (unassigned / active / expired / refunded) that the console filters by.
ALTER TABLE seats ADD COLUMN wecom_status INTEGER;
