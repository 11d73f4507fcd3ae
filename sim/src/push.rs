//! Pushes callbacks to the worker exactly as WeCom does: the message (a
//! flat `<xml>` built by [`Message`], quick_xml's writer underneath) is
//! encrypted for the receive id, signed, POSTed with
//! msg_signature/timestamp/nonce; anything but `success` is retried.

use crate::sim::Sim;
use crate::wire::Reply;
use domain::crypto::MsgCrypt;
use quick_xml::events::{BytesCData, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::fmt::Display;

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

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Command,
    Data,
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

/// One signed delivery attempt.
fn deliver_once(sim: &Sim, source: Source, receive_id: &str, plaintext: &str) -> (u16, String) {
    let cfg = &sim.config;
    let crypt =
        MsgCrypt::new(&cfg.suite_token, &cfg.suite_aes_key).expect("a valid EncodingAESKey");
    let encrypted = crypt.encrypt(plaintext, receive_id, random16());
    let timestamp = sim.now().to_string();
    let nonce = u32::from_le_bytes(random16()[..4].try_into().unwrap()).to_string();
    let signature = crypt.signature(&timestamp, &nonce, &encrypted);
    let body = Message::new()
        .cdata("ToUserName", receive_id)
        .cdata("Encrypt", &encrypted)
        .cdata("AgentID", "")
        .finish();
    let path = match source {
        Source::Command => "command",
        Source::Data => "data",
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("msg_signature", &signature)
        .append_pair("timestamp", &timestamp)
        .append_pair("nonce", &nonce)
        .finish();
    let url = format!("{}/wecom/callback/{path}?{query}", cfg.worker);
    let result = ureq::post(&url)
        .timeout(std::time::Duration::from_secs(5))
        .set("Content-Type", "text/xml")
        .send_string(&body);
    match result {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(e) => (0, e.to_string()),
    }
}

/// Delivers with WeCom's retries; returns the last answer.
pub fn deliver(sim: &Sim, source: Source, receive_id: &str, plaintext: &str) -> Delivery {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (status, body) = deliver_once(sim, source, receive_id, plaintext);
        let success = status == 200 && body.trim() == "success";
        if success || attempts > RETRIES {
            return Delivery {
                status,
                body,
                attempts,
                success,
            };
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
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
    use domain::event::{CommandEvent, ContactChange};

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
        let CommandEvent::AutoActivate { accounts, .. } = CommandEvent::parse(&xml).unwrap() else {
            panic!("not auto_activate: {xml}");
        };
        assert_eq!(accounts[0].active_code, "AC<1>&");
        assert_eq!(accounts[0].userid, "</UserId><x>");
    }
}
