//! Development routes' bodies (`/auth/dev-login`, `/api/v1/dev/*`): never
//! served by the production Worker.

use serde::{Deserialize, Serialize};

/// `POST /auth/dev-login` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DevLogin {
    pub corp_id: String,
    pub userid: String,
}

/// `POST /api/v1/dev/clock` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClockOffset {
    pub offset_secs: i64,
}

/// `POST /api/v1/dev/clock` answer: the offset and the worker's time now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClockNow {
    pub offset_secs: i64,
    pub now: u64,
}

/// `POST /api/v1/dev/query` body: one read-only SELECT, on the database
/// of that binding, or on every database (`D1_DATABASES`) with the answers
/// put together ([`merge_rows`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DevQuery {
    pub sql: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}

/// Every database's rows for one query, as one answer: when each answered
/// one row of numbers (an aggregate: `count(*)`, `sum`, `max` of one
/// organisation's rows), their sum column by column, a null counting for
/// nothing; otherwise every row, home's first.
pub fn merge_rows(answers: Vec<Vec<serde_json::Value>>) -> Vec<serde_json::Value> {
    use serde_json::Value;
    let aggregate = answers.len() > 1
        && answers.iter().all(|rows| {
            rows.len() == 1
                && rows[0]
                    .as_object()
                    .is_some_and(|o| o.values().all(|v| v.is_number() || v.is_null()))
        });
    if !aggregate {
        return answers.into_iter().flatten().collect();
    }
    let mut sum = serde_json::Map::new();
    for row in answers.into_iter().flatten() {
        let Value::Object(row) = row else { continue };
        for (column, v) in row {
            let add = |a: &Value, b: &Value| match (a.as_f64(), b.as_f64()) {
                (None, None) => Value::Null,
                (x, y) => {
                    let total = x.unwrap_or(0.0) + y.unwrap_or(0.0);
                    if total.fract() == 0.0 && total.abs() < 9.0e15 {
                        Value::from(total as i64)
                    } else {
                        Value::from(total)
                    }
                }
            };
            let was = sum.get(&column).cloned().unwrap_or(Value::Null);
            sum.insert(column, add(&was, &v));
        }
    }
    vec![Value::Object(sum)]
}

/// `POST /api/v1/dev/query` answer: the rows as D1 returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DevRows {
    pub results: Vec<serde_json::Value>,
}

/// `POST /api/v1/dev/kv_keys` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct KvPrefix {
    pub prefix: String,
}

/// `POST /api/v1/dev/kv_fill` body: `count` keys `{prefix}{n}` written to
/// KV, expiring after `ttl_secs` when given (tests of the uninstall's KV
/// cleanup, which deletes an organisation's keys a list page at a time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct KvFill {
    pub prefix: String,
    pub count: u32,
    #[serde(default)]
    pub ttl_secs: Option<u64>,
}

/// `POST /api/v1/dev/kv_keys` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct KvKeys {
    pub keys: Vec<String>,
}

/// `POST /api/v1/dev/faults` body and answer: the share of D1 round trips
/// that fail, from 0 (none, the default) to 1 (all), and whether half of
/// those failures happen after D1 committed (the statement ran, its reply
/// was lost: the Worker sees an error all the same), and whether the
/// queue consumer drops every contacts sync step it is given (the message
/// is lost, as when a send after the step's commit fails). Development
/// only.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct D1Faults {
    pub d1_failure_share: f64,
    #[serde(default)]
    pub lost_replies: bool,
    #[serde(default)]
    pub lose_sync_steps: bool,
}

/// `POST /api/v1/dev/reconcile` body: the organisation to reconcile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DevReconcile {
    pub corp_id: String,
    /// The contacts check on the queue, as the cron starts it (its outcome
    /// then shows in the members, not in the answer); by default it runs
    /// in the request and the answer has its counts.
    #[serde(default)]
    pub queued: bool,
}

/// `POST /api/v1/dev/seal_old` body: the organisation whose permanent
/// code is to be sealed the old way, and whether the old kind stays
/// retired (a deployment past the upgrade) or not (one just upgraded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DevSealOld {
    pub corp_id: String,
    #[serde(default)]
    pub keep_retired: bool,
}

/// `POST /api/v1/dev/noop` answer: nothing was read or written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Noop {
    pub ok: bool,
}

#[cfg(test)]
mod merge_tests {
    use super::merge_rows;
    use serde_json::json;

    #[test]
    fn one_organisations_count_reads_the_same_over_two_databases() {
        let merged = merge_rows(vec![vec![json!({"n": 0})], vec![json!({"n": 3})]]);
        assert_eq!(merged, vec![json!({"n": 3})]);
        let merged = merge_rows(vec![vec![json!({"m": null})], vec![json!({"m": 1.5})]]);
        assert_eq!(merged, vec![json!({"m": 1.5})]);
        let merged = merge_rows(vec![vec![json!({"m": null})], vec![json!({"m": null})]]);
        assert_eq!(merged, vec![json!({"m": null})]);
    }

    #[test]
    fn rows_are_listed_home_first_and_one_database_answers_as_it_is() {
        let merged = merge_rows(vec![vec![json!({"u": "a"})], vec![json!({"u": "b"})]]);
        assert_eq!(merged, vec![json!({"u": "a"}), json!({"u": "b"})]);
        let merged = merge_rows(vec![vec![], vec![json!({"n": 2}), json!({"n": 5})]]);
        assert_eq!(merged, vec![json!({"n": 2}), json!({"n": 5})]);
        assert_eq!(
            merge_rows(vec![vec![json!({"n": 4})]]),
            vec![json!({"n": 4})]
        );
    }
}
