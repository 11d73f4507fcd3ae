//! One switch that ends every session of the organisation (the caller's
//! too), for an admin WeCom lets manage: after a lost laptop, or once the
//! admins in WeCom have changed. The page then reloads signed out.

use crate::api;
use crate::i18n::{tr, Text};
use leptos::prelude::*;

#[component]
pub fn SessionsCard(corp_id: String) -> impl IntoView {
    let revoke = Action::new_local(move |corp_id: &String| {
        let corp_id = corp_id.clone();
        async move {
            let answer = api::revoke_sessions(&corp_id).await;
            if answer.is_ok() {
                let _ = window().location().reload();
            }
            answer.map_err(|e| e.message)
        }
    });
    let error = move || revoke.value().with(|a| a.as_ref()?.as_ref().err().cloned());
    view! {
        <section class="card sessions" data-testid="sessions-card">
            <h2>{tr(Text::SessionsTitle)}</h2>
            <p class="muted">{tr(Text::SessionsHint)}</p>
            <button data-testid="revoke-sessions"
                disabled=move || revoke.pending().get()
                on:click=move |_| { revoke.dispatch(corp_id.clone()); }>
                {tr(Text::RevokeSessions)}
            </button>
            {move || error().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
        </section>
    }
}
