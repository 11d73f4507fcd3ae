//! Signing `wx.agentConfig`, which a page inside WeCom calls before WeCom's
//! JS-SDK renders real names with `<ww-open-data>` (third-party apps are
//! given userids in place of names, pages 90349/91958). The signature is
//! SHA-1 over `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, in that order,
//! with the raw values (no URL encoding) and the page's URL without its
//! fragment (page 96909).

use crate::crypto::hex;
use sha1::{Digest, Sha1};

/// Longest page URL we sign (a console URL is far shorter; WeCom documents
/// no limit, this keeps a signed string small).
pub const PAGE_URL_MAX_BYTES: usize = 1024;

/// Why a page URL cannot be signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageUrlError {
    #[error("url must be an absolute http(s) URL of the page")]
    NotAbsolute,
    #[error("url is longer than 1024 bytes")]
    TooLong,
    #[error("url must not contain spaces or control characters")]
    BadCharacter,
    #[error("url must be a page of this console's own origin")]
    OtherOrigin,
}

/// [`page_url`] of a page of our own `origin` (`scheme://host[:port]`)
/// only: a signature is a key to WeCom's JS-SDK for that page, so another
/// site's page gets none.
pub fn own_page_url<'a>(url: &'a str, origin: &str) -> Result<&'a str, PageUrlError> {
    let page = page_url(url)?;
    let rest = page
        .get(origin.len()..)
        .filter(|_| page[..origin.len()].eq_ignore_ascii_case(origin));
    match rest {
        Some(rest) if rest.is_empty() || rest.starts_with('/') || rest.starts_with('?') => Ok(page),
        _ => Err(PageUrlError::OtherOrigin),
    }
}

/// The URL WeCom checks the signature against: the page's own, as the
/// browser has it, without `#` and what follows.
pub fn page_url(url: &str) -> Result<&str, PageUrlError> {
    let page = url.split('#').next().unwrap_or_default();
    if page.len() > PAGE_URL_MAX_BYTES {
        return Err(PageUrlError::TooLong);
    }
    if page.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(PageUrlError::BadCharacter);
    }
    let rest = page
        .strip_prefix("https://")
        .or_else(|| page.strip_prefix("http://"))
        .ok_or(PageUrlError::NotAbsolute)?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(PageUrlError::NotAbsolute);
    }
    Ok(page)
}

/// The `signature` of `wx.agentConfig` (and `wx.config`) for one page.
pub fn signature(jsapi_ticket: &str, noncestr: &str, timestamp: u64, url: &str) -> String {
    let signed =
        format!("jsapi_ticket={jsapi_ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}");
    hex(&Sha1::digest(signed.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WeCom's own example (page 96909, "JS-SDK 签名算法").
    #[test]
    fn signature_matches_wecoms_documented_example() {
        let ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
        assert_eq!(
            signature(
                ticket,
                "Wm3WZYTPz0wzccnW",
                1414587457,
                "http://mp.weixin.qq.com?params=value"
            ),
            "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
        );
    }

    #[test]
    fn the_fragment_is_not_signed_and_odd_urls_are_refused() {
        assert_eq!(
            page_url("https://seats.example.com/members?q=a#top"),
            Ok("https://seats.example.com/members?q=a")
        );
        assert_eq!(page_url("/members"), Err(PageUrlError::NotAbsolute));
        assert_eq!(
            page_url("javascript:alert(1)"),
            Err(PageUrlError::NotAbsolute)
        );
        assert_eq!(page_url("https:///x"), Err(PageUrlError::NotAbsolute));
        assert_eq!(page_url("https://a b"), Err(PageUrlError::BadCharacter));
        let long = format!("https://e.com/{}", "a".repeat(PAGE_URL_MAX_BYTES));
        assert_eq!(page_url(&long), Err(PageUrlError::TooLong));
    }

    #[test]
    fn only_pages_of_our_own_origin_are_signed() {
        let ours = "https://seats.example.com";
        for ok in [
            "https://seats.example.com/",
            "https://seats.example.com/members?q=1#x",
            "https://seats.example.com",
            "https://SEATS.example.com/me",
        ] {
            assert!(own_page_url(ok, ours).is_ok(), "{ok}");
        }
        for other in [
            "https://seats.example.com.evil.example/",
            "https://seats.example.comx/",
            "http://seats.example.com/",
            "https://evil.example/?https://seats.example.com/",
            "https://seats.example.com:8443/",
            "https://seats.example.com@evil.example/",
        ] {
            assert_eq!(
                own_page_url(other, ours),
                Err(PageUrlError::OtherOrigin),
                "{other}"
            );
        }
    }
}
