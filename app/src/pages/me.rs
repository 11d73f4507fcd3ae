//! A member's own page, phone-first (WeCom's webview, 360–414 px wide):
//! may I use the app now and why (the access check's reason, in words),
//! my seat, a "Request a seat" button into the admins' inbox, and how to
//! get added when outside the visible range.

use crate::api;
use crate::format::date;
use crate::i18n::{tr, Text};
use domain::access::Reason;
use domain::api::Me;
use leptos::prelude::*;

fn reason_text(reason: Reason) -> Text {
    match reason {
        Reason::Trial => Text::ReasonTrial,
        Reason::Licensed => Text::ReasonLicensed,
        Reason::NotEnforced => Text::ReasonNotEnforced,
        Reason::BeforeInterception => Text::ReasonBeforeInterception,
        Reason::NoSeat => Text::ReasonNoSeat,
        Reason::SeatExpired => Text::ReasonSeatExpired,
        Reason::NotInRange => Text::ReasonNotInRange,
        Reason::Departed => Text::ReasonDeparted,
        Reason::UnknownMember => Text::ReasonUnknownMember,
        Reason::UnknownOperation => Text::ReasonUnknownOperation,
    }
}

/// The date a reason names, if any.
fn reason_date(me: &Me) -> Option<u64> {
    let a = &me.access;
    match a.reason {
        Reason::Trial => a.trial_ends_at,
        Reason::Licensed | Reason::SeatExpired => a.seat_expires_at,
        Reason::BeforeInterception => a.checks_start_at,
        _ => None,
    }
}

#[component]
pub fn MePage() -> impl IntoView {
    let me = LocalResource::new(api::me);
    view! {
        <section class="me">
            {move || match me.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(_)) => view! {
                    <div class="card"><p data-testid="me-signed-out">{tr(Text::MeSignInInWeCom)}</p></div>
                }.into_any(),
                Some(Ok(m)) => view! { <MeCard me=m/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn MeCard(me: Me) -> impl IntoView {
    let allowed = me.access.allowed;
    let when = reason_date(&me).map(date);
    let reason = reason_text(me.access.reason);
    let outside = matches!(me.standing.as_str(), "out_of_range" | "unknown");
    let seat = me.seat.clone();
    let requested = RwSignal::new(me.requested_at);
    let ask = Action::new_local(move |_: &()| async move {
        if let Ok(r) = api::request_seat().await {
            requested.set(Some(r.requested_at));
        }
    });
    view! {
        <div class="card" data-testid="me-card">
            <h2>{tr(Text::MeTitle)}</h2>
            <p class="muted">{me.userid.clone()} " · " {me.corp_name.clone()}</p>
            <p
                class=if allowed { "status ok" } else { "status bad" }
                data-testid="me-allowed"
                data-allowed=allowed.to_string()
            >
                {if allowed { tr(Text::MeMayUse) } else { tr(Text::MeMayNotUse) }}
            </p>
            <p data-testid="me-reason" data-reason=format!("{:?}", me.access.reason)>
                {tr(reason)} {when.map(|d| format!(" {d}"))}
            </p>
            {match seat {
                Some(s) => view! {
                    <dl data-testid="me-seat">
                        <dt>{tr(Text::SeatTypeLabel)}</dt>
                        <dd>{if s.seat_type == 2 { tr(Text::SeatInterconnect) } else { tr(Text::SeatBase) }}</dd>
                        <dt>{tr(Text::ValidUntil)}</dt>
                        <dd>{date(s.expires_at)}</dd>
                    </dl>
                }.into_any(),
                None => view! { <p data-testid="me-no-seat">{tr(Text::NoSeatYet)}</p> }.into_any(),
            }}
            {(!outside && me.seat.is_none()).then(|| view! {
                <div class="ask">
                    {move || match requested.get() {
                        Some(at) => view! {
                            <p class="status ok" data-testid="seat-requested">
                                {tr(Text::SeatRequested)} " " {tr(Text::RequestedOn)} " " {date(at)}
                            </p>
                        }.into_any(),
                        None => view! {
                            <button class="primary wide" data-testid="request-seat"
                                disabled=move || ask.pending().get()
                                on:click=move |_| { ask.dispatch(()); }>
                                {tr(Text::RequestSeat)}
                            </button>
                        }.into_any(),
                    }}
                </div>
            })}
        </div>
        {outside.then(|| view! {
            <div class="card" data-testid="range-help">
                <h3>{tr(Text::RangeHelpTitle)}</h3>
                <p>{tr(Text::RangeHelpIntro)}</p>
                <ol>
                    <li>{tr(Text::RangeHelpAdmin)}</li>
                    <li>{tr(Text::RangeHelpMember)}</li>
                </ol>
            </div>
        })}
    }
}
