//! Orders WeCom sold the organisation: paid, re-read, refunded, listed.

use super::bind::{json_str, num, opt_num};
use crate::d1::Db;
use domain::api::{OrderItem, ORDERS_LISTED};
use domain::seat::activation_deadline;
use domain::wecom::{OrderAccount, OrderStatus, OrderType};
use serde::Deserialize;
use std::collections::HashMap;
use worker::Result;

/// An order WeCom says is paid, as the payment push and the re-read store it.
pub struct PaidOrder<'a> {
    pub order_id: &'a str,
    pub order_type: OrderType,
    pub order_status: OrderStatus,
    pub base_count: u64,
    pub interconnect_count: u64,
    pub days: u64,
    pub created_at: u64,
    pub paid_at: u64,
}

/// Stores an order as WeCom describes it now (an order first read awaiting
/// payment is paid later) and the codes it lists while they are usable
/// (unassigned, WeCom status 1; a renewal lists none; a refunded, void or
/// not yet documented order's codes are not the organisation's to use);
/// idempotent.
pub async fn insert_order(
    db: &Db,
    corp_id: &str,
    o: &PaidOrder<'_>,
    accounts: &[OrderAccount],
    now: u64,
) -> Result<()> {
    let rows: Vec<serde_json::Value> = accounts
        .iter()
        .filter(|_| o.order_status.codes_usable())
        .filter_map(|a| {
            Some(serde_json::json!({"c": a.active_code.as_ref()?, "t": a.account_type}))
        })
        .collect();
    db.batch(vec![
        db.prepare(
            "INSERT INTO orders (corp_id, order_id, order_type, order_status, base_count, interconnect_count, \
               duration_days, created_at, paid_at, updated_at) VALUES (?1, ?2, ?10, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
             ON CONFLICT (corp_id, order_id) DO UPDATE SET order_status = excluded.order_status, \
               order_type = excluded.order_type, base_count = excluded.base_count, \
               interconnect_count = excluded.interconnect_count, duration_days = excluded.duration_days, \
               paid_at = excluded.paid_at, updated_at = excluded.updated_at",
        )
        .bind(&[
            corp_id.into(),
            o.order_id.into(),
            num(u32::from(o.order_status).into()),
            num(o.base_count),
            num(o.interconnect_count),
            num(o.days),
            num(o.created_at),
            num(o.paid_at),
            num(now),
            num(u32::from(o.order_type).into()),
        ])?,
        db.prepare(
            "INSERT INTO seats (corp_id, active_code, order_id, type, status, wecom_status, activate_by, updated_at) \
             SELECT ?1, json_extract(j.value, '$.c'), ?2, json_extract(j.value, '$.t'), 'unassigned', 1, ?5, ?4 \
             FROM json_each(?3) AS j WHERE true ON CONFLICT (corp_id, active_code) DO NOTHING",
        )
        .bind(&[
            corp_id.into(),
            o.order_id.into(),
            json_str(&rows),
            num(now),
            opt_num((o.paid_at > 0).then(|| activation_deadline(o.paid_at))),
        ])?,
    ])
    .await?;
    Ok(())
}

/// Where the order mirror stands: when WeCom's order list was last read
/// (`None`: never, since this install) and the orders we hold unsettled
/// (awaiting payment, refund requested, or a status WeCom added later).
pub struct OrdersRead {
    pub read_at: Option<u64>,
    pub unsettled: Vec<String>,
}

pub async fn orders_read(db: &Db, corp_id: &str) -> Result<OrdersRead> {
    #[derive(Deserialize)]
    struct Mark {
        orders_read_at: Option<f64>,
    }
    #[derive(Deserialize)]
    struct Row {
        order_id: String,
    }
    let results = db
        .batch(vec![
            db.prepare("SELECT orders_read_at FROM organisations WHERE corp_id = ?1")
                .bind(&[corp_id.into()])?,
            db.prepare(
                "SELECT order_id FROM orders WHERE corp_id = ?1 \
                 AND order_status NOT IN (1, 2, 3, 5, 6, 7) ORDER BY order_id",
            )
            .bind(&[corp_id.into()])?,
        ])
        .await?;
    let mark = results[0].results::<Mark>()?.into_iter().next();
    let unsettled = results[1].results::<Row>()?;
    Ok(OrdersRead {
        read_at: mark.and_then(|m| m.orders_read_at).map(|t| t as u64),
        unsettled: unsettled.into_iter().map(|r| r.order_id).collect(),
    })
}

pub async fn set_orders_read_at(db: &Db, corp_id: &str, at: u64) -> Result<()> {
    db.prepare("UPDATE organisations SET orders_read_at = ?2 WHERE corp_id = ?1")
        .bind(&[corp_id.into(), num(at)])?
        .run()
        .await?;
    Ok(())
}

