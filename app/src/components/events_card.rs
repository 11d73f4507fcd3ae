//! The organisation's WeCom callbacks: how many wait in the queue, which
//! failed every retry (kind, when, why), and a button that sends the failed
//! ones again (admins who may manage).

use crate::api;
use crate::format::date;
use crate::i18n::{tr, Text};
use leptos::prelude::*;

#[component]
pub fn EventsCard(corp_id: String, may_manage: bool) -> impl IntoView {
    let corp = StoredValue::new(corp_id);
    let retry = Action::new_local(move |_: &()| {
        let corp = corp.get_value();
        async move { api::retry_events(&corp).await }
    });
    let health = LocalResource::new(move || {
        retry.version().track();
        let corp = corp.get_value();
        async move { api::events(&corp).await }
    });
    view! {
        <section class="card events" data-testid="events-card">
            <h2>{tr(Text::Callbacks)}</h2>
            <p class="muted">{tr(Text::CallbacksHint)}</p>
            {move || match health.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad">{e.message}</p> }.into_any(),
                Some(Ok(h)) => view! {
                    <ul class="checks">
                        <li class="check ok"><span>{tr(Text::CallbacksWaiting)}</span>
                            <strong data-testid="events-backlog">{h.backlog}</strong></li>
                        <li class=if h.failed == 0 { "check ok" } else { "check bad" }>
                            <span>{tr(Text::CallbacksFailed)}</span>
                            <strong data-testid="events-failed">{h.failed}</strong></li>
                    </ul>
                    <ul class="results" data-testid="event-failures">
                        {h.failures.into_iter().map(|f| view! {
                            <li data-kind=f.kind.clone()>
                                <code>{f.kind.clone()}</code> " · " {date(f.received_at)} " · " {f.error.clone()}
                            </li>
                        }).collect_view()}
                    </ul>
                    {(may_manage && h.failed > 0).then(|| view! {
                        <button data-testid="events-retry" on:click=move |_| { retry.dispatch(()); }>
                            {tr(Text::RetryFailed)}
                        </button>
                    })}
                }.into_any(),
            }}
            {move || retry.value().get().map(|r| match r {
                Ok(done) => view! {
                    <p class="status ok" data-testid="events-requeued">{tr(Text::Requeued)} ": " {done.requeued}</p>
                }.into_any(),
                Err(e) => view! { <p class="status bad">{e.message}</p> }.into_any(),
            })}
        </section>
    }
}
