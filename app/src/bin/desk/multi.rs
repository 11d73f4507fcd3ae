//! One order for several organisations (WeCom's multi-organisation order):
//! the organisations ticked in the desk's table, each with its count
//! pre-filled from what it lacks, one duration for all; the order is paid
//! once from the provider's balance. Organisations WeCom leaves out (test
//! organisations cannot be in one) are named with WeCom's reason.

use crate::api::post;
use crate::order::{request_id, MonthsPicker, PayButton};
use crate::texts::{w, T};
use domain::api::{DeskBuy, DeskMultiOrderRequest, DeskMultiPlaced};
use leptos::prelude::*;

/// An organisation ticked for the order, and how many seats it gets.
#[derive(Clone)]
pub struct Pick {
    pub corp_id: String,
    pub name: String,
    pub count: RwSignal<String>,
}

#[component]
pub fn MultiOrderCard(picked: RwSignal<Vec<Pick>>) -> impl IntoView {
    let months = RwSignal::new(12u64);
    let id = StoredValue::new(request_id());
    let place = Action::new_local(move |asked: &DeskMultiOrderRequest| {
        let asked = asked.clone();
        async move { post::<_, DeskMultiPlaced>("/api/v1/desk/orders", &asked).await }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let buy_list = picked.with_untracked(|p| {
            p.iter()
                .map(|p| DeskBuy {
                    corp_id: p.corp_id.clone(),
                    base_count: p.count.get_untracked().trim().parse().unwrap_or(0),
                    interconnect_count: 0,
                })
                .collect()
        });
        place.dispatch(DeskMultiOrderRequest {
            request_id: id.get_value(),
            buy_list,
            months: months.get_untracked(),
            days: 0,
        });
    };
    let placed = place.value();
    let enough = move || picked.with(|p| p.len() >= 2);
    view! {
        <section class="card" data-testid="desk-multi">
            <h2>{w(T::MultiOrder)}</h2>
            <p class="muted">{w(T::MultiOrderHelp)}</p>
            <form on:submit=submit>
                <ul class="picks">
                    <For each=move || picked.get() key=|p| p.corp_id.clone() let:p>
                        <li data-corp=p.corp_id.clone()>
                            <label>
                                <span>{p.name.clone()} " " <code class="muted">{p.corp_id.clone()}</code></span>
                                <input type="number" min="1" data-testid="multi-count" prop:value=move || p.count.get()
                                    on:input=move |ev| p.count.set(event_target_value(&ev))/>
                            </label>
                        </li>
                    </For>
                </ul>
                <MonthsPicker months=months/>
                <button class="primary" type="submit" data-testid="multi-place"
                    disabled=move || !enough() || place.pending().get()>
                    {move || format!("{} ({})", w(T::OrderForAll)(), picked.with(Vec::len))}
                </button>
            </form>
            {move || placed.get().map(|r| match r {
                Err(e) => view! { <p class="status bad" role="alert">{e.message}</p> }.into_any(),
                Ok(p) => view! {
                    {match (p.status.as_str(), p.order_id) {
                        ("created", Some(order_id)) => view! {
                            <PayButton url="/api/v1/desk/orders/pay".to_owned() order_id=order_id/>
                        }.into_any(),
                        ("creating", _) => view! { <p role="status">{w(T::OrderCreating)}</p> }.into_any(),
                        _ => view! { <p class="status bad" role="alert">{w(T::OrderFailed)}</p> }.into_any(),
                    }}
                    {(!p.left_out.is_empty()).then(|| view! {
                        <p>{w(T::LeftOut)}</p>
                        <ul data-testid="multi-left-out">
                            {p.left_out.into_iter().map(|l| view! {
                                <li><code>{l.corp_id}</code> " " {l.message} " (" {l.errcode} ")"</li>
                            }).collect_view()}
                        </ul>
                    })}
                }.into_any(),
            })}
        </section>
    }
}
