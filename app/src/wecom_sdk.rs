//! WeCom's JS-SDK inside WeCom's webview: third-party apps are given
//! userids in place of names (pages 90349/91958), and only the SDK's
//! `<ww-open-data type="userName">` shows the real name, once the page has
//! called `wx.agentConfig` with a config the Worker signed. Outside WeCom
//! (a desktop browser) nothing is loaded and the userid inside each
//! `<ww-open-data>` element is what shows.

use crate::api;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// WeCom's JS-SDK: `wx` (page 90547) and `WWOpenData` for `agentConfig`
/// pages (page 94313).
const JWEIXIN_URL: &str = "https://res.wx.qq.com/open/js/jweixin-1.2.0.js";
const JWXWORK_URL: &str = "https://open.work.weixin.qq.com/wwopen/js/jwxwork-1.0.0.js";

/// Marks an element already handed to `WWOpenData.bind`.
const BOUND: &str = "data-bound";

static STARTED: AtomicBool = AtomicBool::new(false);

/// Whether the console runs in WeCom's webview (its user agent says
/// `wxwork`, as WeCom documents for telling its clients apart).
pub fn in_wecom() -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .is_some_and(|ua| ua.to_ascii_lowercase().contains("wxwork"))
}

/// Inside WeCom, once per page load: loads the SDK, configures it for the
/// organisation and shows real names in every `<ww-open-data>` element,
/// now and as pages render more. A failure leaves the userids showing.
pub fn start(corp_id: String) {
    if !in_wecom() || STARTED.swap(true, Ordering::SeqCst) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = configure(&corp_id).await {
            web_sys::console::warn_2(&"WeCom JS-SDK: names stay userids:".into(), &e);
        }
    });
}

async fn configure(corp_id: &str) -> Result<(), JsValue> {
    load_script(JWEIXIN_URL).await?;
    load_script(JWXWORK_URL).await?;
    let window = web_sys::window().ok_or("no window")?;
    let page = window.location().href()?;
    let cfg = api::agent_config(corp_id, &page)
        .await
        .map_err(|e| JsValue::from_str(&e.message))?;
    agent_config(&cfg).await?;
    bind_all();
    keep_binding(&window)?;
    Ok(())
}

/// Appends a `<script src>` and waits until it ran (or failed to load).
async fn load_script(src: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let script: web_sys::HtmlScriptElement = document.create_element("script")?.unchecked_into();
    script.set_src(src);
    let loaded = Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    document.head().ok_or("no head")?.append_child(&script)?;
    JsFuture::from(loaded).await.map(|_| ())
}

/// `wx.agentConfig({corpid, agentid, timestamp, nonceStr, signature,
/// jsApiList, success, fail})`, awaited.
async fn agent_config(cfg: &domain::api::AgentConfig) -> Result<(), JsValue> {
    let wx = Reflect::get(&js_sys::global(), &"wx".into())?;
    let call: Function = Reflect::get(&wx, &"agentConfig".into())?.dyn_into()?;
    let done = Promise::new(&mut |resolve, reject| {
        let args = Object::new();
        let set = |k: &str, v: JsValue| Reflect::set(&args, &k.into(), &v).map(|_| ());
        let _ = set("corpid", cfg.corp_id.as_str().into());
        let _ = set("agentid", (cfg.agent_id as f64).into());
        let _ = set("timestamp", (cfg.timestamp as f64).into());
        let _ = set("nonceStr", cfg.nonce_str.as_str().into());
        let _ = set("signature", cfg.signature.as_str().into());
        let _ = set("jsApiList", Array::new().into());
        let _ = set("success", resolve.into());
        let _ = set("fail", reject.into());
        let _ = call.call1(&wx, &args);
    });
    JsFuture::from(done).await.map(|_| ())
}

/// Hands every `<ww-open-data>` not yet bound to `WWOpenData.bind`.
fn bind_all() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(open_data) = Reflect::get(&js_sys::global(), &"WWOpenData".into()) else {
        return;
    };
    let Ok(bind) = Reflect::get(&open_data, &"bind".into()).and_then(|f| f.dyn_into::<Function>())
    else {
        return;
    };
    let Ok(found) = document.query_selector_all(&format!("ww-open-data:not([{BOUND}])")) else {
        return;
    };
    for i in 0..found.length() {
        if let Some(el) = found
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        {
            let _ = el.set_attribute(BOUND, "");
            let _ = bind.call1(&open_data, &el);
        }
    }
}

/// Binds the elements pages render later (a list's next page, a route).
fn keep_binding(window: &web_sys::Window) -> Result<(), JsValue> {
    let body = window.document().and_then(|d| d.body()).ok_or("no body")?;
    let on_change = Closure::<dyn FnMut()>::new(bind_all);
    let observer = web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref())?;
    let options = web_sys::MutationObserverInit::new();
    options.set_child_list(true);
    options.set_subtree(true);
    observer.observe_with_options(&body, &options)?;
    // Both live as long as the page.
    on_change.forget();
    std::mem::forget(observer);
    Ok(())
}
