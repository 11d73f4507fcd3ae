//! One organisation as its admins see their seats, read-only for the
//! operator: the regime, trial and seat counts, the accounts, the orders.

use crate::components::order_list::OrderList;
use crate::components::refresh::provide_refresh;
use crate::components::seat_summary::SeatSummary;
use crate::components::seat_table::SeatTable;
use crate::texts::{w, T};
use leptos::prelude::*;

#[component]
pub fn Org(corp_id: String) -> impl IntoView {
    provide_refresh();
    view! {
        <p><a href="/desk" data-testid="desk-back">{w(T::Back)}</a></p>
        <h2 data-testid="desk-org">{corp_id.clone()}</h2>
        <div class="grid">
            <SeatSummary corp_id=corp_id.clone() may_manage=false/>
        </div>
        <SeatTable corp_id=corp_id.clone()/>
        <OrderList corp_id=corp_id/>
    }
}
