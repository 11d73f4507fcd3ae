//! `message/send` with the organisation's corp token (document/path/90372,
//! the same call as 90236): text cards to members of the app's visible
//! range. WeCom delivers only to members in range, and once it checks
//! licenses (after the trial) only to those holding an active seat; the
//! others come back in `invaliduser` / `unlicenseduser`, and when nobody
//! is left the call fails with 81013. Past 30 messages a minute or 1 000
//! an hour to one member the rest are dropped without an error (90454);
//! past the app's daily quota (200 recipients for each account the
//! organisation may have) the call fails with 45009.

use super::contacts::corp_for_token;
use crate::range::visible;
use crate::sim::Sim;
use crate::state::{Corp, SentMessage, State};
use crate::wire::{body, err, no_such_api, ok, Refusal, Reply, Req};
use domain::wecom::{
    SendReply, TextCardMessage, ALL_RECIPIENTS_INVALID, FREQ_OUT_OF_LIMIT, MAX_RECIPIENTS,
    PER_MEMBER_PER_HOUR, PER_MEMBER_PER_MINUTE, RECIPIENTS_PER_ACCOUNT_PER_DAY,
};

/// A body without the fields a text card needs.
const BAD_BODY: Refusal = Refusal::new(40058, "invalid parameter: textcard");
/// Another app's agentid (global errcodes: 「不合法的agentid」).
const BAD_AGENT: Refusal = Refusal::new(40056, "invalid agentid");
/// A message type the simulator does not play.
const BAD_TYPE: Refusal = Refusal::new(40008, "invalid message type");
/// More than 1 000 userids in `touser`.
const TOO_MANY: Refusal = Refusal::new(40058, "invalid parameter: touser exceeds 1000");
/// The free trial: 90 days from the first install (as `license`).
const TRIAL_SECS: u64 = 90 * 86_400;

/// Answers `cgi-bin/message/*` (`call` without `message/`).
pub fn handle(sim: &Sim, req: &Req, call: &str) -> Reply {
    match (req.method.as_str(), call) {
        ("POST", "send") => send(&mut sim.state(), req).unwrap_or_else(|refused| refused),
        _ => no_such_api(),
    }
}

/// Whether WeCom checks this organisation's licenses at `now`: licenses
/// on, interception begun, and the trial over (a provider test
/// organisation has none).
fn checks_licenses(corp: &Corp, now: u64) -> bool {
    let start = corp.first_installed_at.unwrap_or(now);
    let l = &corp.license;
    l.license_status == 1
        && now >= l.license_check_time.unwrap_or(start)
        && (l.test_corp || now >= start + TRIAL_SECS)
}

