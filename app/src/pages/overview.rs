//! The landing page: service health, and for a signed-in admin the
//! organisation's callbacks, its range and (for admins who manage) the
//! switch that ends every session.

use crate::api;
use crate::components::events_card::EventsCard;
use crate::components::health_card::HealthCard;
use crate::components::range_card::RangeCard;
use crate::components::sessions_card::SessionsCard;
use leptos::prelude::*;

#[component]
pub fn Overview() -> impl IntoView {
    let session = LocalResource::new(api::session);
    view! {
        <div class="grid">
            <HealthCard/>
            {move || session.get().and_then(Result::ok).map(|s| view! {
                <EventsCard corp_id=s.corp_id.clone() may_manage=s.may_manage/>
                <RangeCard corp_id=s.corp_id.clone() may_manage=s.may_manage/>
                {s.may_manage.then(|| view! { <SessionsCard corp_id=s.corp_id.clone()/> })}
            })}
        </div>
    }
}
