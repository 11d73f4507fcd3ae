//! New seats for one organisation from the desk: the count pre-filled
//! from what it lacks (members asking beyond its free seats), months as
//! WeCom sells them, one order however often the button is pressed (the
//! form's request id), then paid from the provider's balance; the seats
//! show once WeCom confirms the payment.

use crate::api::{post, ApiFailure};
use crate::components::refresh::{sleep, use_refresh};
use crate::texts::{w, T};
use domain::api::{DeskOrderPlaced, DeskOrderRequest, DeskPaid, DeskPayRequest, DeskRow};
use leptos::prelude::*;

/// Months WeCom sells (1 to 60; a month is 31 days).
const MONTHS: [u64; 7] = [1, 3, 6, 12, 24, 36, 60];
/// After a payment, how long before the seat cards read again (WeCom's
/// `license_pay_success` reaches the Worker's queue first).
const SEATS_ARRIVE_MS: i32 = 2_000;

/// A fresh id for one order form: 16 hex digits from the browser's
/// random numbers.
pub fn request_id() -> String {
    let n = |_| (js_sys::Math::random() * 16.0) as u32;
    let hex: String = (0..16)
        .map(n)
        .map(|d| char::from_digit(d, 16).unwrap_or('0'))
        .collect();
    format!("desk-{hex}")
}

/// Seats the organisation lacks: members asking beyond its free seats (at
/// least one, the form's smallest order).
pub fn shortfall(row: Option<&DeskRow>) -> u64 {
    row.map_or(0, |r| r.asking.saturating_sub(r.seats_free))
        .max(1)
}

#[component]
pub fn OrderCard(corp_id: String, suggested: u64) -> impl IntoView {
    let corp = StoredValue::new(corp_id);
    let base = RwSignal::new(suggested.to_string());
    let months = RwSignal::new(12u64);
    let id = StoredValue::new(request_id());
    let place = Action::new_local(move |asked: &DeskOrderRequest| {
        let (corp, asked) = (corp.get_value(), asked.clone());
        async move {
            post::<_, DeskOrderPlaced>(&format!("/api/v1/desk/corps/{corp}/orders"), &asked).await
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        place.dispatch(DeskOrderRequest {
            request_id: id.get_value(),
            base_count: base.get_untracked().trim().parse().unwrap_or(0),
            interconnect_count: 0,
            months: months.get_untracked(),
            days: 0,
        });
    };
    let placed = place.value();
    view! {
        <section class="card" data-testid="desk-order">
            <h2>{w(T::NewOrder)}</h2>
            <form on:submit=submit>
                <label>{w(T::BaseAccounts)}
                    <input type="number" min="1" data-testid="order-base" prop:value=move || base.get()
                        on:input=move |ev| base.set(event_target_value(&ev))/>
                </label>
                <MonthsPicker months=months/>
                <button class="primary" type="submit" data-testid="order-place"
                    disabled=move || place.pending().get()>{w(T::PlaceOrder)}</button>
            </form>
            {move || placed.get().map(|r| match r {
                Err(e) => view! { <p class="status bad" role="alert">{e.message}</p> }.into_any(),
                Ok(o) => view! {
                    <PayButton url=format!("/api/v1/desk/corps/{}/orders/pay", corp.get_value()) order_id=o.order_id/>
                }.into_any(),
            })}
        </section>
    }
}

/// How many months an order lasts, as WeCom sells them.
#[component]
pub fn MonthsPicker(months: RwSignal<u64>) -> impl IntoView {
    view! {
        <label>{w(T::Months)}
            <select data-testid="order-months" prop:value=move || months.get().to_string()
                on:change=move |ev| months.set(event_target_value(&ev).parse().unwrap_or(12))>
                {MONTHS.iter().map(|m| view! { <option value=m.to_string()>{*m}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// A placed order's id, the way to pay it in WeCom's provider console,
/// and a button paying it from the provider's balance at `url`; once paid,
/// the page's cards read again when the seats have had time to arrive.
#[component]
pub fn PayButton(url: String, order_id: String) -> impl IntoView {
    let refresh = use_refresh();
    let url = StoredValue::new(url);
    let pay = Action::new_local(move |order_id: &String| {
        let body = DeskPayRequest {
            order_id: order_id.clone(),
        };
        async move {
            let paid: Result<DeskPaid, ApiFailure> = post(&url.get_value(), &body).await;
            if paid.as_ref().is_ok_and(|p| p.status == "paid") {
                sleep(SEATS_ARRIVE_MS).await;
                refresh.bump();
            }
            paid
        }
    });
    let paid = pay.value();
    let id = order_id.clone();
    view! {
        <p role="status">{w(T::OrderPlaced)} " " <code data-testid="order-id">{order_id}</code></p>
        <button class="primary" data-testid="order-pay" disabled=move || pay.pending().get()
            on:click=move |_| { pay.dispatch(id.clone()); }>{w(T::PayFromBalance)}</button>
        <p class="muted">{w(T::OrPayInConsole)}</p>
        {move || paid.get().map(|r| match r {
            Err(e) => view! { <p class="status bad" role="alert">{e.message}</p> }.into_any(),
            Ok(p) => view! {
                <p class=if p.status == "failed" { "status bad" } else { "status" } role="status" data-testid="order-paid" data-status=p.status.clone()>
                    {match p.status.as_str() {
                        "paid" => w(T::Paid)().to_owned(),
                        "running" => w(T::PayRunning)().to_owned(),
                        _ => format!("{} {}", w(T::PayFailed)(), p.message.unwrap_or_default()),
                    }}
                </p>
            }.into_any(),
        })}
    }
}
