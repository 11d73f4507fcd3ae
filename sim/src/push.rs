//! Pushes callbacks to the worker exactly as WeCom does: the message (a
//! flat `<xml>` built by [`Message`], quick_xml's writer underneath) is
//! encrypted for the receive id, signed, POSTed with
//! msg_signature/timestamp/nonce; anything but `success` is retried.

use crate::config::Config;
use crate::sim::Sim;
use crate::wire::Reply;
use domain::crypto::MsgCrypt;
use quick_xml::events::{BytesCData, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::fmt::Display;
use std::time::Duration;

/// WeCom retries a callback 3 times when the answer is not `success`
/// (WeCom's callback documentation).
pub const RETRIES: usize = 3;

/// A WeCom XML message: `<xml>` with one element per field, in the order
/// written. Strings go into CDATA sections (split where they hold `]]>`),
/// numbers and codes into escaped text, so no value can change the
/// message's structure.
pub struct Message {
    writer: Writer<Vec<u8>>,
}

impl Default for Message {
    fn default() -> Message {
        Message::new()
    }
}

impl Message {
    pub fn new() -> Message {
        Message {
            writer: Writer::new(Vec::new()),
        }
        .open("xml")
    }

    fn write(mut self, event: Event<'_>) -> Message {
        self.writer
            .write_event(event)
            .expect("writing to memory cannot fail");
        self
    }

    fn open(self, name: &str) -> Message {
        self.write(Event::Start(BytesStart::new(name)))
    }

    fn close(self, name: &str) -> Message {
        self.write(Event::End(BytesEnd::new(name)))
    }

    /// `<name><![CDATA[value]]></name>`.
    pub fn cdata(self, name: &str, value: &str) -> Message {
        let open = self.open(name);
        BytesCData::escaped(value)
            .fold(open, |m, section| m.write(Event::CData(section)))
            .close(name)
    }

    /// `<name>value</name>`, the value escaped.
    pub fn text(self, name: &str, value: impl Display) -> Message {
        let value = value.to_string();
        self.open(name)
            .write(Event::Text(BytesText::new(&value)))
            .close(name)
    }

    /// `<name>…</name>` around the fields `fields` writes.
    pub fn group(self, name: &str, fields: impl FnOnce(Message) -> Message) -> Message {
        fields(self.open(name)).close(name)
    }

    pub fn finish(self) -> String {
        let bytes = self.close("xml").writer.into_inner();
        String::from_utf8(bytes).expect("the writer writes the UTF-8 it is given")
    }
}

/// The start of every suite ("command") event: suite, kind, time.
pub fn suite_event(sim: &Sim, info_type: &str, now: u64) -> Message {
    Message::new()
        .cdata("SuiteId", &sim.config.suite_id)
        .cdata("InfoType", info_type)
        .text("TimeStamp", now)
}

/// The three URLs WeCom pushes to (DESIGN §2), each with its keys.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Suite command URL: suite Token/Key, receive id = suite id.
    Command,
    /// Data URL: suite Token/Key, receive id = the organisation's corp id.
    Data,
    /// Provider system event URL (license events): the provider's own
    /// Token/Key, receive id = the provider's CorpID.
    System,
}

impl Source {
    pub fn parse(name: &str) -> Option<Source> {
        match name {
            "command" => Some(Source::Command),
            "data" => Some(Source::Data),
            "system" => Some(Source::System),
            _ => None,
        }
    }

    fn path(self) -> &'static str {
        match self {
            Source::Command => "command",
            Source::Data => "data",
            Source::System => "system",
        }
    }

    /// The Token/EncodingAESKey pair WeCom signs and encrypts with here.
    fn crypt(self, cfg: &Config) -> MsgCrypt {
        let (token, key) = match self {
            Source::Command | Source::Data => (&cfg.suite_token, &cfg.suite_aes_key),
            Source::System => (&cfg.provider_token, &cfg.provider_aes_key),
        };
        MsgCrypt::new(token, key).expect("a valid EncodingAESKey")
    }

    fn url(self, cfg: &Config, query: &str) -> String {
        format!("{}/wecom/callback/{}?{query}", cfg.worker, self.path())
    }
}

#[derive(Debug, serde::Serialize)]
pub struct Delivery {
    pub status: u16,
    pub body: String,
    pub attempts: usize,
    pub success: bool,
}

fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).expect("the OS has randomness");
    b
}

/// One signed delivery attempt, waiting `window` for the answer.
fn deliver_once(
    sim: &Sim,
    source: Source,
    receive_id: &str,
    plaintext: &str,
    window: Duration,
) -> (u16, String) {
    let cfg = &sim.config;
    let crypt = source.crypt(cfg);
    let encrypted = crypt.encrypt(plaintext, receive_id, random16());
    let body = Message::new()
        .cdata("ToUserName", receive_id)
        .cdata("Encrypt", &encrypted)
        .cdata("AgentID", "")
        .finish();
    let query = signed_query(sim, &crypt, &encrypted, None);
    answer(
        ureq::post(&source.url(cfg, &query))
            .timeout(window)
            .set("Content-Type", "text/xml")
            .send_string(&body),
    )
}

/// WeCom waits 5 s for the answer to a push, then retries (DESIGN §2).
pub const ANSWER_WINDOW: Duration = Duration::from_secs(5);
/// `create_auth` must be answered within 1 000 ms (授权成功通知, 90642).
pub const CREATE_AUTH_ANSWER_WINDOW: Duration = Duration::from_millis(1000);

