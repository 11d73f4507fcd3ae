//! Every account the organisation bought, filtered by status, paged.

use crate::api;
use crate::components::paged::{Paged, PAGE_SIZE};
use crate::components::refresh::use_refresh;
use crate::format::{date, given};
use crate::i18n::{account_status, tr, tr_wecom, Text};
use domain::api::{SeatFilters, SeatQuery};
use leptos::prelude::*;

fn status_text(status: &str) -> Text {
    match status {
        "active" => Text::SeatsActive,
        "unassigned" => Text::SeatsUnassigned,
        "expired" => Text::SeatsExpired,
        "expired_unused" => Text::SeatsExpiredUnused,
        "retired" => Text::SeatsRetired,
        _ => Text::SeatsRefunded,
    }
}

#[component]
pub fn SeatTable(corp_id: String) -> impl IntoView {
    let refresh = use_refresh();
    let corp = StoredValue::new(corp_id);
    // From the overview's tiles (`/seats?status=active`).
    let from_url = crate::nav::query_param("status").unwrap_or_default();
    let status = RwSignal::new(from_url);
    // Back to page one after a filter change or any seat action.
    let seats = Paged::new(move |cursor| {
        refresh.track();
        let query = SeatQuery {
            filters: SeatFilters {
                status: given(status.get()),
                seat_type: None,
            },
            cursor,
            limit: Some(PAGE_SIZE.to_owned()),
        };
        let corp = corp.get_value();
        async move { api::seats(&corp, &query).await }
    });
    let rows = seats.shown();
    view! {
        <section class="card" data-testid="seat-table">
            <h2>{tr(Text::SeatList)}</h2>
            <div class="filters">
                <select data-testid="seat-status-filter" aria-label=move || tr(Text::StatusCol)()
                    prop:value=move || status.get() on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{tr(Text::AnySeatStatus)}</option>
                    <option value="unassigned">{tr(Text::SeatsUnassigned)}</option>
                    <option value="active">{tr(Text::SeatsActive)}</option>
                    <option value="expired">{tr(Text::SeatsExpired)}</option>
                    <option value="expired_unused">{tr(Text::SeatsExpiredUnused)}</option>
                    <option value="retired">{tr(Text::SeatsRetired)}</option>
                </select>
                <a class="button" data-testid="seats-export" download
                    href=move || {
                        let f = SeatFilters { status: given(status.get()), seat_type: None };
                        let q = serde_urlencoded::to_string(&f).unwrap_or_default();
                        format!("/api/v1/corps/{}/export/seats.csv?{q}", corp.get_value())
                    }>{tr(Text::ExportCsv)}</a>
            </div>
            {move || seats.error().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
            <table class="members accounts">
                <thead><tr>
                    <th scope="col">{tr(Text::CodeCol)}</th><th scope="col">{tr(Text::TypeCol)}</th><th scope="col">{tr(Text::StatusCol)}</th>
                    <th scope="col">{tr(Text::MemberCol)}</th><th scope="col">{tr(Text::ExpiresCol)}</th><th scope="col">{tr(Text::TransferableCol)}</th><th scope="col">{tr(Text::WeComStatusCol)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || rows.with(|r| r.items.clone()) key=|s| (s.active_code.clone(), s.status.clone(), s.userid.clone()) let:s>
                        <tr data-code=s.active_code.clone() data-status=s.status.clone()>
                            <td><code>{s.active_code.clone()}</code></td>
                            <td>{tr(if s.seat_type == 2 { Text::InterconnectAccount } else { Text::BaseAccount })}</td>
                            <td>{tr(status_text(&s.status))}</td>
                            <td><code>{s.userid.clone().unwrap_or_default()}</code></td>
                            <td>{s.expires_at.map(date)}</td>
                            <td>{s.transferable_at.map(date)}</td>
                            <td>{s.wecom_status.map(|w| tr_wecom(account_status(w)))}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
            {move || rows.with(|r| r.items.is_empty()).then(|| view! { <p class="muted">{tr(Text::NoSeats)}</p> })}
            <p class="muted">
                {tr(Text::Shown)} " " {move || rows.with(|r| r.items.len())} " / "
                <span data-testid="seat-total">{move || rows.with(|r| r.total)}</span>
            </p>
            {move || rows.with(|r| r.next_cursor.is_some()).then(|| view! {
                <button data-testid="seat-load-more" on:click=move |_| seats.load_more()>{tr(Text::LoadMore)}</button>
            })}
        </section>
    }
}
