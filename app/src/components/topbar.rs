//! The bar on every page: product name, navigation, who is signed in, and
//! the language switch.

use crate::api;
use crate::i18n::{tr, use_lang, Text};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TopBar() -> impl IntoView {
    let lang = use_lang();
    // The same fetcher as every page's session: a resource keyed on the
    // action's version() would compile a second copy (2.5 KB gzipped).
    let session = LocalResource::new(api::session);
    // Asked again after signing out, whatever the answer was.
    let sign_out = Action::new_local(move |_: &()| async move {
        let _ = api::logout().await;
        session.refetch();
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
