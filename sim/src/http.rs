//! The HTTP server adapter: turns a tiny_http request into a [`Req`]
//! (body capped, query decoded), hands it to the caller's handler and
//! writes the [`Reply`] back. It knows nothing of routes or state.

use crate::wire::{Reply, Req};
use std::io::Read;

/// WeCom bodies are small; anything larger is refused.
const MAX_BODY: u64 = 1 << 20;

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', h, l]) => hex(*h).zip(hex(*l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Answers one request with `handle`.
pub fn serve(mut request: tiny_http::Request, handle: impl Fn(&Req) -> Reply) {
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body);
    let reply = if read.is_err() {
        Reply::json(400, &serde_json::json!({"error": "unreadable body"}))
    } else if body.len() as u64 > MAX_BODY {
        Reply::json(413, &serde_json::json!({"error": "body too large"}))
    } else {
        let req = Req {
            method: request.method().as_str().to_owned(),
            path: path.to_owned(),
            query: parse_query(query),
            body,
        };
        handle(&req)
    };
    let header = tiny_http::Header::from_bytes("Content-Type", reply.content_type)
        .expect("static header is valid");
    let response = tiny_http::Response::from_string(reply.body)
        .with_status_code(reply.status)
        .with_header(header);
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_percent_decoded() {
        let q = parse_query("access_token=a%2Bb&debug=1&name=%E4%B8%AD+x&bad=%zz");
        assert_eq!(q[0], ("access_token".into(), "a+b".into()));
        assert_eq!(q[1], ("debug".into(), "1".into()));
        assert_eq!(q[2], ("name".into(), "中 x".into()));
        assert_eq!(q[3], ("bad".into(), "%zz".into()));
    }

    #[test]
    fn truncated_percent_escape_is_kept_literally() {
        assert_eq!(percent_decode("a%4"), "a%4");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%中"), "%中");
    }
}
