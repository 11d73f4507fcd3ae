//! The landing page. Signed in: the licensing regime in one sentence,
//! seats and members as tiles leading into their lists, the trends, the
//! visible range with the last sync, the callbacks, the alerts inside
//! WeCom, and (for admins who
//! manage) the switch that ends every session; service health last.
//! Signed out: service health and the way to sign in.

use crate::components::alerts_card::AlertsCard;
use crate::components::events_card::EventsCard;
use crate::components::glance::{summary_resource, Glance};
use crate::components::health_card::HealthCard;
use crate::components::range_card::RangeCard;
use crate::components::session::page_session;
use crate::components::sessions_card::SessionsCard;
use crate::components::trends_card::TrendsCard;
use leptos::prelude::*;

#[component]
pub fn Overview() -> impl IntoView {
    let session = page_session();
    // The cards come when the glance above them has its answer (its
    // height then depends on the regime's lines), so no card already drawn
    // is pushed down by it; each card keeps its loaded height while its own
    // data is on the way (app.css).
    view! {
        {move || session.get().map(|s| match s.ok() {
            None => view! { <div class="grid"><HealthCard/></div> }.into_any(),
            Some(s) => {
                let summary = summary_resource(s.corp_id.clone());
                let answered = Memo::new(move |_| summary.get().is_some());
                view! {
                    <Glance summary/>
                    <Show when=move || answered.get()>
                        <div class="grid">
                            <TrendsCard corp_id=s.corp_id.clone()/>
                            <RangeCard corp_id=s.corp_id.clone() may_manage=s.may_manage/>
                            <EventsCard corp_id=s.corp_id.clone() may_manage=s.may_manage/>
                            <AlertsCard corp_id=s.corp_id.clone() may_manage=s.may_manage/>
                            {s.may_manage.then(|| view! { <SessionsCard corp_id=s.corp_id.clone()/> })}
                            <HealthCard/>
                        </div>
                    </Show>
                }.into_any()
            }
        })}
    }
}
