//! What every handler reads and writes: the request (`Req`), the reply
//! (`Reply`), and the answer helpers shared by the WeCom routes (`ok`,
//! `err`: HTTP 200 with an `errcode`, as WeCom answers) and the control
//! routes (`bad`, `not_found`: plain HTTP statuses).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

pub struct Req {
    pub method: String,
    pub path: String,
    /// Decoded query pairs, in the order they came.
    pub query: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    /// The first value of a query parameter.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct Reply {
    pub status: u16,
    pub body: String,
    pub content_type: &'static str,
    /// Where a redirect (302) sends the browser.
    pub location: Option<String>,
}

impl Reply {
    /// A JSON answer. It goes through `serde_json::Value`, so object keys
    /// come out sorted whatever type built them: the bytes a caller sees do
    /// not depend on a struct's field order.
    pub fn json(status: u16, body: &impl Serialize) -> Reply {
        let value = serde_json::to_value(body).expect("answers serialise to JSON");
        Reply {
            status,
            body: value.to_string(),
            content_type: "application/json; charset=utf-8",
            location: None,
        }
    }

    /// A page for a browser (WeCom's login and OAuth pages).
    pub fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            body,
            content_type: "text/html; charset=utf-8",
            location: None,
        }
    }

    /// Sends the browser on to `url` (302).
    pub fn redirect(url: String) -> Reply {
        Reply {
            status: 302,
            body: String::new(),
            content_type: "text/plain; charset=utf-8",
            location: Some(url),
        }
    }
}

/// WeCom's success: the body with `errcode` 0 and `errmsg` "ok" added.
pub fn ok(body: &impl Serialize) -> Reply {
    let mut value = serde_json::to_value(body).expect("answers serialise to JSON");
    if let Value::Object(fields) = &mut value {
        fields.insert("errcode".into(), json!(0));
        fields.insert("errmsg".into(), json!("ok"));
    }
    Reply::json(200, &value)
}

/// WeCom's refusal: HTTP 200 carrying the errcode.
pub fn err(errcode: i64, errmsg: &str) -> Reply {
    Reply::json(200, &json!({"errcode": errcode, "errmsg": errmsg}))
}

/// A WeCom errcode with its errmsg, decided wherever the rule lives and
/// answered by the route (as [`err`], or as a control route's 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub errcode: i64,
    pub errmsg: &'static str,
}

impl Refusal {
    pub const fn new(errcode: i64, errmsg: &'static str) -> Refusal {
        Refusal { errcode, errmsg }
    }

    pub fn reply(self) -> Reply {
        err(self.errcode, self.errmsg)
    }
}

/// WeCom's answer to a body it cannot read as JSON.
pub const DATA_FORMAT: Refusal = Refusal::new(47001, "data format error");
/// WeCom's global errcode -1: the system is busy, try again later
/// (global errcode table, document/path/90313).
pub const SYSTEM_BUSY: Refusal = Refusal::new(-1, "system busy");

/// A WeCom route's JSON body as its wire type. A body that is not JSON at
/// all is WeCom's 47001 "data format error"; JSON of another shape (a field
/// missing or of the wrong type) gets `shape`, the route's own refusal for
/// a field it cannot use.
pub fn body<T: DeserializeOwned>(req: &Req, shape: Refusal) -> Result<T, Reply> {
    serde_json::from_slice(&req.body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => shape.reply(),
        _ => DATA_FORMAT.reply(),
    })
}

/// A `cgi-bin` path WeCom does not serve (or not with this method).
pub fn no_such_api() -> Reply {
    Reply::json(404, &json!({"errcode": 404, "errmsg": "no such api"}))
}

/// A control request the simulator cannot act on.
pub fn bad(msg: impl Into<String>) -> Reply {
    Reply::json(400, &json!({"error": msg.into()}))
}

/// A control request about something the simulator does not hold.
pub fn not_found(what: &str) -> Reply {
    Reply::json(404, &json!({"error": format!("{what} not found")}))
}

/// A control change refused the way WeCom's contacts API refuses it.
pub fn refused(errcode: i64, errmsg: &str) -> Reply {
    Reply::json(400, &json!({"errcode": errcode, "errmsg": errmsg}))
}

#[cfg(test)]
impl Req {
    /// A request as the HTTP adapter would hand it over.
    pub fn for_tests(method: &str, path_and_query: &str, body: &str) -> Req {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        Req {
            method: method.into(),
            path: path.into(),
            query: form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }
}
