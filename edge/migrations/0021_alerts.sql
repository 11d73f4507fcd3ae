-- Alerts to an organisation's admins inside WeCom (message/send): the kinds
-- the organisation turned off (comma-separated), the China-time day (days
-- since 1970) of its last message (one a day at most), and each cause
-- already announced (each goes once).
ALTER TABLE organisations ADD COLUMN alerts_off TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN alerts_day INTEGER;
CREATE TABLE alerts_sent (
  corp_id  TEXT NOT NULL,
  cause    TEXT NOT NULL,
  sent_at  INTEGER NOT NULL,
  PRIMARY KEY (corp_id, cause)
);
