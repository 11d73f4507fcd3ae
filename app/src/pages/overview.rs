//! The landing page. Signed in: the licensing regime in one sentence,
//! seats and members as tiles leading into their lists, the trends, the
//! visible range with the last sync, the callbacks, the alerts inside
//! WeCom, and (for admins who
//! manage) the switch that ends every session; service health last.
//! Signed out: service health and the way to sign in.

use crate::components::alerts_card::AlertsCard;
use crate::components::events_card::EventsCard;
use crate::components::glance::Glance;
use crate::components::health_card::HealthCard;
use crate::components::range_card::RangeCard;
use crate::components::session::page_session;
use crate::components::sessions_card::SessionsCard;
use crate::components::trends_card::TrendsCard;
use leptos::prelude::*;

#[component]
pub fn Overview() -> impl IntoView {
    let session = page_session();
    // Everything at once when the session is known, so no card already
    // drawn is pushed down by the ones that follow it.
    view! {
        {move || session.get().map(|s| {
            let s = s.ok();
            view! {
                {s.clone().map(|s| view! { <Glance corp_id=s.corp_id/> })}
                <div class="grid">
                    {s.map(|s| view! {
                        <TrendsCard corp_id=s.corp_id.clone()/>
                        <RangeCard corp_id=s.corp_id.clone() may_manage=s.may_manage/>
                        <EventsCard corp_id=s.corp_id.clone() may_manage=s.may_manage/>
                        <AlertsCard corp_id=s.corp_id.clone() may_manage=s.may_manage/>
                        {s.may_manage.then(|| view! { <SessionsCard corp_id=s.corp_id.clone()/> })}
                    })}
                    <HealthCard/>
                </div>
            }
        })}
    }
}
