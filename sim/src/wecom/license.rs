//! WeCom's interface-license API (`cgi-bin/license/*`, provider token):
//! orders (placed, listed, their accounts), activation and transfer (the
//! rules are in `activation`), what an account or a member holds, the
//! trial, and auto-activation. Bodies and replies are `domain::wecom`'s
//! wire types; the few calls it does not describe have local structs.

use super::activation::{activate, activate_by_type, transfer};
use super::orders::{
    create_order, create_renew_job, get_order, list_order, order_accounts, submit_renew_job,
    BAD_ORDER,
};
use super::{payment, union};
use crate::sim::Sim;
use crate::state::{Account, Order, State, BAD_ACCOUNT_COUNT};
use crate::wire::{body, err, no_such_api, ok, Refusal, Reply, Req, DATA_FORMAT};
use domain::wecom::{
    AccountPage, ActivateAccount, ActivateByType, ActivationResult, ActiveInfo, ActiveInfoByCode,
    ActiveInfoByUser, ActiveInfoList, AppLicenseInfo, AppLicenseRequest, AutoActiveStatus,
    BatchActivate, BatchActivateReply, BatchTransfer, BatchTransferReply, BoundAccount, CorpCode,
    CorpCodes, CorpUser, TransferResult, TrialInfo,
};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

const DAY: u64 = 86_400;
/// `batch_get_active_info_by_code` takes at most this many codes.
const CODE_BATCH_MAX: usize = 1000;
/// `batch_active_account` and `batch_transfer_license` take at most this
/// many entries.
const BATCH_MAX: usize = 1000;
/// The free trial runs this long from the first install.
const TRIAL_SECS: u64 = 90 * DAY;

const BAD_PARAMETER: Refusal = Refusal::new(40058, "invalid parameter");
const BAD_CODE: Refusal = Refusal::new(701002, "invalid active_code");
const BAD_CODE_LIST: Refusal = Refusal::new(40058, "active_code_list: 1 to 1000 codes");
const BAD_CORP: Refusal = Refusal::new(40013, "invalid corpid");
/// `active_account` answers the rule's errcode with this message.
const ACTIVATION_REFUSED: &str = "activation refused";

/// `list_actived_account` and `get_auto_active_status` body: the
/// organisation. The simulator answers in one page, so the paging fields
/// WeCom takes (optional there) are not read.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CorpOnly {
    corpid: String,
}

/// A success with nothing more to say.
#[derive(Serialize)]
struct Done {}

