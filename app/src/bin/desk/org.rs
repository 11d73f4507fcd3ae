//! One organisation for the operator: its seats as its admins see them
//! (read-only: the regime, trial and seat counts, the accounts, the
//! orders), new seats ordered and paid from the desk, and the seats
//! ending soon renewed.

use crate::components::order_list::OrderList;
use crate::components::refresh::provide_refresh;
use crate::components::seat_summary::SeatSummary;
use crate::components::seat_table::SeatTable;
use crate::order::{shortfall, OrderCard};
use crate::renew::RenewCard;
use crate::table::desk_corps;
use crate::texts::{w, T};
use domain::api::DeskQuery;
use leptos::prelude::*;

#[component]
pub fn Org(corp_id: String) -> impl IntoView {
    provide_refresh();
    // The organisation's desk row: its name and what it lacks.
    let row = LocalResource::new({
        let corp = corp_id.clone();
        move || {
            let query = DeskQuery {
                q: Some(corp.clone()),
                limit: Some("1".into()),
                ..DeskQuery::default()
            };
            let corp = corp.clone();
            async move {
                let page = desk_corps(query).await.ok()?;
                page.items.into_iter().find(|r| r.corp_id == corp)
            }
        }
    });
    let order_corp = corp_id.clone();
    view! {
        <p><a href="/desk" data-testid="desk-back">{w(T::Back)}</a></p>
        <h2 data-testid="desk-org">
            {move || row.get().flatten().map(|r| r.corp_name).unwrap_or_default()} " "
            <code class="muted">{corp_id.clone()}</code>
        </h2>
        <div class="grid">
            <SeatSummary corp_id=corp_id.clone() may_manage=false/>
            {move || row.get().map(|r| view! {
                <OrderCard corp_id=order_corp.clone() suggested=shortfall(r.as_ref())/>
                <RenewCard corp_id=order_corp.clone() asked=r.as_ref().and_then(|r| r.renewal_asked_at.zip(r.renewal_days))/>
            })}
        </div>
        <SeatTable corp_id=corp_id.clone()/>
        <OrderList corp_id=corp_id/>
    }
}
