//! The bar on every console page: product name, navigation, who is signed
//! in, and the language switch (a member's own page has its own bar,
//! src/bin/me).

use crate::api;
use crate::components::session::use_session;
use crate::i18n::{tr, use_lang, Text};
use crate::nav::Link;
use leptos::prelude::*;

#[component]
pub fn TopBar() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    // Asked again after signing out, whatever the answer was.
    let sign_out = Action::new_local(move |_: &()| async move {
        let _ = api::logout().await;
        session.refetch();
    });
    view! {
        <header class="topbar">
            <Link href="/" class="brand">{tr(Text::Brand)}</Link>
            <nav>
                <Link href="/">{tr(Text::NavOverview)}</Link>
                <Link href="/members">{tr(Text::NavMembers)}</Link>
                <Link href="/seats">{tr(Text::NavSeats)}</Link>
                <Link href="/audit">{tr(Text::NavAudit)}</Link>
            </nav>
            <div class="spacer"></div>
            <span class="who">
                {move || match session.get() {
                    Some(Ok(s)) => view! {
                        <span data-testid="signed-in">{tr(Text::SignedInAs)} " " {s.userid} " @ " {s.corp_id}</span>
                        <button class="link" on:click=move |_| { sign_out.dispatch(()); }>{tr(Text::SignOut)}</button>
                    }.into_any(),
                    _ => view! { <Link href="/login">{tr(Text::SignIn)}</Link> }.into_any(),
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