/// The provider token: 41001 missing, 40014 unknown, 42001 expired.
fn provider_token_ok(state: &State, req: &Req) -> Result<(), Reply> {
    let token = req
        .query("provider_access_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| err(41001, "provider_access_token missing"))?;
    match state.provider_tokens.get(token) {
        None => Err(err(40014, "invalid provider_access_token")),
        Some(&exp) if exp <= state.now() => Err(err(42001, "provider_access_token expired")),
        Some(_) => Ok(()),
    }
}

/// Answers `cgi-bin/license/{call}`. Every call needs the provider token
/// and a JSON body, whatever the call.
pub fn handle(sim: &Sim, req: &Req, call: &str) -> Reply {
    if call == "submit_pay_job" {
        return pay(sim, req);
    }
    let mut state = sim.state();
    let reply = provider_token_ok(&state, req)
        .and_then(|()| {
            serde_json::from_slice::<IgnoredAny>(&req.body).map_err(|_| DATA_FORMAT.reply())
        })
        .and_then(|_| {
            let state = &mut *state;
            match call {
                "create_new_order" | "create_order" => {
                    create_order(state, body(req, BAD_ACCOUNT_COUNT)?)
                }
                "list_order" => list_order(state, body(req, BAD_PARAMETER)?),
                "get_order" => get_order(state, body(req, BAD_ORDER)?),
                "pay_job_result" => payment::result(state, body(req, BAD_PARAMETER)?),
                "list_order_account" => order_accounts(state, body(req, DATA_FORMAT)?),
                "create_renew_order_job" => create_renew_job(state, body(req, BAD_PARAMETER)?),
                "submit_order_job" => submit_renew_job(state, body(req, BAD_PARAMETER)?),
                "create_new_order_job" => union::create_job(state, body(req, BAD_PARAMETER)?),
                "submit_new_order_job" => union::submit_job(state, body(req, BAD_PARAMETER)?),
                "new_order_job_result" => union::job_result(state, body(req, BAD_PARAMETER)?),
                "get_union_order" => union::union_order(state, body(req, BAD_ORDER)?),
                "active_account_by_type" => {
                    let asked: ActivateByType = body(req, BAD_PARAMETER)?;
                    let (corp, userid) = (&asked.corpid, &asked.userid);
                    match activate_by_type(state, corp, userid, asked.account_type) {
                        0 => Ok(ok(&Done {})),
                        errcode => Err(err(errcode, ACTIVATION_REFUSED)),
                    }
                }
                "active_account" => {
                    activate_one(state, body(req, Refusal::new(701019, ACTIVATION_REFUSED))?)
                }
                "batch_active_account" => activate_many(state, body(req, BAD_PARAMETER)?),
                "batch_transfer_license" => transfer_many(state, body(req, BAD_PARAMETER)?),
                "get_active_info_by_code" => info_by_code(state, body(req, BAD_CODE)?),
                "batch_get_active_info_by_code" => info_by_codes(state, body(req, BAD_CODE_LIST)?),
                "get_active_info_by_user" => info_by_user(state, body(req, DATA_FORMAT)?),
                "list_actived_account" => bound_accounts(state, body(req, DATA_FORMAT)?),
                "get_app_license_info" => app_license_info(state, body(req, BAD_CORP)?),
                "set_auto_active_status" => {
                    let asked: AutoActiveStatus = body(req, DATA_FORMAT)?;
                    let on = asked.auto_active_status == 1;
                    state.auto_active.insert(asked.corpid, on);
                    Ok(ok(&Done {}))
                }
                "get_auto_active_status" => {
                    let asked: CorpOnly = body(req, DATA_FORMAT)?;
                    let on = state
                        .auto_active
                        .get(&asked.corpid)
                        .copied()
                        .unwrap_or(false);
                    Ok(ok(&AutoActiveStatus {
                        corpid: String::new(),
                        auto_active_status: on as u8,
                    }))
                }
                _ => Err(no_such_api()),
            }
        });
    reply.unwrap_or_else(|e| e)
}

/// `submit_pay_job`: pays from the provider's balance; a paid order's
/// `license_pay_success` is pushed once the state is released (the push
/// reaches the worker while its call waits, as WeCom's may).
fn pay(sim: &Sim, req: &Req) -> Reply {
    let (reply, paid) = {
        let mut state = sim.state();
        let submitted = provider_token_ok(&state, req)
            .and_then(|()| body(req, BAD_PARAMETER))
            .and_then(|asked| payment::submit(&mut state, asked));
        match submitted {
            Err(refused) => return refused,
            Ok((reply, paid)) => {
                let orders: Vec<Order> = state
                    .orders
                    .iter()
                    .filter(|o| paid.contains(&o.order_id))
                    .cloned()
                    .collect();
                (reply, orders)
            }
        }
    };
    for order in &paid {
        crate::control::license::announce_paid(sim, order);
    }
    reply
}

fn activate_one(state: &mut State, asked: ActivateAccount) -> Result<Reply, Reply> {
    match activate(state, &asked.corpid, &asked.active_code, &asked.userid) {
        0 => Ok(ok(&Done {})),
        errcode => Err(err(errcode, ACTIVATION_REFUSED)),
    }
}

fn activate_many(state: &mut State, asked: BatchActivate) -> Result<Reply, Reply> {
    if asked.active_list.len() > BATCH_MAX {
        return Err(err(40058, "active_list longer than 1000"));
    }
    let active_result = asked
        .active_list
        .into_iter()
        .map(|one| ActivationResult {
            errcode: activate(state, &asked.corpid, &one.active_code, &one.userid),
            active_code: one.active_code,
            userid: one.userid,
        })
        .collect();
    Ok(ok(&BatchActivateReply { active_result }))
}

fn transfer_many(state: &mut State, asked: BatchTransfer) -> Result<Reply, Reply> {
    if asked.transfer_list.len() > BATCH_MAX {
        return Err(err(40058, "transfer_list longer than 1000"));
    }
    let transfer_result = asked
        .transfer_list
        .into_iter()
        .map(|pair| TransferResult {
            errcode: transfer(
                state,
                &asked.corpid,
                &pair.handover_userid,
                &pair.takeover_userid,
            ),
            handover_userid: pair.handover_userid,
            takeover_userid: pair.takeover_userid,
        })
        .collect();
    Ok(ok(&BatchTransferReply { transfer_result }))
}

/// An account as `get_active_info_by_code` describes it (its status;
/// the binding fields only once bound).
fn active_info(a: &Account, now: u64) -> ActiveInfo {
    let binding = match (&a.userid, a.active_time, a.expire_time) {
        (Some(u), Some(at), Some(exp)) => Some((u.clone(), at, exp)),
        _ => None,
    };
    ActiveInfo {
        active_code: a.active_code.clone(),
        account_type: a.account_type,
        status: Some(a.status(now)),
        create_time: a.create_time,
        userid: binding.as_ref().map(|(u, _, _)| u.clone()),
        active_time: binding.as_ref().map(|(_, at, _)| *at),
        expire_time: binding.as_ref().map(|(_, _, exp)| *exp),
    }
}

fn find_code<'a>(state: &'a State, corp: &str, code: &str) -> Option<&'a Account> {
    state
        .accounts
        .iter()
        .find(|a| a.corp_id == corp && a.active_code == code)
}

