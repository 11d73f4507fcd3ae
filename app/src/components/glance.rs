//! The overview's first lines: the licensing regime in one sentence with
//! its date, then seats and members as tiles, each a link into the list
//! it counts (filtered), and the members asking for a seat.

use crate::api;
use crate::components::seat_summary::{regime_line, trial_lines};
use crate::i18n::{tr, Text};
use crate::nav::Link;
use domain::api::Summary;
use leptos::prelude::*;

/// One number and what it counts, leading to the list behind it.
fn tile(
    label: Text,
    value: u64,
    href: &'static str,
    id: &'static str,
    warn: bool,
) -> impl IntoView {
    let class = if warn && value > 0 {
        "tile warn"
    } else {
        "tile"
    };
    view! {
        <Link href=href class=class testid=id>
            <strong>{value}</strong>
            <span>{tr(label)}</span>
        </Link>
    }
}

fn tiles(s: Summary) -> impl IntoView {
    let seats = s.seats;
    let m = s.members;
    view! {
        <div class="tiles" data-testid="seat-tiles">
            {tile(Text::SeatsPurchased, seats.purchased, "/seats", "tile-purchased", false)}
            {tile(Text::SeatsActive, seats.active, "/seats?status=active", "tile-active", false)}
            {tile(Text::SeatsUnassigned, seats.unassigned, "/seats?status=unassigned", "tile-free", false)}
            {tile(Text::SeatsExpiring, seats.expiring_30d, "/seats?status=active", "tile-expiring", true)}
            {tile(Text::SeatsInTransferWait, seats.transfer_wait, "/seats?status=active", "tile-transfer-wait", false)}
        </div>
        <div class="tiles" data-testid="member-tiles">
            {tile(Text::MembersInRange, m.in_range, "/members", "tile-in-range", false)}
            {tile(Text::Licensed, m.licensed, "/members?licensed=true", "tile-licensed", false)}
            {tile(Text::Unlicensed, m.unlicensed, "/members?licensed=false", "tile-unlicensed", false)}
            {tile(Text::WithoutDepartment, m.without_department, "/members?department_known=false", "tile-without-department", true)}
            {tile(Text::Asking, s.asking, "/seats", "tile-asking", true)}
        </div>
    }
}

/// The organisation's summary, read once for the overview: the glance draws
/// it, and the page waits for its answer before drawing the cards below.
pub fn summary_resource(corp_id: String) -> LocalResource<Result<Summary, api::ApiFailure>> {
    LocalResource::new(move || {
        let corp = corp_id.clone();
        async move { api::summary(&corp).await }
    })
}

#[component]
pub fn Glance(summary: LocalResource<Result<Summary, api::ApiFailure>>) -> impl IntoView {
    view! {
        // Its height is kept while it loads, so nothing below it jumps.
        <section class="card glance" data-testid="glance">
            {move || match summary.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(s)) => view! {
                    {regime_line(s.license)}
                    {trial_lines(s.trial.clone())}
                    {tiles(s)}
                }.into_any(),
            }}
        </section>
    }
}
