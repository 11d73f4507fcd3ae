//! Alerts to an organisation's admins inside WeCom, sent by the reconcile:
//! the rules in `domain::alerts` say what is due, this sends it as one
//! text card (`message/send`) to the admins who manage the app and records
//! what went; `GET`/`POST .../alerts` show and switch them in the console.
//! The provider's operators get theirs the same way, through the app in
//! the provider's own organisation.

use crate::clock::now_secs;
use crate::corp;
use crate::env::Config;
use crate::error::ApiError;
use crate::http::{Admin, Json, Shape};
use crate::shard;
use crate::store::{self, AlertAdmin, AlertFacts, OperatorFacts};
use crate::wecom::WeComError;
use domain::access::Regime;
use domain::alerts::{self, AlertKind, Due, Situation};
use domain::api::{AlertRecipient, AlertSettings, AlertSwitch, Alerts};
use domain::wecom::{
    cut_bytes, SendReply, TextCard, TextCardMessage, ALL_RECIPIENTS_INVALID, DESCRIPTION_MAX_BYTES,
    MAX_RECIPIENTS, TITLE_MAX_BYTES, URL_MAX_BYTES,
};
use serde_json::json;
use worker::{console_error, Env};

/// How long WeCom drops the same message sent again (90236:
/// `duplicate_check_interval`, default 1 800 s, at most 4 hours): a retry
/// of a call whose answer was lost delivers nothing twice.
const DUPLICATE_WINDOW_SECS: u64 = 4 * 3600;

/// The admins an alert goes to (those who manage the app, `auth_type` 1),
/// split by whether WeCom will deliver to them now.
fn recipients<'a>(regime: &Regime, admins: &'a [AlertAdmin]) -> (Vec<&'a str>, Vec<&'a str>) {
    admins
        .iter()
        .filter(|a| a.auth_type == 1)
        .take(MAX_RECIPIENTS)
        .map(|a| {
            (
                a.userid.as_str(),
                alerts::reachable(regime, a.in_range, a.seated),
            )
        })
        .fold((vec![], vec![]), |(mut yes, mut no), (userid, ok)| {
            if ok {
                yes.push(userid)
            } else {
                no.push(userid)
            }
            (yes, no)
        })
}

/// One line of the digest, in the organisation's language (Chinese).
fn line(d: &Due, regime: &Regime) -> String {
    match d.kind {
        AlertKind::TrialEnding => {
            let end = match regime {
                Regime::Trial { trial_ends_at } => domain::when::date(*trial_ends_at),
                _ => String::new(),
            };
            format!(
                "免费试用还剩 {} 天（{end} 结束），之后只有持有席位的成员可以使用。",
                d.count
            )
        }
        AlertKind::SeatsOut => format!("没有空闲席位了，{} 位成员正在申请席位。", d.count),
        AlertKind::SeatsExpiring => format!("{} 个席位将在 30 天内到期，请及时续期。", d.count),
        AlertKind::Failing => "企业微信推送的变更处理失败已超过 1 小时，请查看回调。".into(),
        AlertKind::SeatsMoved => format!("闲置席位已自动转给申请的成员：{} 个。", d.count),
    }
}

/// The console page that deals with what is due: the seats page when
/// every alert is about seats, else the overview.
fn page(due: &[Due]) -> &'static str {
    let seats_only = due.iter().all(|d| {
        matches!(
            d.kind,
            AlertKind::SeatsOut | AlertKind::SeatsExpiring | AlertKind::SeatsMoved
        )
    });
    if seats_only {
        "/seats"
    } else {
        "/"
    }
}

/// A digest as WeCom's text card: a line each, linking to `url`, cut to
/// WeCom's sizes.
fn card(agent_id: u64, to: &[&str], title: &str, lines: &[String], url: &str) -> TextCardMessage {
    TextCardMessage {
        touser: to.join("|"),
        msgtype: "textcard".into(),
        agentid: agent_id,
        textcard: TextCard {
            title: cut_bytes(title, TITLE_MAX_BYTES),
            description: cut_bytes(&lines.join("\n"), DESCRIPTION_MAX_BYTES),
            url: cut_bytes(url, URL_MAX_BYTES),
            btntxt: "查看".into(),
        },
        enable_duplicate_check: 1,
        duplicate_check_interval: Some(DUPLICATE_WINDOW_SECS),
    }
}

