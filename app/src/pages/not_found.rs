//! Any path the router does not know: say so, and offer the way back to the
//! overview.

use crate::i18n::{tr, Text};
use crate::nav::Link;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card">
            <h2>{tr(Text::NotFound)}</h2>
            <Link href="/">{tr(Text::BackHome)}</Link>
        </section>
    }
}
