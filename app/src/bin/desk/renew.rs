//! Renewing an organisation's seats that end soon: the seats ending within
//! the days chosen (how many, and the first of them), renewed in one
//! order for the months chosen; the seats WeCom refuses are listed with
//! its reason, and the order is paid as any other.

use crate::api::{get_with, post};
use crate::components::refresh::use_refresh;
use crate::format::date;
use crate::order::{request_id, MonthsPicker, PayButton};
use crate::texts::{w, T};
use domain::api::{DeskRenewPlaced, DeskRenewRequest, DeskRenewals, DeskRenewalsQuery};
use leptos::prelude::*;

/// The look-ahead choices, in days.
const WITHIN: [u64; 5] = [7, 14, 30, 60, 90];

fn kind(t: u8) -> T {
    if t == 2 {
        T::TypeInterconnect
    } else {
        T::TypeBase
    }
}

/// The look-ahead to start from: the admin's, rounded up to a choice.
fn within_for(days: u64) -> u64 {
    WITHIN.into_iter().find(|w| *w >= days).unwrap_or(90)
}

/// `asked`: when the organisation's admin asked for a renewal, and of the
/// seats ending within how many days (the card starts there).
#[component]
pub fn RenewCard(corp_id: String, asked: Option<(u64, u64)>) -> impl IntoView {
    let corp = StoredValue::new(corp_id);
    let refresh = use_refresh();
    let within = RwSignal::new(asked.map_or(30, |(_, days)| within_for(days)));
    let months = RwSignal::new(12u64);
    let id = StoredValue::new(request_id());
    let ending = LocalResource::new(move || {
        refresh.track();
        let (corp, q) = (
            corp.get_value(),
            DeskRenewalsQuery {
                within_days: Some(within.get().to_string()),
            },
        );
        async move {
            get_with::<_, DeskRenewals>(&format!("/api/v1/desk/corps/{corp}/renewals"), &q).await
        }
    });
    let place = Action::new_local(move |asked: &DeskRenewRequest| {
        let (corp, asked) = (corp.get_value(), asked.clone());
        async move {
            post::<_, DeskRenewPlaced>(&format!("/api/v1/desk/corps/{corp}/renewals"), &asked).await
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        place.dispatch(DeskRenewRequest {
            request_id: id.get_value(),
            within_days: within.get_untracked(),
            months: months.get_untracked(),
        });
    };
    let placed = place.value();
    let total = move || ending.get().and_then(Result::ok).map_or(0, |e| e.total);
    view! {
        <section class="card" data-testid="desk-renew">
            <h2>{w(T::Renew)}</h2>
            <p class="muted">{w(T::RenewHelp)}</p>
            {asked.map(|(at, days)| view! {
                <p class="status warn" data-testid="renewal-asked-note">
                    {w(T::RenewalAsked)} " " {date(at)} " · " {days} " " {w(T::Days)}
                </p>
            })}
            <form on:submit=submit>
                <label>{w(T::EndingWithin)}
                    <select data-testid="renew-within" prop:value=move || within.get().to_string()
                        on:change=move |ev| within.set(event_target_value(&ev).parse().unwrap_or(30))>
                        {WITHIN.iter().map(|d| view! { <option value=d.to_string()>{*d}</option> }).collect_view()}
                    </select>
                    " " {w(T::Days)}
                </label>
                <p role="status"><strong data-testid="renew-total">{total}</strong> " " {w(T::SeatsEnding)}</p>
                {move || ending.get().and_then(Result::ok).filter(|e| !e.items.is_empty()).map(|e| {
                    let more = e.total.saturating_sub(e.items.len() as u64);
                    view! {
                        <table class="members">
                            <thead><tr>
                                <th scope="col">{w(T::Member)}</th>
                                <th scope="col">{w(T::SeatType)}</th>
                                <th scope="col">{w(T::Ends)}</th>
                            </tr></thead>
                            <tbody data-testid="renew-seats">
                                {e.items.into_iter().map(|s| view! {
                                    <tr><td><code>{s.userid}</code></td><td>{w(kind(s.account_type))}</td><td>{date(s.expire_time)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {(more > 0).then(|| view! { <p class="muted">{w(T::AndMore)} " " {more}</p> })}
                    }
                })}
                <MonthsPicker months=months/>
                <button class="primary" type="submit" data-testid="renew-place"
                    disabled=move || total() == 0 || place.pending().get()>{w(T::RenewFor)}</button>
            </form>
            {move || placed.get().map(|r| match r {
                Err(e) => view! { <p class="status bad" role="alert">{e.message}</p> }.into_any(),
                Ok(p) => view! {
                    <p role="status"><span data-testid="renew-renewing">{p.renewing}</span> " " {w(T::Renewing)}</p>
                    {(!p.refused.is_empty()).then(|| view! {
                        <p>{w(T::NotRenewed)}</p>
                        <ul data-testid="renew-refused">
                            {p.refused.into_iter().map(|r| view! {
                                <li><code>{r.userid}</code> " " {w(kind(r.account_type))} ": " {r.message} " (" {r.errcode} ")"</li>
                            }).collect_view()}
                        </ul>
                    })}
                    {p.order_id.map(|order_id| view! {
                        <PayButton url=format!("/api/v1/desk/corps/{}/orders/pay", corp.get_value()) order_id=order_id/>
                    })}
                }.into_any(),
            })}
        </section>
    }
}
