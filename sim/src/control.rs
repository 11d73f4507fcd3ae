//! The simulator's own routes (`/_sim/*`), for tests and the demo.

use crate::push::{self, Delivery, Source};
use crate::sim::Sim;
use crate::state::{Corp, Order};
use crate::wire::{bad, err, not_found, Reply, Req};
use serde_json::{json, Value};

fn delivered(d: Delivery) -> Reply {
    let status = if d.success { 200 } else { 502 };
    Reply::json(status, &json!(d))
}

impl Sim {
    fn command_xml(&self, info_type: &str, fields: &str) -> String {
        format!(
            "<xml><SuiteId><![CDATA[{}]]></SuiteId><InfoType><![CDATA[{info_type}]]></InfoType>\
             <TimeStamp>{}</TimeStamp>{fields}</xml>",
            self.config.suite_id,
            self.now()
        )
    }

    fn install(&self, corp_id: &str) -> Reply {
        let code = {
            let mut state = self.state();
            if !state.corps.contains_key(corp_id) {
                return not_found("organisation");
            }
            state.new_auth_code(corp_id)
        };
        let xml = self.command_xml(
            "create_auth",
            &format!("<AuthCode><![CDATA[{code}]]></AuthCode><State><![CDATA[]]></State>"),
        );
        delivered(push::deliver(
            self,
            Source::Command,
            &self.config.suite_id,
            &xml,
        ))
    }

    /// `POST /_sim/corps/{corp_id}/orders {"base","interconnect","days"}`:
    /// the organisation places and pays an order at once; accounts are
    /// created and `license_pay_success` is pushed.
    fn pay_order(&self, corp_id: &str, body: &Value) -> Reply {
        let base = body["base"].as_u64().unwrap_or(0);
        let interconnect = body["interconnect"].as_u64().unwrap_or(0);
        let days = body["days"].as_u64().unwrap_or(365);
        let paid = {
            let mut state = self.state();
            // A refusal reads as WeCom's answer would, as text.
            state
                .place_order(corp_id, base, interconnect, days)
                .map_err(|r| err(r.errcode, r.errmsg).body)
                .and_then(|order| state.pay(&order.order_id))
        };
        match paid {
            Ok(order) => self.announce_paid(&order),
            Err(e) => bad(e),
        }
    }

    /// The buyer pays an order placed with `create_new_order`.
    fn pay_placed(&self, order_id: &str) -> Reply {
        let paid = self.state().pay(order_id);
        match paid {
            Ok(order) => self.announce_paid(&order),
            Err(e) => bad(e),
        }
    }

    fn announce_paid(&self, order: &Order) -> Reply {
        let corp_id = &order.corp_id;
        let xml = format!(
            "<xml><ServiceCorpId><![CDATA[{}]]></ServiceCorpId><InfoType><![CDATA[license_pay_success]]></InfoType>\
             <AuthCorpId><![CDATA[{corp_id}]]></AuthCorpId><OrderId><![CDATA[{}]]></OrderId>\
             <BuyerUserId><![CDATA[]]></BuyerUserId><TimeStamp>{}</TimeStamp></xml>",
            self.config.provider_corpid,
            order.order_id,
            self.now()
        );
        let d = push::deliver(self, Source::Command, &self.config.suite_id, &xml);
        Reply::json(
            if d.success { 200 } else { 502 },
            &json!({"order_id": order.order_id, "delivery": d}),
        )
    }

    /// The organisation is refunded the order's unused accounts.
    fn refund(&self, corp_id: &str, order_id: &str) -> Reply {
        {
            let mut state = self.state();
            let Some(order) = state
                .orders
                .iter_mut()
                .find(|o| o.order_id == order_id && o.corp_id == corp_id)
            else {
                return not_found("order");
            };
            order.order_status = 4;
            state
                .accounts
                .retain(|a| a.order_id != order_id || a.userid.is_some());
        }
        let xml = format!(
            "<xml><ServiceCorpId><![CDATA[{}]]></ServiceCorpId><InfoType><![CDATA[license_refund]]></InfoType>\
             <AuthCorpId><![CDATA[{corp_id}]]></AuthCorpId><OrderId><![CDATA[{order_id}]]></OrderId>\
             <OrderStatus>4</OrderStatus><TimeStamp>{}</TimeStamp></xml>",
            self.config.provider_corpid,
            self.now()
        );
        delivered(push::deliver(
            self,
            Source::Command,
            &self.config.suite_id,
            &xml,
        ))
    }

