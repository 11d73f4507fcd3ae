//! The license regime, trial, seats and members at a glance, and the
//! auto-activation switch (for admins WeCom lets manage).

use crate::api;
use crate::components::refresh::use_refresh;
use crate::format::date;
use crate::i18n::{tr, Text};
use domain::access::Regime;
use domain::api::{AutoActivateRequest, RenewalAsk, TrialSummary};
use leptos::prelude::*;

/// The regime in words: which one, and from or until when.
pub fn regime_line(regime: Regime) -> impl IntoView {
    let (name, text, at) = match regime {
        Regime::NotEnforced => ("not_enforced", Text::LicensesNotChecked, None),
        Regime::BeforeInterception { checks_start_at } => (
            "before_interception",
            Text::LicenseChecksStart,
            Some(checks_start_at),
        ),
        Regime::Trial { trial_ends_at } => ("trial", Text::TrialUntil, Some(trial_ends_at)),
        Regime::Enforced { since: Some(since) } => {
            ("enforced", Text::LicensesCheckedSince, Some(since))
        }
        Regime::Enforced { since: None } => ("enforced", Text::LicensesChecked, None),
    };
    let class = if name == "enforced" {
        "status bad"
    } else {
        "status ok"
    };
    view! {
        <p class=class data-testid="license-regime" data-regime=name>
            {tr(text)} {at.map(|at| view! { " " <span data-testid="license-regime-date">{date(at)}</span> })}
        </p>
    }
}

pub fn trial_lines(trial: Option<TrialSummary>) -> impl IntoView {
    trial.map(|t| view! {
        {if t.active {
            view! {
                <p class="muted" data-testid="trial-state">
                    {tr(Text::TrialDaysLeft)} ": " <span data-testid="trial-days-left">{t.days_left}</span>
                </p>
            }.into_any()
        } else {
            view! { <p class="muted" data-testid="trial-state">{tr(Text::TrialEnded)}</p> }.into_any()
        }}
        <p class="muted">{tr(Text::TrialEnds)} ": " {date(t.end)}</p>
    })
}

#[component]
pub fn SeatSummary(corp_id: String, may_manage: bool) -> impl IntoView {
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
    // The admin asks the provider to renew the seats ending within 30 days.
    let ask = Action::new_local(move |_: &()| {
        let corp = corp.get_value();
        async move { refresh.after_ok(api::ask_renewal(&corp, &RenewalAsk { days: 30 }).await) }
    });
    let switched = switch.value();
    let error = move || {
        switched
            .with(|s| s.as_ref()?.as_ref().err().map(|e| e.message.clone()))
            .or_else(|| {
                ask.value()
                    .with(|s| s.as_ref()?.as_ref().err().map(|e| e.message.clone()))
            })
    };
    let toggle = move |enabled: bool| {
        switch.dispatch(AutoActivateRequest { enabled });
    };
    let row = |label: Text, value: u64, id: &'static str| {
        view! { <li class="check"><span>{tr(label)}</span><strong data-testid=id>{value}</strong></li> }
    };
    view! {
        <section class="card summary" data-testid="seat-summary">
            <h2>{tr(Text::LicenseRegime)}</h2>
            {move || match summary.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad">{e.message}</p> }.into_any(),
                Some(Ok(s)) => view! {
                    {regime_line(s.license)}
                    {trial_lines(s.trial)}
                    <ul class="checks">
                        {row(Text::SeatsPurchased, s.seats.purchased, "seats-purchased")}
                        {row(Text::SeatsActive, s.seats.active, "seats-active")}
                        {row(Text::SeatsUnassigned, s.seats.unassigned, "seats-unassigned")}
                        {row(Text::SeatsExpired, s.seats.expired, "seats-expired")}
                        {row(Text::SeatsExpiring, s.seats.expiring_30d, "seats-expiring")}
                        {match (s.renewal_asked_at, may_manage && s.seats.expiring_30d > 0) {
                            (Some(at), _) => Some(view! {
                                <li class="check"><span class="status ok" data-testid="renewal-asked">{tr(Text::RenewalAskedOn)} " " {date(at)}</span></li>
                            }.into_any()),
                            (None, true) => Some(view! {
                                <li class="check"><button data-testid="ask-renewal" disabled=move || ask.pending().get()
                                    on:click=move |_| { ask.dispatch(()); }>{tr(Text::AskRenewal)}</button></li>
                            }.into_any()),
                            _ => None,
                        }}
                        {(s.seats.expired_unused > 0).then(|| row(Text::SeatsExpiredUnused, s.seats.expired_unused, "seats-expired-unused"))}
                        {row(Text::MembersInRange, s.members.in_range, "members-in-range")}
                        {row(Text::Licensed, s.members.licensed, "members-licensed")}
                        {row(Text::Unlicensed, s.members.unlicensed, "members-unlicensed")}
                    </ul>
                    <p>
                        {tr(Text::AutoActivate)} ": "
                        <strong data-testid="auto-activate">{tr(if s.auto_activate { Text::On } else { Text::Off })}</strong>
                        " "
                        {may_manage.then(|| view! {
                            <button data-testid="auto-activate-toggle" on:click=move |_| toggle(!s.auto_activate)>
                                {tr(if s.auto_activate { Text::TurnOff } else { Text::TurnOn })}
                            </button>
                        })}
                    </p>
                    <p class="muted">{tr(Text::AutoActivateHint)}</p>
                }.into_any(),
            }}
            {move || error().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
        </section>
    }
}