fn info_by_code(state: &State, asked: CorpCode) -> Result<Reply, Reply> {
    let a = find_code(state, &asked.corpid, &asked.active_code).ok_or_else(|| BAD_CODE.reply())?;
    Ok(ok(&ActiveInfoByCode {
        active_info: active_info(a, state.now()),
    }))
}

fn info_by_codes(state: &State, asked: CorpCodes) -> Result<Reply, Reply> {
    let codes = asked.active_code_list;
    if codes.is_empty() || codes.len() > CODE_BATCH_MAX {
        return Err(BAD_CODE_LIST.reply());
    }
    let now = state.now();
    let mut found = ActiveInfoList::default();
    for code in codes {
        match find_code(state, &asked.corpid, &code) {
            Some(a) => found.active_info_list.push(active_info(a, now)),
            None => found.invalid_active_code_list.push(code),
        }
    }
    if found.active_info_list.is_empty() {
        return Err(err(701010, "every active_code is invalid"));
    }
    Ok(ok(&found))
}

/// The account a member holds of each type (at most one, document/path/97191),
/// without a status, and whether one is valid now.
fn info_by_user(state: &State, asked: CorpUser) -> Result<Reply, Reply> {
    let now = state.now();
    let active_info_list: Vec<ActiveInfo> = [1, 2]
        .into_iter()
        .filter_map(|t| state.held(&asked.corpid, &asked.userid, t))
        .map(|i| ActiveInfo {
            status: None,
            create_time: 0,
            ..active_info(&state.accounts[i], now)
        })
        .collect();
    let active_status = active_info_list
        .iter()
        .any(|a| a.expire_time.is_some_and(|e| e > now)) as u8;
    Ok(ok(&ActiveInfoByUser {
        active_status,
        active_info_list,
    }))
}

/// Every bound account of the organisation (expired ones too), in one page.
fn bound_accounts(state: &State, asked: CorpOnly) -> Result<Reply, Reply> {
    let account_list = state
        .accounts
        .iter()
        .filter(|a| a.corp_id == asked.corpid)
        .filter_map(|a| {
            Some(BoundAccount {
                userid: a.userid.clone()?,
                account_type: a.account_type,
                active_time: a.active_time.unwrap_or_default(),
                expire_time: a.expire_time.unwrap_or_default(),
                active_code: Some(a.active_code.clone()),
            })
        })
        .collect();
    Ok(ok(&AccountPage {
        next_cursor: String::new(),
        has_more: 0,
        account_list,
    }))
}

