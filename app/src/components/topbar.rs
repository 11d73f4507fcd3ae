//! The bar on every page: product name, navigation, who is signed in, and
//! the language switch.

use crate::api;
use crate::i18n::{tr, use_lang, Text};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TopBar() -> impl IntoView {
    let lang = use_lang();
    let sign_out = Action::new_local(|_: &()| api::logout());
    // Asked again after signing out, whatever the answer was.
    let signed_out = sign_out.version();
    let session = LocalResource::new(move || {
        signed_out.track();
        api::session()
    });
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">{tr(Text::Brand)}</A>
            <nav>
                <A href="/">{tr(Text::NavOverview)}</A>
                <A href="/members">{tr(Text::NavMembers)}</A>
                <A href="/seats">{tr(Text::NavSeats)}</A>
            </nav>
            <div class="spacer"></div>
            <span class="who">
                {move || match session.get() {
                    Some(Ok(s)) => view! {
                        <span data-testid="signed-in">{tr(Text::SignedInAs)} " " {s.userid} " @ " {s.corp_id}</span>
                        <button class="link" on:click=move |_| { sign_out.dispatch(()); }>{tr(Text::SignOut)}</button>
                    }.into_any(),
                    _ => view! { <A href="/login">{tr(Text::SignIn)}</A> }.into_any(),
                }}
            </span>
            <button
                class="lang"
                data-testid="lang-switch"
                on:click=move |_| lang.update(|l| *l = l.other())
            >
                {tr(Text::SwitchTo)}
            </button>
        </header>
    }
}
