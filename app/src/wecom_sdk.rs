//! WeCom's JS-SDK for names: third-party apps are given userids in place
//! of names (pages 90349/91958), and only the SDK's `<ww-open-data>` shows
//! the real name, once the page registered with an agent config the Worker
//! signed. It works inside WeCom's webview and, for an admin who signed in
//! through WeCom's login on this same domain, in a desktop browser too
//! (page 91958: 「在非微信、企业微信内置浏览器中使用 open-data 时，需要通过…
//! 第三方登录授权进行登录」), so it is started wherever an admin is signed
//! in. Its scripts load with `referrerpolicy="origin"` (91958: 「不能去掉」:
//! WeCom serves them by the page's domain) while every page keeps
//! `Referrer-Policy: no-referrer`, so only WeCom's hosts learn our origin.
//! A failure (no WeCom session, offline) leaves the userids showing.

use crate::api;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// WeCom's current JS-SDK (`ww`, page 90547), and the open-data script
/// `ww.initOpenData` still needs on the page (page 99206: 「页面上需要提前
/// 引入 jwxwork-1.0.0.js」), which puts `WWOpenData` on the window.
pub const WW_SDK_URL: &str = "https://wwcdn.weixin.qq.com/node/open/js/wecom-jssdk-2.3.3.js";
pub const JWXWORK_URL: &str = "https://open.work.weixin.qq.com/wwopen/js/jwxwork-1.0.0.js";
/// How the SDK scripts must be fetched (page 91958).
pub const SDK_REFERRER_POLICY: &str = "origin";

/// Marks an element already handed to `WWOpenData.bind`.
const BOUND: &str = "data-bound";

static STARTED: AtomicBool = AtomicBool::new(false);

/// Once per page load, for a signed-in admin: loads the SDK, registers it
/// for the organisation and shows real names in every `<ww-open-data>`
/// element, now and as pages render more.
pub fn start(corp_id: String) {
    if STARTED.swap(true, Ordering::SeqCst) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = configure(&corp_id).await {
            web_sys::console::warn_2(&"WeCom JS-SDK: names stay userids:".into(), &e);
        }
    });
}

async fn configure(corp_id: &str) -> Result<(), JsValue> {
    load_script(WW_SDK_URL).await?;
    load_script(JWXWORK_URL).await?;
    let window = web_sys::window().ok_or("no window")?;
    let first = api::agent_config(corp_id, &window.location().href()?)
        .await
        .map_err(|e| JsValue::from_str(&e.message))?;
    register(corp_id, &first)?;
    init_open_data().await?;
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
    script.set_attribute("referrerpolicy", SDK_REFERRER_POLICY)?;
    script.set_src(src);
    let loaded = Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    document.head().ok_or("no head")?.append_child(&script)?;
    JsFuture::from(loaded).await.map(|_| ())
}

/// `ww.register({corpId, agentId, jsApiList, getAgentConfigSignature})`
/// (page 90547): the SDK asks for the agent config's signature of the URL
/// it is on, and the Worker signs it (`/jsapi/agent_config`).
fn register(corp_id: &str, first: &domain::api::AgentConfig) -> Result<(), JsValue> {
    let ww = Reflect::get(&js_sys::global(), &"ww".into())?;
    let call: Function = Reflect::get(&ww, &"register".into())?.dyn_into()?;
    let corp = corp_id.to_owned();
    let sign = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |url: JsValue| {
        let corp = corp.clone();
        future_to_promise(async move {
            let url = url.as_string().ok_or("the SDK gave no URL")?;
            let cfg = api::agent_config(&corp, &url)
                .await
                .map_err(|e| JsValue::from_str(&e.message))?;
            let signed = Object::new();
            Reflect::set(&signed, &"timestamp".into(), &(cfg.timestamp as f64).into())?;
            Reflect::set(&signed, &"nonceStr".into(), &cfg.nonce_str.as_str().into())?;
            Reflect::set(&signed, &"signature".into(), &cfg.signature.as_str().into())?;
            Ok(signed.into())
        })
    });
    let args = Object::new();
    Reflect::set(&args, &"corpId".into(), &first.corp_id.as_str().into())?;
    Reflect::set(&args, &"agentId".into(), &(first.agent_id as f64).into())?;
    Reflect::set(&args, &"jsApiList".into(), &Array::new().into())?;
    Reflect::set(&args, &"getAgentConfigSignature".into(), sign.as_ref())?;
    call.call1(&ww, &args)?;
    // The SDK may ask again (a route change): it lives as long as the page.
    sign.forget();
    Ok(())
}

/// `ww.initOpenData()`, awaited: open data is ready once it resolves.
async fn init_open_data() -> Result<(), JsValue> {
    let ww = Reflect::get(&js_sys::global(), &"ww".into())?;
    let call: Function = Reflect::get(&ww, &"initOpenData".into())?.dyn_into()?;
    let answer = call.call0(&ww)?;
    match answer.dyn_into::<Promise>() {
        Ok(p) => JsFuture::from(p).await.map(|_| ()),
        Err(_) => Ok(()),
    }
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
