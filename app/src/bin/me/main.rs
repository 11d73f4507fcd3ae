//! A member's own page (`me.wasm`, served at `/me` in WeCom's webview): a
//! binary of its own, so a member's phone loads only this page and the
//! admins' console carries none of it (about 10 KB of gzipped wasm). It
//! shares the console's modules by path and uses a part of them (hence
//! `dead_code` allowed here only).
#![allow(dead_code)]

#[path = "../../api.rs"]
mod api;
#[path = "../../format.rs"]
mod format;
#[path = "../../i18n.rs"]
mod i18n;
#[path = "../../pages/me.rs"]
mod me;

use i18n::{tr, use_lang, Text};
use leptos::prelude::*;

/// The bar of a member's page: the name and the language switch (a member
/// has no console to go to or sign in to).
#[component]
fn MemberBar() -> impl IntoView {
    let lang = use_lang();
    view! {
        <header class="topbar">
            <span class="brand">{tr(Text::Brand)}</span>
            <div class="spacer"></div>
            <button class="lang" data-testid="lang-switch" on:click=move |_| lang.update(|l| *l = l.other())>
                {tr(Text::SwitchTo)}
            </button>
        </header>
    }
}

#[component]
fn Member() -> impl IntoView {
    i18n::provide_lang();
    view! {
        <MemberBar/>
        <main class="page"><me::MePage/></main>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(Member);
}