/// Whether WeCom checks licenses here, since when, and the trial: 90 days
/// from the first install, only when checked and not a provider test
/// organisation (page 97194).
fn app_license_info(state: &mut State, asked: AppLicenseRequest) -> Result<Reply, Reply> {
    let now = state.now();
    let c = state
        .corps
        .get_mut(&asked.corpid)
        .filter(|c| c.installed)
        .ok_or_else(|| BAD_CORP.reply())?;
    // A state saved before installs were dated starts counting now.
    let start = *c.first_installed_at.get_or_insert(now);
    let settings = &c.license;
    let has_trial = settings.license_status == 1 && !settings.test_corp;
    Ok(ok(&AppLicenseInfo {
        license_status: Some(settings.license_status),
        trail_info: has_trial.then_some(TrialInfo {
            start_time: start,
            end_time: start + TRIAL_SECS,
        }),
        license_check_time: Some(settings.license_check_time.unwrap_or(start)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Corp, Order};
    use domain::wecom::{OrderAccount, OrderReply};

    /// An installed organisation `wwcorp` with `dev` in range, and a
    /// provider token.
    fn installed(sim: &Sim) -> String {
        let mut state = sim.state();
        let corp: Corp = serde_json::from_value(serde_json::json!({
            "corp_id": "wwcorp", "corp_name": "Corp", "installed": true,
            "departments": [{"id": 1, "name": "Root", "parentid": 0}],
            "users": [{"userid": "dev", "name": "Dev", "department": [1]}],
            "range": {"party": [1]},
        }))
        .unwrap();
        state.corps.insert(corp.corp_id.clone(), corp);
        let exp = state.now() + 60;
        state.provider_tokens.insert("ptok".into(), exp);
        "ptok".into()
    }

    /// [`installed`], with a paid order of two base accounts.
    fn with_paid_order(sim: &Sim) -> (String, Order) {
        let token = installed(sim);
        let mut state = sim.state();
        let order = state.place_order("wwcorp", 2, 0, 31).unwrap();
        (token, state.pay(&order.order_id).unwrap())
    }

    fn call(sim: &Sim, token: &str, call: &str, body: serde_json::Value) -> Reply {
        let path = format!("/cgi-bin/license/{call}?provider_access_token={token}");
        handle(sim, &Req::for_tests("POST", &path, &body.to_string()), call)
    }

    #[test]
    fn a_paid_order_reads_back_through_the_shared_types() {
        let sim = Sim::for_tests();
        let (token, order) = with_paid_order(&sim);
        let got = call(
            &sim,
            &token,
            "get_order",
            serde_json::json!({"order_id": order.order_id}),
        );
        let got: OrderReply = serde_json::from_str(&got.body).unwrap();
        assert_eq!(got.order.order_status, domain::wecom::OrderStatus::Paid);
        assert_eq!(got.order.account_count.base_count, 2);
        assert_eq!(got.order.account_duration.total_days(), 31);

        let page = call(
            &sim,
            &token,
            "list_order_account",
            serde_json::json!({"order_id": order.order_id, "limit": 1000, "cursor": ""}),
        );
        let page: AccountPage<OrderAccount> = serde_json::from_str(&page.body).unwrap();
        assert_eq!(page.account_list.len(), 2);
        assert_eq!(page.next(), None);
        let code = page.account_list[0].active_code.clone().unwrap();

        let bound = call(
            &sim,
            &token,
            "active_account",
            serde_json::json!({"corpid": "wwcorp", "active_code": code, "userid": "dev"}),
        );
        assert_eq!(bound.body, r#"{"errcode":0,"errmsg":"ok"}"#);
        let held = call(
            &sim,
            &token,
            "get_active_info_by_user",
            serde_json::json!({"corpid": "wwcorp", "userid": "dev"}),
        );
        let held: ActiveInfoByUser = serde_json::from_str(&held.body).unwrap();
        assert_eq!(held.active_status, 1);
        assert_eq!(held.active_info_list[0].userid.as_deref(), Some("dev"));
        let listed = call(
            &sim,
            &token,
            "list_actived_account",
            serde_json::json!({"corpid": "wwcorp"}),
        );
        let listed: AccountPage<BoundAccount> = serde_json::from_str(&listed.body).unwrap();
        assert_eq!(
            listed.account_list[0].active_code.as_deref(),
            Some(code.as_str())
        );
    }

    #[test]
    fn a_second_code_for_a_member_with_a_full_month_left_is_refused() {
        let sim = Sim::for_tests();
        let (token, order) = with_paid_order(&sim);
        let codes: Vec<String> = sim
            .state()
            .accounts
            .iter()
            .filter(|a| a.order_id == order.order_id)
            .map(|a| a.active_code.clone())
            .collect();
        let batch = call(
            &sim,
            &token,
            "batch_active_account",
            serde_json::json!({"corpid": "wwcorp", "active_list": [
                {"active_code": codes[0], "userid": "dev"},
                {"active_code": codes[1], "userid": "dev"},
            ]}),
        );
        let batch: BatchActivateReply = serde_json::from_str(&batch.body).unwrap();
        let errcodes: Vec<i64> = batch.active_result.iter().map(|r| r.errcode).collect();
        assert_eq!(errcodes, vec![0, 701011]);
    }

    #[test]
    fn a_body_that_is_not_json_is_a_data_format_error_on_every_call() {
        let sim = Sim::for_tests();
        let (token, _) = with_paid_order(&sim);
        for name in ["get_order", "no_such_call"] {
            let path = format!("/cgi-bin/license/{name}?provider_access_token={token}");
            let reply = handle(&sim, &Req::for_tests("POST", &path, "{"), name);
            assert!(reply.body.contains("47001"), "{name}: {}", reply.body);
        }
        let unknown = call(&sim, &token, "no_such_call", serde_json::json!({}));
        assert_eq!(unknown.status, 404);
    }

    #[test]
    fn the_license_api_refuses_as_documented() {
        let sim = Sim::for_tests();
        let token = installed(&sim);
        let e = |name: &str, body: serde_json::Value| -> i64 {
            let reply: serde_json::Value =
                serde_json::from_str(&call(&sim, &token, name, body).body).unwrap();
            reply["errcode"].as_i64().unwrap()
        };
        assert_eq!(
            e(
                "create_new_order",
                serde_json::json!({"buyer_userid": "sales", "corpid": "wwnobody",
                    "account_count": {"base_count": 1}, "account_duration": {"months": 1}})
            ),
            701015,
            "no authorisation, no order"
        );
        assert_eq!(
            e(
                "create_new_order",
                serde_json::json!({"buyer_userid": "sales", "corpid": "wwcorp",
                    "account_count": {"base_count": 0}, "account_duration": {"months": 1}})
            ),
            40058
        );
        assert_eq!(
            e(
                "list_order",
                serde_json::json!({"start_time": 1, "end_time": 1 + 32 * 86_400})
            ),
            40058,
            "a window longer than 31 days"
        );
        assert_eq!(
            e("get_order", serde_json::json!({"order_id": "OInope"})),
            701005
        );
        assert_eq!(
            e(
                "batch_get_active_info_by_code",
                serde_json::json!({"corpid": "wwcorp", "active_code_list": ["ACnope"]})
            ),
            701010
        );
        let many: Vec<String> = (0..1001).map(|i| format!("AC{i}")).collect();
        assert_eq!(
            e(
                "batch_get_active_info_by_code",
                serde_json::json!({"corpid": "wwcorp", "active_code_list": many})
            ),
            40058
        );
        let order = {
            let mut state = sim.state();
            let placed = state.place_order("wwcorp", 1, 0, 365).unwrap();
            state.pay(&placed.order_id).unwrap().order_id
        };
        let listed = call(
            &sim,
            &token,
            "list_order",
            serde_json::json!({"corpid": "wwcorp", "limit": 1}),
        );
        let listed: serde_json::Value = serde_json::from_str(&listed.body).unwrap();
        assert_eq!(listed["order_list"][0]["order_id"], order);
    }

    #[test]
    fn the_providers_balance_pays_an_order_once_and_a_test_organisation_buys_a_month() {
        let sim = Sim::for_tests();
        let token = installed(&sim);
        let json =
            |reply: Reply| -> serde_json::Value { serde_json::from_str(&reply.body).unwrap() };
        let order = |body: serde_json::Value| json(call(&sim, &token, "create_new_order", body));
        let no_buyer = order(serde_json::json!({"corpid": "wwcorp",
            "account_count": {"base_count": 2}, "account_duration": {"months": 1}}));
        assert_eq!(no_buyer["errcode"], 40058, "{no_buyer}");
        let placed = order(
            serde_json::json!({"corpid": "wwcorp", "buyer_userid": "ops01",
            "account_count": {"base_count": 2}, "account_duration": {"months": 12}}),
        );
        let order_id = placed["order_id"].as_str().unwrap().to_owned();

        // A balance short of the price: the job fails, the call itself not.
        sim.state().balance_fen = Some(1);
        let pay = |order_id: &str| {
            let job = json(call(
                &sim,
                &token,
                "submit_pay_job",
                serde_json::json!({"payer_userid": "ops01", "order_id": order_id}),
            ));
            assert_eq!(job["errcode"], 0, "{job}");
            json(call(
                &sim,
                &token,
                "pay_job_result",
                serde_json::json!({"jobid": job["jobid"]}),
            ))
        };
        let short = pay(&order_id);
        assert_eq!(
            (short["errcode"].as_i64(), short["status"].as_i64()),
            (Some(0), Some(3)),
            "{short}"
        );
        assert_eq!(short["pay_job_result"]["errcode"], 90433);
        sim.state().balance_fen = None;
        let paid = pay(&order_id);
        assert_eq!(paid["status"], 1, "{paid}");
        let accounts = sim
            .state()
            .accounts
            .iter()
            .filter(|a| a.order_id == order_id)
            .count();
        assert_eq!(accounts, 2);
        let again = pay(&order_id);
        assert_eq!(
            (
                again["status"].as_i64(),
                again["pay_job_result"]["errcode"].as_i64()
            ),
            (Some(3), Some(701084))
        );

        sim.state()
            .corps
            .get_mut("wwcorp")
            .unwrap()
            .license
            .test_corp = true;
        for refused in [
            serde_json::json!({"base_count": 1001}),
            serde_json::json!({"base_count": 1, "external_contact_count": 1001}),
        ] {
            let r = order(
                serde_json::json!({"corpid": "wwcorp", "buyer_userid": "ops01",
                "account_count": refused, "account_duration": {"months": 1}}),
            );
            assert_eq!(r["errcode"], 40058, "{r}");
        }
        let two_months = order(
            serde_json::json!({"corpid": "wwcorp", "buyer_userid": "ops01",
            "account_count": {"base_count": 1}, "account_duration": {"months": 2}}),
        );
        assert_eq!(two_months["errcode"], 40058);
        let month = order(
            serde_json::json!({"corpid": "wwcorp", "buyer_userid": "ops01",
            "account_count": {"base_count": 1000}, "account_duration": {"months": 1}}),
        );
        assert_eq!(month["errcode"], 0, "{month}");
    }

    #[test]
    fn a_placed_order_awaits_payment_and_its_codes_describe_themselves() {
        let sim = Sim::for_tests();
        let token = installed(&sim);
        let json =
            |reply: Reply| -> serde_json::Value { serde_json::from_str(&reply.body).unwrap() };
        let placed = json(call(
            &sim,
            &token,
            "create_new_order",
            serde_json::json!({"corpid": "wwcorp", "buyer_userid": "sales-rep",
                "account_count": {"base_count": 2}, "account_duration": {"months": 1}}),
        ));
        assert_eq!(placed["errcode"], 0, "{placed}");
        let order_id = placed["order_id"].as_str().unwrap().to_owned();
        let listed = json(call(
            &sim,
            &token,
            "list_order",
            serde_json::json!({"corpid": "wwcorp"}),
        ));
        assert_eq!(listed["order_list"][0]["order_id"], order_id);
        let order = json(call(
            &sim,
            &token,
            "get_order",
            serde_json::json!({"order_id": order_id}),
        ));
        assert_eq!(order["order"]["order_status"], 0, "awaiting payment");
        assert_eq!(
            order["order"]["account_duration"]["days"], 31,
            "a month is 31 days"
        );

        sim.state().pay(&order_id).unwrap();
        let codes: Vec<String> = sim
            .state()
            .accounts
            .iter()
            .filter(|a| a.order_id == order_id)
            .map(|a| a.active_code.clone())
            .collect();
        let one = json(call(
            &sim,
            &token,
            "get_active_info_by_code",
            serde_json::json!({"corpid": "wwcorp", "active_code": codes[0]}),
        ));
        assert_eq!(one["active_info"]["status"], 1, "unbound");
        assert!(one["active_info"].get("userid").is_none());
        let batch = json(call(
            &sim,
            &token,
            "batch_get_active_info_by_code",
            serde_json::json!({"corpid": "wwcorp", "active_code_list": [codes[0], codes[1], "ACnope"]}),
        ));
        assert_eq!(
            batch["invalid_active_code_list"],
            serde_json::json!(["ACnope"])
        );
    }

    fn json(reply: Reply) -> serde_json::Value {
        serde_json::from_str(&reply.body).unwrap()
    }

    #[test]
    fn activation_by_type_takes_the_earliest_code_and_never_renews() {
        let sim = Sim::for_tests();
        let (token, first) = with_paid_order(&sim);
        {
            // A later order: its codes have a later activation deadline.
            let mut state = sim.state();
            state.clock_offset = 10;
            let later = state.place_order("wwcorp", 1, 0, 31).unwrap();
            state.pay(&later.order_id).unwrap();
        }
        let by_type = |userid: &str| {
            json(call(
                &sim,
                &token,
                "active_account_by_type",
                serde_json::json!({"corpid": "wwcorp", "userid": userid, "type": 1}),
            ))
        };
        assert_eq!(by_type("dev")["errcode"], 0);
        let held = json(call(
            &sim,
            &token,
            "get_active_info_by_user",
            serde_json::json!({"corpid": "wwcorp", "userid": "dev"}),
        ));
        let code = held["active_info_list"][0]["active_code"].as_str().unwrap();
        let bound = sim.state();
        let a = bound
            .accounts
            .iter()
            .find(|a| a.active_code == code)
            .unwrap();
        assert_eq!(a.order_id, first.order_id, "the earliest deadline first");
        drop(bound);
        assert!(
            held["active_info_list"][0].get("status").is_none(),
            "by user: no status"
        );
        assert_eq!(by_type("dev")["errcode"], 701011, "a holder is refused");
        assert_eq!(by_type("nobody")["errcode"], 701019);
    }

    #[test]
    fn a_renewal_order_lists_members_and_paying_it_merges_their_code_into_a_new_one() {
        let sim = Sim::for_tests();
        let (token, order) = with_paid_order(&sim);
        let code = sim.state().accounts[0].active_code.clone();
        let bound = call(
            &sim,
            &token,
            "active_account",
            serde_json::json!({"corpid": "wwcorp", "active_code": code, "userid": "dev"}),
        );
        assert!(bound.body.contains("\"errcode\":0"));
        let expiry = sim.state().accounts[0].expire_time.unwrap();
        let job = json(call(
            &sim,
            &token,
            "create_renew_order_job",
            serde_json::json!({"corpid": "wwcorp", "account_list": [
                {"userid": "dev", "type": 1}, {"userid": "nobody", "type": 1}]}),
        ));
        assert_eq!(job["invalid_account_list"][0]["userid"], "nobody");
        let placed = json(call(
            &sim,
            &token,
            "submit_order_job",
            serde_json::json!({"jobid": job["jobid"], "buyer_userid": "rep",
                "account_duration": {"months": 1}}),
        ));
        let renewal = placed["order_id"].as_str().unwrap().to_owned();
        let got = json(call(
            &sim,
            &token,
            "get_order",
            serde_json::json!({"order_id": renewal}),
        ));
        assert_eq!(got["order"]["order_type"], 2);
        let listed = json(call(
            &sim,
            &token,
            "list_order_account",
            serde_json::json!({"order_id": renewal}),
        ));
        assert_eq!(
            listed["account_list"],
            serde_json::json!([{"userid": "dev", "type": 1}]),
            "members, no code"
        );
        sim.state().pay(&renewal).unwrap();
        let old = json(call(
            &sim,
            &token,
            "get_active_info_by_code",
            serde_json::json!({"corpid": "wwcorp", "active_code": code}),
        ));
        assert_eq!(old["active_info"]["status"], 5, "merged");
        let held = json(call(
            &sim,
            &token,
            "get_active_info_by_user",
            serde_json::json!({"corpid": "wwcorp", "userid": "dev"}),
        ));
        let list = held["active_info_list"].as_array().unwrap();
        assert_eq!(list.len(), 1, "one account per type");
        assert_ne!(list[0]["active_code"], code.as_str());
        assert_eq!(list[0]["expire_time"], expiry + 31 * DAY);
        assert_ne!(order.order_id, renewal);
    }
}
