//! The organisation's orders as WeCom keeps them: purchase or renewal, and
//! WeCom's order status in words.

use crate::api;
use crate::components::refresh::use_refresh;
use crate::format::date;
use crate::i18n::{order_status, order_type, tr, tr_wecom, Text};
use leptos::prelude::*;

#[component]
pub fn OrderList(corp_id: String) -> impl IntoView {
    let refresh = use_refresh();
    let corp = StoredValue::new(corp_id);
    let orders = LocalResource::new(move || {
        refresh.track();
        let corp = corp.get_value();
        async move { api::orders(&corp).await }
    });
    view! {
        <section class="card" data-testid="orders">
            <h2>{tr(Text::Orders)}</h2>
            <a class="button" data-testid="orders-export" download
                href=move || format!("/api/v1/corps/{}/export/orders.csv", corp.get_value())>{tr(Text::ExportCsv)}</a>
            <p class="muted">{tr(Text::OrdersHint)}</p>
            {move || match orders.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(items)) if items.is_empty() => view! { <p class="muted">{tr(Text::NoOrders)}</p> }.into_any(),
                Some(Ok(items)) => view! {
                    <table class="members orders">
                        <thead><tr>
                            <th scope="col">{tr(Text::OrderCol)}</th><th scope="col">{tr(Text::TypeCol)}</th><th scope="col">{tr(Text::StatusCol)}</th>
                            <th scope="col">{tr(Text::AccountsCol)}</th><th scope="col">{tr(Text::DaysCol)}</th><th scope="col">{tr(Text::PaidCol)}</th>
                        </tr></thead>
                        <tbody>
                            {items.into_iter().map(|o| view! {
                                <tr data-order=o.order_id.clone()>
                                    <td><code>{o.order_id.clone()}</code></td>
                                    <td>{tr_wecom(order_type(o.order_type))}</td>
                                    <td data-testid="order-status">{tr_wecom(order_status(o.order_status))}</td>
                                    <td>{o.base_count} " / " {o.interconnect_count}</td>
                                    <td>{o.duration_days}</td>
                                    <td>{(o.paid_at > 0).then(|| date(o.paid_at))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
