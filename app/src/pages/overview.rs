//! The landing page.

use crate::components::health_card::HealthCard;
use leptos::prelude::*;

#[component]
pub fn Overview() -> impl IntoView {
    view! {
        <div class="grid">
            <HealthCard/>
        </div>
    }
}
