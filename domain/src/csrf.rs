//! Which requests may change something: a browser sends the session cookie
//! with any request to our host, even one a foreign page starts (a form
//! post, a `no-cors` fetch), so a state-changing request must say it comes
//! from the console's own origin and carry JSON, which a cross-site form
//! cannot send without a CORS preflight we never grant.
//!
//! Browsers send `Origin` on every non-GET request and `Sec-Fetch-Site` on
//! every request (Fetch Metadata); a server-to-server caller (the QR code
//! product with its key, scripts, tests) sends neither and is not a CSRF
//! victim, so the absence of both is accepted.

/// What of a request the check reads.
#[derive(Debug, Clone, Copy)]
pub struct Sent<'a> {
    pub method: &'a str,
    pub content_type: Option<&'a str>,
    /// Whether the request has a body (a non-zero or unknown length).
    pub has_body: bool,
    pub origin: Option<&'a str>,
    pub fetch_site: Option<&'a str>,
    /// Our own origin, `scheme://host[:port]`, from the request's URL.
    pub own_origin: &'a str,
}

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Another site started it (403).
    CrossSite,
    /// It carries a body that is not JSON (415).
    NotJson,
}

/// Methods that change nothing, by HTTP's definition and ours.
fn is_safe(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS")
}

/// `application/json`, with or without parameters, in any case.
pub fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .map(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
        .unwrap_or(false)
}

/// Accepts a safe method; otherwise the request must be same-origin by
/// every header the browser sent, and a body must be JSON.
pub fn check(sent: &Sent) -> Result<(), Refusal> {
    if is_safe(sent.method) {
        return Ok(());
    }
    if let Some(site) = sent.fetch_site {
        if !site.eq_ignore_ascii_case("same-origin") {
            return Err(Refusal::CrossSite);
        }
    }
    if let Some(origin) = sent.origin {
        // `null` (a sandboxed frame, a redirect across sites) is never ours.
        if !origin.eq_ignore_ascii_case(sent.own_origin) {
            return Err(Refusal::CrossSite);
        }
    }
    if sent.has_body && !sent.content_type.is_some_and(is_json) {
        return Err(Refusal::NotJson);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "https://seats.example.com";

    fn post<'a>(
        content_type: Option<&'a str>,
        origin: Option<&'a str>,
        fetch_site: Option<&'a str>,
    ) -> Sent<'a> {
        Sent {
            method: "POST",
            content_type,
            has_body: true,
            origin,
            fetch_site,
            own_origin: OURS,
        }
    }

    #[test]
    fn the_console_posting_json_from_its_own_origin_is_accepted() {
        let sent = post(Some("application/json"), Some(OURS), Some("same-origin"));
        assert_eq!(check(&sent), Ok(()));
        let with_charset = post(Some("Application/JSON; charset=utf-8"), Some(OURS), None);
        assert_eq!(check(&with_charset), Ok(()));
    }

    #[test]
    fn a_cross_site_form_post_is_refused() {
        let form = post(
            Some("application/x-www-form-urlencoded"),
            Some("https://evil.example"),
            Some("cross-site"),
        );
        assert_eq!(check(&form), Err(Refusal::CrossSite));
        // A sibling subdomain is the same site but not the same origin.
        let sibling = post(Some("application/json"), None, Some("same-site"));
        assert_eq!(check(&sibling), Err(Refusal::CrossSite));
        let null = post(Some("application/json"), Some("null"), None);
        assert_eq!(check(&null), Err(Refusal::CrossSite));
        // Same host, other scheme or port: another origin.
        let http = post(
            Some("application/json"),
            Some("http://seats.example.com"),
            None,
        );
        assert_eq!(check(&http), Err(Refusal::CrossSite));
    }

    #[test]
    fn a_same_origin_body_that_is_not_json_is_refused() {
        for ct in [
            Some("text/plain"),
            Some("multipart/form-data; boundary=x"),
            None,
        ] {
            let sent = post(ct, Some(OURS), Some("same-origin"));
            assert_eq!(check(&sent), Err(Refusal::NotJson), "{ct:?}");
        }
    }

    #[test]
    fn an_empty_post_and_safe_methods_need_no_json() {
        let logout = Sent {
            has_body: false,
            ..post(None, Some(OURS), Some("same-origin"))
        };
        assert_eq!(check(&logout), Ok(()));
        let cross_get = Sent {
            method: "GET",
            ..post(None, Some("https://evil.example"), Some("cross-site"))
        };
        assert_eq!(check(&cross_get), Ok(()));
    }

    #[test]
    fn a_caller_without_browser_headers_is_not_a_browser() {
        let script = post(Some("application/json"), None, None);
        assert_eq!(check(&script), Ok(()));
    }
}