/// Who a message reached and who WeCom refused (`invaliduser`,
/// `unlicenseduser`).
struct Delivered {
    to: Vec<String>,
    refused: Vec<String>,
    msgid: String,
}

/// Sends the digest with `corp_id`'s token. `None` when WeCom refused
/// every recipient (81013): noted as the day's try, so it is asked again
/// tomorrow, not every hour.
async fn deliver(
    db: &crate::d1::Db,
    corp: &corp::Corp<'_>,
    corp_id: &str,
    message: &TextCardMessage,
    day: u64,
) -> Result<Option<Delivered>, ApiError> {
    let reply = match corp
        .wecom
        .send_card(corp_id, &corp.permanent_code, message)
        .await
    {
        Ok(reply) => reply,
        Err(WeComError::Api { errcode, .. }) if errcode == ALL_RECIPIENTS_INVALID => {
            store::alert_day(db, corp_id, day).await?;
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    let refused: Vec<String> = SendReply::users(&reply.invaliduser)
        .into_iter()
        .chain(SendReply::users(&reply.unlicenseduser))
        .collect();
    let to = SendReply::users(&message.touser)
        .into_iter()
        .filter(|u| !refused.iter().any(|r| r.eq_ignore_ascii_case(u)))
        .collect();
    Ok(Some(Delivered {
        to,
        refused,
        msgid: reply.msgid,
    }))
}

/// The alerts due for this organisation now, their causes not yet sent.
fn pending(facts: &AlertFacts, now: u64, moved: u64) -> Vec<Due> {
    let situation = Situation {
        now,
        regime: facts.regime,
        free_seats: facts.free_seats,
        asking: facts.asking,
        expiring: facts.expiring,
        failing_since: facts.failing_since,
        moved,
    };
    let mut due = alerts::due(&situation, &facts.off);
    due.retain(|d| !facts.sent.contains(&d.cause));
    due
}

/// The reconcile's alert step: sends what is due as one message to the
/// admins who manage the app, unless it is quiet hours or they had a
/// message today (then it waits). Nothing due: no write. `moved`: idle
/// seats this run's nightly move gave away.
pub async fn run(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    now: u64,
    moved: u64,
) -> Result<(), ApiError> {
    let db = shard::db_for(env, corp_id).await?;
    let Some(facts) = store::alert_facts(&db, corp_id, now).await? else {
        return Ok(());
    };
    let due = pending(&facts, now, moved);
    if due.is_empty() || !alerts::may_send(now, facts.last_day) {
        return Ok(());
    }
    if cfg.console_url.is_empty() {
        console_error!("alerts: {corp_id}: CONSOLE_URL is not configured, nothing sent");
        return Ok(());
    }
    let (to, mut unreachable) = recipients(&facts.regime, &facts.admins);
    let day = alerts::local_day(now);
    if to.is_empty() {
        // Nobody WeCom would deliver to: asked again tomorrow; the console
        // shows who cannot be reached.
        store::alert_day(&db, corp_id, day).await?;
        return Ok(());
    }
    let Some(corp) = corp::open(env, cfg, corp_id).await? else {
        return Ok(());
    };
    let title = match due.len() {
        1 => "草料二维码：席位提醒".to_owned(),
        n => format!("草料二维码：{n} 条席位提醒"),
    };
    let lines: Vec<String> = due.iter().map(|d| line(d, &facts.regime)).collect();
    let url = format!("{}{}", cfg.console_url, page(&due));
    let message = card(corp.agent_id, &to, &title, &lines, &url);
    let Some(sent) = deliver(&db, &corp, corp_id, &message, day).await? else {
        return Ok(());
    };
    unreachable.extend(sent.refused.iter().map(String::as_str));
    let kinds: Vec<&str> = due.iter().map(|d| d.kind.as_str()).collect();
    let causes: Vec<String> = due.iter().map(|d| d.cause.clone()).collect();
    let detail = json!({
        "kinds": kinds,
        "to": sent.to,
        "unreachable": unreachable,
        "msgid": sent.msgid,
    });
    store::alert_sent(&db, corp_id, &causes, day, now, &detail).await?;
    Ok(())
}

/// One line of the operators' digest, with its cause.
struct OperatorLine {
    cause: String,
    text: String,
}

/// The operators' alerts due: each organisation failing for an hour and
/// each renewal order unpaid for three days, less the causes sent.
fn operator_due(facts: &OperatorFacts) -> Vec<OperatorLine> {
    let name = |corp_id: &str, corp_name: &str| {
        if corp_name.is_empty() {
            corp_id.to_owned()
        } else {
            format!("{corp_name}（{corp_id}）")
        }
    };
    let failing = facts.failing.iter().map(|f| OperatorLine {
        cause: format!("operator_failing:{}:{}", f.corp_id, f.since),
        text: format!(
            "{} 的回调处理失败已超过 1 小时。",
            name(&f.corp_id, &f.corp_name)
        ),
    });
    let unpaid = facts.unpaid.iter().map(|u| OperatorLine {
        cause: format!("operator_unpaid:{}", u.order_id),
        text: format!(
            "{} 的续期订单 {} 已超过 3 天未支付。",
            name(&u.corp_id, &u.corp_name),
            u.order_id
        ),
    });
    failing
        .chain(unpaid)
        .filter(|l| !facts.sent.contains(&l.cause))
        .collect()
}

/// The cron's alerts to the provider's operators (`OPERATOR_USERIDS`,
/// members of `PROVIDER_CORPID`), through the app installed in the
/// provider's own organisation: organisations whose callbacks have failed
/// for an hour, renewal orders the desk placed that nobody paid for three
/// days. The same rules as the admins' (once per cause, one message a day,
/// quiet hours); nothing when the provider's organisation has not
/// installed the app.
pub async fn run_operators(env: &Env, cfg: &Config, now: u64) -> Result<(), ApiError> {
    let provider = cfg.provider_corpid.as_str();
    if provider.is_empty() || cfg.operator_userids.is_empty() || cfg.console_url.is_empty() {
        return Ok(());
    }
    let db = shard::db_for(env, provider).await?;
    let failing_before = now.saturating_sub(alerts::FAILING_FOR_SECS);
    let unpaid_before = now.saturating_sub(alerts::UNPAID_FOR_SECS);
    let every = shard::every(env)?;
    let Some(facts) =
        store::operator_facts(&db, &every, provider, now, failing_before, unpaid_before).await?
    else {
        return Ok(());
    };
    let due = operator_due(&facts);
    if due.is_empty() || !alerts::may_send(now, facts.last_day) {
        return Ok(());
    }
    let Some(corp) = corp::open(env, cfg, provider).await? else {
        return Ok(());
    };
    let to: Vec<&str> = cfg
        .operator_userids
        .iter()
        .map(String::as_str)
        .take(MAX_RECIPIENTS)
        .collect();
    let lines: Vec<String> = due.iter().map(|l| l.text.clone()).collect();
    let title = format!("草料二维码：{} 条服务商提醒", due.len());
    let url = format!("{}/desk", cfg.console_url);
    let message = card(corp.agent_id, &to, &title, &lines, &url);
    let day = alerts::local_day(now);
    let Some(sent) = deliver(&db, &corp, provider, &message, day).await? else {
        console_error!("alerts: no operator in {provider} can receive the app's messages");
        return Ok(());
    };
    let causes: Vec<String> = due.iter().map(|l| l.cause.clone()).collect();
    let detail = json!({
        "kinds": ["operators"],
        "to": sent.to,
        "unreachable": sent.refused,
        "lines": lines,
        "msgid": sent.msgid,
    });
    store::alert_sent(&db, provider, &causes, day, now, &detail).await?;
    Ok(())
}

/// `GET .../alerts`: each kind on or off, the admins an alert goes to and
/// whether WeCom delivers to them now.
pub async fn view(a: Admin, _: ()) -> Result<Json<Alerts>, ApiError> {
    let facts = store::alert_facts(&a.db().await?, a.corp_id(), now_secs())
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
    let enforced = matches!(facts.regime, Regime::Enforced { .. });
    Ok(Json(Alerts {
        kinds: AlertKind::ALL
            .iter()
            .map(|k| AlertSwitch {
                kind: *k,
                on: !facts.off.contains(k),
            })
            .collect(),
        recipients: facts
            .admins
            .iter()
            .filter(|a| a.auth_type == 1)
            .map(|a| AlertRecipient {
                userid: a.userid.clone(),
                reachable: alerts::reachable(&facts.regime, a.in_range, a.seated),
                in_range: a.in_range,
                seated: a.seated,
            })
            .collect(),
        licenses_checked: enforced,
    }))
}

impl Shape for AlertSettings {
    const SHAPE: &'static str = "{\"off\": [\"trial_ending\" | \"seats_out\" | \"seats_expiring\" | \"failing\" | \"seats_moved\"]}";
}

/// `POST .../alerts`: the kinds turned off (the rest on), audited.
pub async fn set(
    a: Admin,
    Json(body): Json<AlertSettings>,
) -> Result<Json<AlertSettings>, ApiError> {
    let db = a.db().await?;
    store::set_alerts_off(&db, a.corp_id(), &body.off, a.userid(), now_secs()).await?;
    Ok(Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin(userid: &str, auth_type: u8, seated: bool) -> AlertAdmin {
        AlertAdmin {
            userid: userid.into(),
            auth_type,
            in_range: userid != "outsider",
            seated,
        }
    }

    #[test]
    fn alerts_go_to_managers_in_range_and_after_the_trial_only_to_those_with_a_seat() {
        let admins = [
            admin("boss", 1, true),
            admin("deputy", 1, false),
            admin("clerk", 0, true),
            admin("outsider", 1, true),
        ];
        let trial = Regime::Trial { trial_ends_at: 1 };
        assert_eq!(
            recipients(&trial, &admins),
            (vec!["boss", "deputy"], vec!["outsider"])
        );
        let enforced = Regime::Enforced { since: None };
        assert_eq!(
            recipients(&enforced, &admins),
            (vec!["boss"], vec!["deputy", "outsider"])
        );
    }

    #[test]
    fn operators_hear_of_each_failing_organisation_and_unpaid_renewal_once() {
        let facts = OperatorFacts {
            last_day: None,
            sent: vec!["operator_failing:wwa:100".into()],
            failing: vec![
                store::FailingOrg {
                    corp_id: "wwa".into(),
                    corp_name: "A".into(),
                    since: 100,
                },
                store::FailingOrg {
                    corp_id: "wwb".into(),
                    corp_name: String::new(),
                    since: 200,
                },
            ],
            unpaid: vec![store::UnpaidRenewal {
                corp_id: "wwc".into(),
                corp_name: "C".into(),
                order_id: "OI1".into(),
            }],
        };
        let due = operator_due(&facts);
        let causes: Vec<&str> = due.iter().map(|l| l.cause.as_str()).collect();
        assert_eq!(
            causes,
            ["operator_failing:wwb:200", "operator_unpaid:OI1"],
            "wwa was told"
        );
        assert!(due[0].text.starts_with("wwb "), "no name: the corp id");
        assert!(due[1].text.contains("C（wwc）") && due[1].text.contains("OI1"));
    }

    #[test]
    fn a_digest_names_each_alert_and_links_the_page_that_deals_with_them() {
        let due = |kind, count| Due {
            kind,
            cause: String::new(),
            count,
        };
        let seats = [
            due(AlertKind::SeatsOut, 4),
            due(AlertKind::SeatsExpiring, 12),
        ];
        assert_eq!(page(&seats), "/seats");
        let mixed = [due(AlertKind::Failing, 0), due(AlertKind::SeatsOut, 4)];
        assert_eq!(page(&mixed), "/");
        let regime = Regime::Enforced { since: None };
        let text: Vec<String> = seats.iter().map(|d| line(d, &regime)).collect();
        assert!(text[0].contains('4') && text[1].contains("12"), "{text:?}");
    }
}
