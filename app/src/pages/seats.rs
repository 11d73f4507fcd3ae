//! Seats: the trial, what was bought, who holds what, who asked, and the
//! actions WeCom allows (activate, transfer, auto-activation), plus a
//! forecast before changing the visible range.

use crate::components::forecast_card::ForecastCard;
use crate::components::order_list::OrderList;
use crate::components::refresh::provide_refresh;
use crate::components::seat_actions::{ActivateCard, TransferCard};
use crate::components::seat_requests::{RequestsCard, SuggestionsCard};
use crate::components::seat_summary::SeatSummary;
use crate::components::seat_table::SeatTable;
use crate::components::session::WithSession;
use leptos::prelude::*;

#[component]
pub fn Seats() -> impl IntoView {
    provide_refresh();
    view! {
        <WithSession children=|s| {
            let corp = s.corp_id;
            view! {
                <div class="grid">
                    <SeatSummary corp_id=corp.clone()/>
                    <ActivateCard corp_id=corp.clone()/>
                    <TransferCard corp_id=corp.clone()/>
                    <RequestsCard corp_id=corp.clone()/>
                    <SuggestionsCard corp_id=corp.clone()/>
                    <ForecastCard corp_id=corp.clone()/>
                </div>
                <SeatTable corp_id=corp.clone()/>
                <OrderList corp_id=corp/>
            }
        }/>
    }
}
