//! The desk's page: a bar (the desk's name, who is signed in, sign-out,
//! language), then for an operator either every organisation (`table`) or
//! the one named by `?corp=` (`org`); anyone else is told who the desk is
//! for and where to sign in.

use crate::api;
use crate::i18n::{provide_lang, text, use_lang, Text};
use crate::nav::{self, query_param};
use crate::texts::{w, T};
use leptos::prelude::*;

#[component]
pub fn Desk() -> impl IntoView {
    provide_lang();
    nav::provide_place(&["/desk"]);
    let lang = use_lang();
    let session = LocalResource::new(api::session);
    let sign_out = Action::new_local(move |_: &()| async move {
        let _ = api::logout().await;
        session.refetch();
    });
    // The organisation shown, when one is: the query's `corp` (the desk's
    // links load the page afresh).
    let corp = query_param("corp").filter(|c| !c.is_empty());
    view! {
        <header class="topbar">
            <a href="/desk" class="brand">{move || text(lang.get(), Text::Brand)} " · " {w(T::Title)}</a>
            <div class="spacer"></div>
            <span class="who">
                {move || session.get().and_then(Result::ok).filter(|s| s.operator).map(|s| view! {
                    <span data-testid="signed-in">{s.userid}</span>
                    <button class="link" data-testid="sign-out" on:click=move |_| { sign_out.dispatch(()); }>{w(T::SignOut)}</button>
                })}
            </span>
            <button class="lang" data-testid="lang-switch" on:click=move |_| lang.update(|l| *l = l.other())>
                {move || text(lang.get(), Text::SwitchTo)}
            </button>
        </header>
        <main class="page">
            {move || match session.get() {
                None => view! { <p class="muted">{move || text(lang.get(), Text::Loading)}</p> }.into_any(),
                Some(Ok(s)) if s.operator => match corp.clone() {
                    Some(c) => view! { <crate::org::Org corp_id=c/> }.into_any(),
                    None => view! { <crate::table::DeskTable/> }.into_any(),
                },
                Some(signed_in) => view! {
                    <section class="card narrow" data-testid="desk-refused">
                        <h2>{w(T::Title)}</h2>
                        <p>{w(T::OnlyOperators)}</p>
                        <p><a class="button" href="/auth/desk" data-testid="desk-sign-in">{w(T::SignInAsOperator)}</a></p>
                        {signed_in.is_ok().then(|| view! { <p><a href="/">{w(T::ToConsole)}</a></p> })}
                    </section>
                }.into_any(),
            }}
        </main>
    }
}