fn send(state: &mut State, req: &Req) -> Result<Reply, Reply> {
    let corp_id = corp_for_token(state, req)?.corp_id.clone();
    let msg: TextCardMessage = body(req, BAD_BODY)?;
    let now = state.now();
    let corp = &state.corps[&corp_id];
    if msg.agentid != corp.agent_id {
        return Err(BAD_AGENT.reply());
    }
    if msg.msgtype != "textcard" {
        return Err(BAD_TYPE.reply());
    }
    let asked = SendReply::users(&msg.touser);
    if asked.len() > MAX_RECIPIENTS {
        return Err(TOO_MANY.reply());
    }
    let range = visible(corp);
    let enforced = checks_licenses(corp, now);
    let (mut invalid, mut unlicensed, mut to) = (vec![], vec![], vec![]);
    for userid in asked {
        // WeCom reads userids without regard to case (90236).
        let user = corp
            .users
            .iter()
            .find(|u| u.userid.eq_ignore_ascii_case(&userid) && u.status == 1);
        match user {
            Some(u) if range.sees(u) => {
                let seated = state.accounts.iter().any(|a| {
                    a.corp_id == corp_id
                        && a.userid.as_deref() == Some(u.userid.as_str())
                        && a.expire_time.is_some_and(|e| e > now)
                });
                if enforced && !seated {
                    unlicensed.push(u.userid.clone());
                } else {
                    to.push(u.userid.clone());
                }
            }
            _ => invalid.push(userid.to_lowercase()),
        }
    }
    if to.is_empty() {
        return Err(err(
            ALL_RECIPIENTS_INVALID,
            "user & party & tag all invalid",
        ));
    }
    let quota = corp.member_limit * RECIPIENTS_PER_ACCOUNT_PER_DAY;
    // A natural day in China (90454: 「按天拦截则被屏蔽一天(自然天)」).
    let day_start = domain::when::china_day_start(now);
    let today = state
        .messages
        .iter()
        .filter(|m| m.corp_id == corp_id && m.at >= day_start)
        .count() as u64;
    if today + to.len() as u64 > quota {
        return Err(err(FREQ_OUT_OF_LIMIT, "api freq out of limit"));
    }
    for userid in to {
        let sent_within = |secs: u64| {
            state
                .messages
                .iter()
                .filter(|m| m.corp_id == corp_id && m.userid == userid && m.at + secs > now)
                .count()
        };
        // Past the per-member limits WeCom drops the message silently.
        let delivered =
            sent_within(60) < PER_MEMBER_PER_MINUTE && sent_within(3600) < PER_MEMBER_PER_HOUR;
        state.messages.push(SentMessage {
            corp_id: corp_id.clone(),
            userid,
            title: msg.textcard.title.clone(),
            description: msg.textcard.description.clone(),
            url: msg.textcard.url.clone(),
            at: now,
            delivered,
        });
    }
    state.message_seq += 1;
    Ok(ok(&SendReply {
        invaliduser: invalid.join("|"),
        unlicenseduser: unlicensed.join("|"),
        msgid: format!("msg{}", state.message_seq),
        ..SendReply::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Account, Corp};
    use serde_json::{json, Value};

    /// An installed `wwcorp` (agent 1000001) with `dev` and `ops` in range
    /// and `far` outside it, and a corp token for it.
    fn installed(sim: &Sim, first_installed_at: u64) -> String {
        let mut state = sim.state();
        let corp: Corp = serde_json::from_value(json!({
            "corp_id": "wwcorp", "corp_name": "Corp", "installed": true,
            "first_installed_at": first_installed_at,
            "departments": [{"id": 1, "name": "Root", "parentid": 0},
                            {"id": 2, "name": "Far", "parentid": 0}],
            "users": [{"userid": "dev", "name": "Dev", "department": [1]},
                      {"userid": "ops", "name": "Ops", "department": [1]},
                      {"userid": "far", "name": "Far", "department": [2]}],
            "range": {"party": [1], "user": [], "tag": []},
        }))
        .unwrap();
        state.corps.insert("wwcorp".into(), corp);
        let exp = state.now() + 3600;
        state
            .corp_tokens
            .insert("TOKEN".into(), ("wwcorp".into(), exp));
        "TOKEN".into()
    }

    fn seat(sim: &Sim, userid: &str) {
        let mut state = sim.state();
        let now = state.now();
        state.accounts.push(Account {
            active_code: format!("code-{userid}"),
            corp_id: "wwcorp".into(),
            order_id: "order".into(),
            account_type: 1,
            days: 365,
            userid: Some(userid.into()),
            active_time: Some(now),
            expire_time: Some(now + 86_400),
            transferable_after: now,
            create_time: now,
            set_status: None,
        });
    }

    fn send_to(sim: &Sim, touser: &str, agentid: u64) -> Value {
        let body = json!({
            "touser": touser, "msgtype": "textcard", "agentid": agentid,
            "textcard": {"title": "T", "description": "D", "url": "https://x.test/"},
        });
        let req = Req::for_tests(
            "POST",
            "/cgi-bin/message/send?access_token=TOKEN",
            &body.to_string(),
        );
        serde_json::from_str(&handle(sim, &req, "send").body).unwrap()
    }

    fn delivered(sim: &Sim, userid: &str) -> usize {
        sim.state()
            .messages
            .iter()
            .filter(|m| m.userid == userid && m.delivered)
            .count()
    }

    #[test]
    fn in_the_trial_members_in_range_get_it_and_the_rest_come_back_invalid() {
        let sim = Sim::for_tests();
        let now = sim.state().now();
        installed(&sim, now);
        let r = send_to(&sim, "dev|far|ghost", 1000001);
        assert_eq!(r["errcode"], 0, "{r}");
        assert_eq!(r["invaliduser"], "far|ghost");
        assert_eq!(r["unlicenseduser"], "");
        assert_eq!(delivered(&sim, "dev"), 1);
        assert_eq!(
            send_to(&sim, "far", 1000001)["errcode"],
            81013,
            "nobody left"
        );
        assert_eq!(
            send_to(&sim, "dev", 42)["errcode"],
            40056,
            "another app's agentid"
        );
    }

    #[test]
    fn after_the_trial_only_seat_holders_get_it() {
        let sim = Sim::for_tests();
        let now = sim.state().now();
        installed(&sim, now - TRIAL_SECS - 60);
        seat(&sim, "dev");
        let r = send_to(&sim, "dev|ops", 1000001);
        assert_eq!(r["errcode"], 0, "{r}");
        assert_eq!(r["unlicenseduser"], "ops");
        assert_eq!((delivered(&sim, "dev"), delivered(&sim, "ops")), (1, 0));
        assert_eq!(
            send_to(&sim, "ops", 1000001)["errcode"],
            81013,
            "no seat, nobody left"
        );
    }

    #[test]
    fn past_30_a_minute_to_one_member_wecom_drops_them_without_an_error() {
        let sim = Sim::for_tests();
        let now = sim.state().now();
        installed(&sim, now);
        for _ in 0..35 {
            assert_eq!(send_to(&sim, "dev", 1000001)["errcode"], 0);
        }
        assert_eq!(delivered(&sim, "dev"), PER_MEMBER_PER_MINUTE);
    }

    #[test]
    fn past_the_daily_quota_the_call_fails_with_45009() {
        let sim = Sim::for_tests();
        let now = sim.state().now();
        installed(&sim, now);
        sim.state().corps.get_mut("wwcorp").unwrap().member_limit = 0;
        assert_eq!(send_to(&sim, "dev", 1000001)["errcode"], 45009);
    }
}
