//! The HTTP server adapter: turns a tiny_http request into a [`Req`]
//! (body capped, query decoded), hands it to the caller's handler and
//! writes the [`Reply`] back. It knows nothing of routes or state.

use crate::wire::{bad, Reply, Req};
use std::io::Read;

/// WeCom bodies are small; anything larger is refused.
const MAX_BODY: u64 = 1 << 20;

/// The pairs of a query string, decoded as browsers and WeCom encode them
/// (`+` is a space; an escape that is not one stays as written).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
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
        bad("unreadable body")
    } else if body.len() as u64 > MAX_BODY {
        Reply::json(413, &serde_json::json!({"error": "body too large"}))
    } else {
        let req = Req {
            method: request.method().as_str().to_owned(),
            path: path.to_owned(),
            query: query_pairs(query),
            body,
        };
        handle(&req)
    };
    let header = tiny_http::Header::from_bytes("Content-Type", reply.content_type)
        .expect("static header is valid");
    let mut response = tiny_http::Response::from_string(reply.body)
        .with_status_code(reply.status)
        .with_header(header);
    if let Some(location) = reply.location {
        if let Ok(h) = tiny_http::Header::from_bytes("Location", location.as_bytes()) {
            response = response.with_header(h);
        }
    }
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_percent_decoded() {
        let q = query_pairs("access_token=a%2Bb&debug=1&name=%E4%B8%AD+x&bad=%zz");
        assert_eq!(q[0], ("access_token".into(), "a+b".into()));
        assert_eq!(q[1], ("debug".into(), "1".into()));
        assert_eq!(q[2], ("name".into(), "中 x".into()));
        assert_eq!(q[3], ("bad".into(), "%zz".into()));
    }

    #[test]
    fn truncated_percent_escape_is_kept_literally() {
        let value = |q: &str| query_pairs(q).remove(0).1;
        assert_eq!(value("v=a%4"), "a%4");
        assert_eq!(value("v=%"), "%");
        assert_eq!(value("v=%中"), "%中");
    }

    #[test]
    fn empty_pairs_are_skipped_and_bare_names_have_empty_values() {
        let q = query_pairs("&&callback&x=1&");
        assert_eq!(
            q,
            vec![
                ("callback".to_string(), String::new()),
                ("x".to_string(), "1".to_string())
            ]
        );
    }
}