    /// A member opens the app. Without a valid seat WeCom either binds a
    /// free account (auto-activation on: `auto_activate`) or tells the app
    /// (`unlicensed_notify`, members in range only).
    fn open_app(&self, corp_id: &str, body: &Value) -> Reply {
        let Some(userid) = body["userid"].as_str() else {
            return bad("userid is required");
        };
        let (event, source, receive_id) = {
            let mut state = self.state();
            let now = state.now();
            let Some(corp) = state.corps.get(corp_id) else {
                return not_found("organisation");
            };
            let Some(user) = corp.users.iter().find(|u| u.userid == userid) else {
                return not_found("member");
            };
            if !crate::range::visible(corp).sees(user) {
                return Reply::json(
                    200,
                    &json!({"pushed": false, "reason": "outside the visible range"}),
                );
            }
            let agent_id = corp.agent_id;
            let has_seat = state.accounts.iter().any(|a| {
                a.corp_id == corp_id
                    && a.userid.as_deref() == Some(userid)
                    && a.expire_time.is_some_and(|e| e > now)
            });
            if has_seat {
                return Reply::json(200, &json!({"pushed": false, "reason": "has a valid seat"}));
            }
            let auto = state.auto_active.get(corp_id).copied().unwrap_or(false);
            let free = state
                .accounts
                .iter()
                .position(|a| a.corp_id == corp_id && a.userid.is_none() && a.account_type == 1);
            match (auto, free) {
                (true, Some(i)) => {
                    let a = &mut state.accounts[i];
                    a.userid = Some(userid.to_owned());
                    a.active_time = Some(now);
                    a.expire_time = Some(now + a.days * 86_400);
                    let xml = format!(
                        "<xml><ServiceCorpId><![CDATA[{}]]></ServiceCorpId><InfoType><![CDATA[auto_activate]]></InfoType>\
                         <AuthCorpId><![CDATA[{corp_id}]]></AuthCorpId><Scene>1</Scene><TimeStamp>{now}</TimeStamp>\
                         <AccountList><ActiveCode>{}</ActiveCode><Type>1</Type><ExpireTime>{}</ExpireTime>\
                         <UserId>{userid}</UserId><PreviousStatus>1</PreviousStatus></AccountList></xml>",
                        self.config.provider_corpid,
                        a.active_code,
                        a.expire_time.unwrap_or(now)
                    );
                    (xml, Source::Command, self.config.suite_id.clone())
                }
                _ => (
                    format!(
                        "<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><FromUserName><![CDATA[{userid}]]></FromUserName>\
                         <CreateTime>{now}</CreateTime><MsgType><![CDATA[event]]></MsgType>\
                         <Event><![CDATA[unlicensed_notify]]></Event><AgentID>{agent_id}</AgentID></xml>"
                    ),
                    Source::Data,
                    corp_id.to_owned(),
                ),
            }
        };
        delivered(push::deliver(self, source, &receive_id, &event))
    }

    fn uninstall(&self, corp_id: &str) -> Reply {
        {
            let mut state = self.state();
            let Some(corp) = state.corps.get_mut(corp_id) else {
                return not_found("organisation");
            };
            corp.installed = false;
            corp.permanent_code = None;
            state.corp_tokens.retain(|_, (c, _)| c != corp_id);
        }
        let xml = self.command_xml(
            "cancel_auth",
            &format!("<AuthCorpId><![CDATA[{corp_id}]]></AuthCorpId>"),
        );
        delivered(push::deliver(
            self,
            Source::Command,
            &self.config.suite_id,
            &xml,
        ))
    }

    /// `POST /_sim/push {"source":"command"|"data","receive_id"?,"xml"}`.
    fn push_raw(&self, body: &Value) -> Reply {
        let Some(xml) = body["xml"].as_str() else {
            return bad("xml is required");
        };
        let source = match body["source"].as_str().unwrap_or("command") {
            "command" => Source::Command,
            "data" => Source::Data,
            other => return bad(format!("unknown source {other}")),
        };
        let receive_id = body["receive_id"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| self.config.suite_id.clone());
        delivered(push::deliver(self, source, &receive_id, xml))
    }

    fn put_corp(&self, body: &[u8]) -> Reply {
        let mut corp: Corp = match serde_json::from_slice(body) {
            Ok(c) => c,
            Err(e) => return bad(format!("bad organisation: {e}")),
        };
        if corp.corp_id.is_empty() {
            return bad("corp_id is required");
        }
        let mut state = self.state();
        // Re-creating keeps the install (as WeCom would: contacts change, the
        // authorisation stays).
        if let Some(old) = state.corps.get(&corp.corp_id) {
            corp.installed = old.installed;
            corp.permanent_code = old.permanent_code.clone();
            corp.first_installed_at = old.first_installed_at;
        } else {
            corp.installed = false;
            corp.permanent_code = None;
        }
        let summary = json!({"corp_id": corp.corp_id, "departments": corp.departments.len(), "users": corp.users.len()});
        state.corps.insert(corp.corp_id.clone(), corp);
        Reply::json(200, &summary)
    }