/// msg_signature, timestamp, nonce (and echostr for a URL check), signed
/// over `encrypted`.
fn signed_query(sim: &Sim, crypt: &MsgCrypt, encrypted: &str, echostr: Option<&str>) -> String {
    let timestamp = sim.now().to_string();
    let nonce = u32::from_le_bytes(random16()[..4].try_into().unwrap()).to_string();
    let signature = crypt.signature(&timestamp, &nonce, encrypted);
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("msg_signature", &signature)
        .append_pair("timestamp", &timestamp)
        .append_pair("nonce", &nonce);
    if let Some(e) = echostr {
        query.append_pair("echostr", e);
    }
    query.finish()
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match result {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(e) => (0, e.to_string()),
    }
}

/// What the provider's console does when a URL is saved: a GET with an
/// encrypted random `echostr` (receive id = the provider's CorpID on all
/// three URLs, as WeCom sends it) that the URL must answer in plain text.
#[derive(Debug, serde::Serialize)]
pub struct UrlCheck {
    pub status: u16,
    pub body: String,
    /// The URL answered exactly the echo: WeCom would save it.
    pub accepted: bool,
}

pub fn verify_url(sim: &Sim, source: Source) -> UrlCheck {
    let cfg = &sim.config;
    let crypt = source.crypt(cfg);
    let echo = u64::from_le_bytes(random16()[..8].try_into().unwrap()).to_string();
    let encrypted = crypt.encrypt(&echo, &cfg.provider_corpid, random16());
    let query = signed_query(sim, &crypt, &encrypted, Some(&encrypted));
    // WeCom's console gives a URL check about a second (回调配置, 96238).
    let window = Duration::from_secs(1);
    let (status, body) = answer(ureq::get(&source.url(cfg, &query)).timeout(window).call());
    UrlCheck {
        accepted: status == 200 && body == echo,
        status,
        body,
    }
}

/// Delivers with WeCom's retries; returns the last answer.
pub fn deliver(sim: &Sim, source: Source, receive_id: &str, plaintext: &str) -> Delivery {
    deliver_within(sim, source, receive_id, plaintext, ANSWER_WINDOW)
}

/// Delivers with WeCom's retries, each attempt answered within `window`
/// or counted as failed.
pub fn deliver_within(
    sim: &Sim,
    source: Source,
    receive_id: &str,
    plaintext: &str,
    window: Duration,
) -> Delivery {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (status, body) = deliver_once(sim, source, receive_id, plaintext, window);
        let success = status == 200 && body.trim() == "success";
        if success || attempts > RETRIES {
            return Delivery {
                status,
                body,
                attempts,
                success,
            };
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Pushes a provider system event (license events) to the system URL.
pub fn system(sim: &Sim, plaintext: &str) -> Delivery {
    deliver(sim, Source::System, &sim.config.provider_corpid, plaintext)
}

/// Pushes a fresh suite_ticket, as WeCom does every 10 minutes.
pub fn suite_ticket(sim: &Sim) -> Delivery {
    let (ticket, now) = {
        let mut state = sim.state();
        (state.new_suite_ticket(), state.now())
    };
    let xml = suite_event(sim, "suite_ticket", now)
        .cdata("SuiteTicket", &ticket)
        .finish();
    deliver(sim, Source::Command, &sim.config.suite_id, &xml)
}

impl Delivery {
    /// 200 when the worker took the callback, else 502.
    pub fn http_status(&self) -> u16 {
        if self.success {
            200
        } else {
            502
        }
    }

    /// What a control route answers after a push: the delivery itself.
    pub fn reply(&self) -> Reply {
        Reply::json(self.http_status(), self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::event::{CommandEvent, ContactChange, SystemEvent, SystemKind};

    const AWKWARD: &str = "A <b> & \"c\" ]]> d]]>";

    #[test]
    fn plain_values_are_written_as_wecom_writes_them() {
        let xml = Message::new()
            .cdata("SuiteId", "wwsuite")
            .text("TimeStamp", 1_700_000_000)
            .cdata("State", "")
            .finish();
        assert_eq!(
            xml,
            "<xml><SuiteId><![CDATA[wwsuite]]></SuiteId><TimeStamp>1700000000</TimeStamp>\
             <State><![CDATA[]]></State></xml>"
        );
    }

    #[test]
    fn a_name_with_markup_round_trips_through_the_event_parser() {
        let xml = Message::new()
            .cdata("SuiteId", "wwsuite")
            .cdata("AuthCorpId", "wwcorp")
            .cdata("InfoType", "change_contact")
            .text("TimeStamp", 1_700_000_000)
            .cdata("ChangeType", "create_user")
            .cdata("UserID", "u1")
            .cdata("Name", AWKWARD)
            .text("Status", 1)
            .finish();
        let CommandEvent::ChangeContact {
            auth_corp_id,
            change,
        } = CommandEvent::parse(&xml).unwrap()
        else {
            panic!("not a change_contact: {xml}");
        };
        assert_eq!(auth_corp_id, "wwcorp");
        let ContactChange::CreateUser(member) = change else {
            panic!("not create_user: {xml}");
        };
        assert_eq!(member.name.as_deref(), Some(AWKWARD));
    }

    #[test]
    fn text_values_are_escaped_not_spliced() {
        let xml = Message::new()
            .cdata("ServiceCorpId", "wwprovider")
            .cdata("InfoType", "auto_activate")
            .cdata("AuthCorpId", "wwcorp")
            .text("Scene", 1)
            .group("AccountList", |m| {
                m.text("ActiveCode", "AC<1>&")
                    .text("Type", 1)
                    .text("ExpireTime", 9)
                    .text("UserId", "</UserId><x>")
            })
            .finish();
        let SystemKind::AutoActivate { accounts, .. } = SystemEvent::parse(&xml).unwrap().kind
        else {
            panic!("not auto_activate: {xml}");
        };
        assert_eq!(accounts[0].active_code, "AC<1>&");
        assert_eq!(accounts[0].userid, "</UserId><x>");
    }
}
