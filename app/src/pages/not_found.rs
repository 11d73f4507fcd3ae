//! Any path the router does not know: say so, and offer the way back to the
//! overview.

use crate::i18n::{tr, Text};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card">
            <h2>{tr(Text::NotFound)}</h2>
            <A href="/">{tr(Text::BackHome)}</A>
        </section>
    }
}
