//! Seats: the license regime and trial, what was bought, who holds what,
//! who asked, and the actions WeCom allows (activate, transfer,
//! auto-activation; only for admins WeCom lets manage), plus a forecast
//! before changing the visible range.

use crate::components::forecast_card::ForecastCard;
use crate::components::order_list::OrderList;
use crate::components::refresh::provide_refresh;
use crate::components::seat_actions::{ActivateCard, TransferCard};
use crate::components::seat_requests::{RequestsCard, SuggestionsCard};
use crate::components::seat_summary::SeatSummary;
use crate::components::seat_table::SeatTable;
use crate::components::session::{ReadOnlyNotice, WithSession};
use leptos::prelude::*;

#[component]
pub fn Seats() -> impl IntoView {
    provide_refresh();
    view! {
        <WithSession children=|s| {
            let (corp, manage) = (s.corp_id, s.may_manage);
            view! {
                {(!manage).then(|| view! { <ReadOnlyNotice/> })}
                <div class="grid">
                    <SeatSummary corp_id=corp.clone() may_manage=manage/>
                    {manage.then(|| view! {
                        <ActivateCard/>
                        <TransferCard corp_id=corp.clone()/>
                    })}
                    <RequestsCard corp_id=corp.clone() may_manage=manage/>
                    <SuggestionsCard corp_id=corp.clone() may_manage=manage/>
                    <ForecastCard corp_id=corp.clone()/>
                </div>
                <SeatTable corp_id=corp.clone()/>
                <OrderList corp_id=corp/>
            }
        }/>
    }
}