    /// Creates the demo organisation once; says whether it was new.
    fn demo(&self) -> Reply {
        if self.state().corps.contains_key(crate::demo::DEMO_CORP_ID) {
            return Reply::json(200, &json!({"created": false}));
        }
        let demo = serde_json::to_vec(&crate::demo::corp()).expect("demo serialises");
        let reply = self.put_corp(&demo);
        if reply.status != 200 {
            return reply;
        }
        Reply::json(200, &json!({"created": true}))
    }

    fn dispatch(&self, req: &Req) -> Option<Reply> {
        let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        let json_body = || serde_json::from_slice::<Value>(&req.body).unwrap_or(Value::Null);
        Some(match (req.method.as_str(), segments.as_slice()) {
            ("GET", ["_sim", "health"]) => Reply::json(
                200,
                &json!({
                    "ok": true,
                    "uptime_secs": self.uptime_secs(),
                    "worker": self.config.worker,
                    "now": self.now(),
                }),
            ),
            ("POST", ["_sim", "corps"]) => self.put_corp(&req.body),
            ("POST", ["_sim", "demo"]) => self.demo(),
            ("GET", ["_sim", "corps", corp_id]) => match self.state().corps.get(*corp_id) {
                Some(c) => Reply::json(200, &json!(c)),
                None => not_found("organisation"),
            },
            ("POST", ["_sim", "corps", corp_id, "install"]) => self.install(corp_id),
            ("POST", ["_sim", "corps", corp_id, "range"]) => self.set_range(corp_id, &json_body()),
            ("POST", ["_sim", "corps", corp_id, "orders"]) => self.pay_order(corp_id, &json_body()),
            ("POST", ["_sim", "orders", order_id, "pay"]) => self.pay_placed(order_id),
            ("POST", ["_sim", "corps", corp_id, "orders", order_id, "refund"]) => {
                self.refund(corp_id, order_id)
            }
            ("POST", ["_sim", "corps", corp_id, "open_app"]) => {
                self.open_app(corp_id, &json_body())
            }
            ("POST", ["_sim", "corps", corp_id, "generate"]) => {
                self.generate(corp_id, &json_body())
            }
            ("POST", ["_sim", "corps", corp_id, "users"]) => self.change_user(req, corp_id, None),
            ("PATCH" | "DELETE", ["_sim", "corps", corp_id, "users", userid]) => {
                self.change_user(req, corp_id, Some(userid))
            }
            ("POST", ["_sim", "corps", corp_id, "departments"]) => {
                self.change_department(req, corp_id, None)
            }
            ("PATCH" | "DELETE", ["_sim", "corps", corp_id, "departments", id]) => match id.parse()
            {
                Ok(id) => self.change_department(req, corp_id, Some(id)),
                Err(_) => bad("department id must be a number"),
            },
            ("POST", ["_sim", "corps", corp_id, "uninstall"]) => self.uninstall(corp_id),
            ("POST", ["_sim", "suite_ticket"]) => delivered(push::suite_ticket(self)),
            // Tests move WeCom's clock (trial end, expiry, cooldown).
            ("POST", ["_sim", "clock"]) => match json_body()["offset_secs"].as_i64() {
                Some(offset) => {
                    let mut state = self.state();
                    state.clock_offset = offset;
                    Reply::json(200, &json!({"offset_secs": offset, "now": state.now()}))
                }
                None => bad("offset_secs is required"),
            },
            // What two hours do to every token WeCom issued, without moving
            // the clock under other tests' callbacks.
            ("POST", ["_sim", "expire_tokens"]) => {
                let mut state = self.state();
                let now = state.now();
                state.suite_tokens.values_mut().for_each(|exp| *exp = now);
                state
                    .provider_tokens
                    .values_mut()
                    .for_each(|exp| *exp = now);
                state
                    .corp_tokens
                    .values_mut()
                    .for_each(|(_, exp)| *exp = now);
                Reply::json(200, &json!({"expired": true}))
            }
            ("POST", ["_sim", "push"]) => self.push_raw(&json_body()),
            _ => return None,
        })
    }
}

/// Answers a `/_sim/*` route; `None` when there is no such route.
pub fn handle(sim: &Sim, req: &Req) -> Option<Reply> {
    sim.dispatch(req)
}
