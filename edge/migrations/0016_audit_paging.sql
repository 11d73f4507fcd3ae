-- The audit log is read newest first, paged by row id, per organisation
-- (GET /api/v1/corps/{corp_id}/audit and its CSV export).
CREATE INDEX audit_by_corp_id ON audit (corp_id, id);