/// What we hold of these orders: each known order's stored status.
pub async fn known_orders(
    db: &Db,
    corp_id: &str,
    order_ids: &[&str],
) -> Result<HashMap<String, OrderStatus>> {
    #[derive(Deserialize)]
    struct Row {
        order_id: String,
        order_status: f64,
    }
    if order_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT order_id, order_status FROM orders \
             WHERE corp_id = ?1 AND order_id IN (SELECT value FROM json_each(?2))",
        )
        .bind(&[corp_id.into(), json_str(&order_ids)])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| (r.order_id, OrderStatus::from(r.order_status as u32)))
        .collect())
}

#[derive(Deserialize)]
struct OrderRow {
    order_id: String,
    order_type: f64,
    order_status: f64,
    base_count: f64,
    interconnect_count: f64,
    duration_days: f64,
    created_at: f64,
    paid_at: f64,
}

impl OrderRow {
    fn item(self) -> OrderItem {
        OrderItem {
            order_id: self.order_id,
            // A number WeCom added after our reading shows as unknown_<n>.
            order_type: OrderType::from(self.order_type as u32),
            order_status: OrderStatus::from(self.order_status as u32),
            base_count: self.base_count as u64,
            interconnect_count: self.interconnect_count as u64,
            duration_days: self.duration_days as u64,
            created_at: self.created_at as u64,
            paid_at: self.paid_at as u64,
        }
    }
}

const ORDER_COLUMNS: &str = "order_id, order_type, order_status, base_count, interconnect_count, duration_days, created_at, paid_at";

/// Orders mirrored from WeCom, newest first by payment (an unpaid one by
/// its placing; in the same second, the one recorded last), at most
/// [`ORDERS_LISTED`].
pub async fn orders(db: &Db, corp_id: &str) -> Result<Vec<OrderItem>> {
    let rows: Vec<OrderRow> = db
        .prepare(format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE corp_id = ?1 \
             ORDER BY coalesce(nullif(paid_at, 0), created_at) DESC, rowid DESC LIMIT ?2"
        ))
        .bind(&[corp_id.into(), num(ORDERS_LISTED as u64)])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(OrderRow::item).collect())
}

/// Up to `limit` orders after order id `cursor`, in id order: one query.
pub async fn order_rows(
    db: &Db,
    corp_id: &str,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Vec<OrderItem>> {
    let rows: Vec<OrderRow> = db
        .prepare(format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE corp_id = ?1 AND order_id > ?2 ORDER BY order_id LIMIT ?3"
        ))
        .bind(&[corp_id.into(), cursor.unwrap_or("").into(), num(limit)])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(OrderRow::item).collect())
}

/// `get_order`'s status of an order.
pub async fn set_order_status(
    db: &Db,
    corp_id: &str,
    order_id: &str,
    status: OrderStatus,
    now: u64,
) -> Result<()> {
    db.prepare(
        "UPDATE orders SET order_status = ?3, updated_at = ?4 WHERE corp_id = ?1 AND order_id = ?2",
    )
    .bind(&[
        corp_id.into(),
        order_id.into(),
        num(u32::from(status).into()),
        num(now),
    ])?
    .run()
    .await?;
    Ok(())
}

/// A refunded order: its status, and every code of it WeCom no longer
/// lists (`still_held`) is refunded. The codes that refunded.
pub async fn refund_order(
    db: &Db,
    corp_id: &str,
    order_id: &str,
    status: OrderStatus,
    still_held: &[&str],
    now: u64,
) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        active_code: String,
    }
    let results = db
        .batch(vec![
            db.prepare("UPDATE orders SET order_status = ?3, updated_at = ?4 WHERE corp_id = ?1 AND order_id = ?2")
                .bind(&[corp_id.into(), order_id.into(), num(u32::from(status).into()), num(now)])?,
            db.prepare(
                "UPDATE seats SET status = 'refunded', updated_at = ?3 \
                 WHERE corp_id = ?1 AND order_id = ?2 AND status != 'refunded' \
                   AND active_code NOT IN (SELECT value FROM json_each(?4)) RETURNING active_code",
            )
            .bind(&[corp_id.into(), order_id.into(), num(now), json_str(&still_held)])?,
        ])
        .await?;
    let mut codes: Vec<String> = match results.get(1) {
        Some(r) => r
            .results::<Row>()?
            .into_iter()
            .map(|r| r.active_code)
            .collect(),
        None => vec![],
    };
    codes.sort_unstable();
    Ok(codes)
}
