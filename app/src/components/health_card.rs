//! Shows `/api/v1/health`: is the service up, and can it reach D1 and KV.

use crate::api;
use crate::i18n::{tr, Text};
use leptos::prelude::*;

#[component]
fn Check(label: Text, ok: bool) -> impl IntoView {
    view! {
        <li class=if ok { "check ok" } else { "check bad" }>
            <span>{tr(label)}</span>
            <strong>{tr(if ok { Text::Reachable } else { Text::Unreachable })}</strong>
        </li>
    }
}

#[component]
pub fn HealthCard() -> impl IntoView {
    let health = LocalResource::new(api::health);
    view! {
        <section class="card health" data-testid="health-card">
            <h2>{tr(Text::ServiceHealth)}</h2>
            {move || match health.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="status bad" data-testid="health-status">{tr(Text::Unhealthy)} ": " {e.message}</p>
                }.into_any(),
                Some(Ok(h)) => view! {
                    <p class=if h.ok { "status ok" } else { "status bad" } data-testid="health-status">
                        {tr(if h.ok { Text::Healthy } else { Text::Unhealthy })}
                    </p>
                    <ul class="checks">
                        <Check label=Text::Database ok=h.d1/>
                        <Check label=Text::KeyValue ok=h.kv/>
                    </ul>
                    <p class="muted">{tr(Text::Version)} ": " <code>{h.version}</code></p>
                }.into_any(),
            }}
        </section>
    }
}
