//! The bar on every page: product name, navigation, who is signed in, and
//! the language switch. On a member's own page (`/me`) only the name and
//! the language switch: a member has no console to go to or sign in to.

use crate::api;
use crate::components::session::use_session;
use crate::i18n::{tr, use_lang, Text};
use crate::nav::{self, Link};
use leptos::prelude::*;

#[component]
pub fn TopBar() -> impl IntoView {
    let lang = use_lang();
    let path = nav::path();
    let for_member = move || path.get() == "/me";
    let session = use_session();
    // Asked again after signing out, whatever the answer was.
    let sign_out = Action::new_local(move |_: &()| async move {
        let _ = api::logout().await;
        session.refetch();
    });
    view! {
        <header class="topbar">
            <Show
                when=move || !for_member()
                fallback=|| view! { <span class="brand">{tr(Text::Brand)}</span><div class="spacer"></div> }
            >
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
            </Show>
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
