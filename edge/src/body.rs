//! Reading a request body with a cap: refused (413) past it, at once when
//! `Content-Length` says so, else while reading, so no caller ever holds
//! more than the cap plus one chunk. The API's JSON reader (`http`) and
//! WeCom's callback door (`callback`) share it.

use worker::Request;

/// How much of an oversized chunked body is read (and dropped) before the
/// 413, so the answer leaves the connection clean (wrangler dev's proxy
/// resets a connection whose body was cut short); past it, reading stops.
const DRAIN_BYTES: usize = 512 * 1024;

/// A body refused while it was read.
pub enum Unread {
    /// Past the cap (413), by its `Content-Length` or while reading.
    TooLarge,
    Broken(String),
}

/// The body, refused past `max` bytes: at once when `Content-Length` says
/// so, else while reading, chunk by chunk, so a chunked body without a
/// length never makes us hold more than the cap plus one chunk.
pub async fn read_capped(req: &mut Request, max: usize) -> Result<Vec<u8>, Unread> {
    use futures_util::StreamExt;
    let declared: usize = req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if declared > max {
        return Err(Unread::TooLarge);
    }
    let mut body = Vec::with_capacity(declared);
    // No body at all reads as an empty one.
    if let Ok(mut chunks) = req.stream() {
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| Unread::Broken(e.to_string()))?;
            if body.len() + chunk.len() > max {
                let mut seen = body.len() + chunk.len();
                while seen <= DRAIN_BYTES {
                    match chunks.next().await {
                        Some(Ok(more)) => seen += more.len(),
                        _ => break,
                    }
                }
                return Err(Unread::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
    }
    Ok(body)
}
