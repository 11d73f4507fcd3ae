//! Pushes callbacks to the worker exactly as WeCom does: encrypted for the
//! receive id, signed, POSTed with msg_signature/timestamp/nonce; anything
//! but `success` is retried (WeCom retries 3 times).

use crate::sim::Sim;
use crate::wire::Reply;
use domain::crypto::MsgCrypt;

pub const RETRIES: usize = 3;

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
    let body = format!(
        "<xml><ToUserName><![CDATA[{receive_id}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>"
    );
    let path = match source {
        Source::Command => "command",
        Source::Data => "data",
    };
    let url = format!(
        "{}/wecom/callback/{path}?msg_signature={signature}&timestamp={timestamp}&nonce={nonce}",
        cfg.worker
    );
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
    let xml = format!(
        "<xml><SuiteId><![CDATA[{}]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType>\
         <TimeStamp>{now}</TimeStamp><SuiteTicket><![CDATA[{ticket}]]></SuiteTicket></xml>",
        sim.config.suite_id
    );
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
