//! Trial, seats and members at a glance, and the auto-activation switch.

use crate::api;
use crate::components::refresh::use_refresh;
use crate::format::date;
use crate::i18n::{tr, Text};
use domain::api::AutoActivateRequest;
use leptos::prelude::*;

#[component]
pub fn SeatSummary(corp_id: String) -> impl IntoView {
    let refresh = use_refresh();
    let corp = StoredValue::new(corp_id);
    let summary = LocalResource::new(move || {
        refresh.track();
        let corp = corp.get_value();
        async move { api::summary(&corp).await }
    });
    // Every seat card refreshes once the switch went through.
    let switch = Action::new_local(move |request: &AutoActivateRequest| {
        let (corp, request) = (corp.get_value(), request.clone());
        async move { refresh.after_ok(api::set_auto_activate(&corp, &request).await) }
    });
    let switched = switch.value();
    let error = move || switched.with(|s| s.as_ref()?.as_ref().err().map(|e| e.message.clone()));
    let toggle = move |enabled: bool| {
        switch.dispatch(AutoActivateRequest { enabled });
    };
    let row = |label: Text, value: u64, id: &'static str| {
        view! { <li class="check"><span>{tr(label)}</span><strong data-testid=id>{value}</strong></li> }
    };
    view! {
        <section class="card" data-testid="seat-summary">
            <h2>{tr(Text::Trial)}</h2>
            {move || match summary.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad">{e.message}</p> }.into_any(),
                Some(Ok(s)) => view! {
                    {if s.trial.active {
                        view! {
                            <p class="status ok" data-testid="trial-state">
                                {tr(Text::TrialDaysLeft)} ": " <span data-testid="trial-days-left">{s.trial.days_left}</span>
                            </p>
                        }.into_any()
                    } else {
                        view! { <p class="status bad" data-testid="trial-state">{tr(Text::TrialEnded)}</p> }.into_any()
                    }}
                    <p class="muted">{tr(Text::TrialEnds)} ": " {date(s.trial.end)}</p>
                    <ul class="checks">
                        {row(Text::SeatsPurchased, s.seats.purchased, "seats-purchased")}
                        {row(Text::SeatsActive, s.seats.active, "seats-active")}
                        {row(Text::SeatsUnassigned, s.seats.unassigned, "seats-unassigned")}
                        {row(Text::SeatsExpired, s.seats.expired, "seats-expired")}
                        {row(Text::SeatsExpiring, s.seats.expiring_30d, "seats-expiring")}
                        {row(Text::MembersInRange, s.members.in_range, "members-in-range")}
                        {row(Text::Licensed, s.members.licensed, "members-licensed")}
                        {row(Text::Unlicensed, s.members.unlicensed, "members-unlicensed")}
                    </ul>
                    <p>
                        {tr(Text::AutoActivate)} ": "
                        <strong data-testid="auto-activate">{tr(if s.auto_activate { Text::On } else { Text::Off })}</strong>
                        " "
                        <button data-testid="auto-activate-toggle" on:click=move |_| toggle(!s.auto_activate)>
                            {tr(if s.auto_activate { Text::TurnOff } else { Text::TurnOn })}
                        </button>
                    </p>
                    <p class="muted">{tr(Text::AutoActivateHint)}</p>
                }.into_any(),
            }}
            {move || error().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
        </section>
    }
}
