-- Orders the provider's desk placed, by the caller's request id: a retry
-- (a double click, a lost answer) finds its order instead of placing a
-- second one. order_id is '' while WeCom is being asked.
CREATE TABLE desk_orders (
  request_id  TEXT PRIMARY KEY,
  corp_id     TEXT NOT NULL,
  order_id    TEXT NOT NULL DEFAULT '',
  actor       TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX desk_orders_by_corp ON desk_orders (corp_id);
