//! Seats used against seats bought over the last 90 days, and new seat
//! requests a week: inline SVG drawn from the cron's daily snapshot (no
//! chart library), each with its numbers as a table for screen readers
//! and anyone who wants them.

use crate::api;
use crate::i18n::{tr, Text};
use domain::api::{DayStats, WeekRequests};
use domain::when::day_start;
use leptos::prelude::*;

// The charts' drawing box, in whole units: integers only, so the console
// carries no float formatting (about 10 KB of wasm).
const WIDTH: u64 = 600;
const HEIGHT: u64 = 140;
/// Room kept above the highest value.
const HEADROOM: u64 = 10;

/// `x,y` points of one series, days placed by their date (a day the cron
/// did not run leaves a gap in time, not in the line's spacing).
fn points(days: &[DayStats], value: impl Fn(&DayStats) -> u64, top: u64) -> String {
    let day = |d: &DayStats| day_start(&d.date).unwrap_or(0) / 86_400;
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return String::new();
    };
    let span = (day(last) - day(first)).max(1);
    days.iter()
        .map(|d| {
            let x = (day(d) - day(first)) * WIDTH / span;
            let y = HEIGHT - value(d).min(top) * (HEIGHT - HEADROOM) / top.max(1);
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last point of a series, where a dot marks today's value (a single
/// day draws no line).
fn last_point(points: &str) -> (String, String) {
    let last = points.rsplit(' ').next().unwrap_or("");
    let (x, y) = last.split_once(',').unwrap_or(("0", "0"));
    (x.to_owned(), y.to_owned())
}

fn seats_chart(days: Vec<DayStats>) -> impl IntoView {
    let top = days
        .iter()
        .map(|d| d.seats_bought.max(d.seats_active))
        .max()
        .unwrap_or(0);
    let bought = points(&days, |d| d.seats_bought, top);
    let active = points(&days, |d| d.seats_active, top);
    let (bx, by) = last_point(&bought);
    let (ax, ay) = last_point(&active);
    view! {
        <svg class="chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="seats-trend-title"
            preserveAspectRatio="none" data-testid="seats-chart">
            <title id="seats-trend-title">{tr(Text::SeatsTrend)}</title>
            <polyline class="bought" points=bought fill="none"/>
            <polyline class="active" points=active fill="none"/>
            <circle class="bought" cx=bx cy=by r="4"/>
            <circle class="active" cx=ax cy=ay r="4"/>
        </svg>
        <p class="legend"><span class="key bought"></span>{tr(Text::SeatsPurchased)} " "
            <span class="key active"></span>{tr(Text::SeatsActive)}</p>
        <details>
            <summary>{tr(Text::ShowNumbers)}</summary>
            <table class="members" data-testid="seats-trend-table">
                <thead><tr><th scope="col">{tr(Text::DateCol)}</th><th scope="col">{tr(Text::SeatsPurchased)}</th>
                    <th scope="col">{tr(Text::SeatsActive)}</th><th scope="col">{tr(Text::Asking)}</th></tr></thead>
                <tbody>
                    {days.into_iter().rev().map(|d| view! {
                        <tr><td>{d.date}</td><td>{d.seats_bought}</td><td>{d.seats_active}</td><td>{d.asking}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

fn requests_chart(weeks: Vec<WeekRequests>) -> impl IntoView {
    let top = weeks
        .iter()
        .map(|w| w.new_requests)
        .max()
        .unwrap_or(0)
        .max(1);
    // Thirteen weeks fill the width; fewer keep their place on the left.
    let slot = WIDTH / (weeks.len() as u64).max(13);
    view! {
        <svg class="chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="requests-trend-title"
            preserveAspectRatio="none" data-testid="requests-chart">
            <title id="requests-trend-title">{tr(Text::RequestsTrend)}</title>
            {weeks.iter().enumerate().map(|(i, w)| {
                let h = w.new_requests * (HEIGHT - HEADROOM) / top;
                view! { <rect class="bar" x=(i as u64 * slot + 2).to_string() y=(HEIGHT - h).to_string()
                    width=(slot - 4).to_string() height=h.to_string()/> }
            }).collect_view()}
        </svg>
        <details>
            <summary>{tr(Text::ShowNumbers)}</summary>
            <table class="members" data-testid="requests-trend-table">
                <thead><tr><th scope="col">{tr(Text::WeekOfCol)}</th><th scope="col">{tr(Text::NewRequests)}</th></tr></thead>
                <tbody>
                    {weeks.into_iter().rev().map(|w| view! {
                        <tr><td>{w.week_of}</td><td>{w.new_requests}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

#[component]
pub fn TrendsCard(corp_id: String) -> impl IntoView {
    let trends = LocalResource::new(move || {
        let corp = corp_id.clone();
        async move { api::trends(&corp).await }
    });
    view! {
        <section class="card trends" data-testid="trends-card">
            <h2>{tr(Text::Trends)}</h2>
            {move || match trends.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(t)) if t.days.is_empty() => view! { <p class="muted">{tr(Text::NoTrendYet)}</p> }.into_any(),
                Some(Ok(t)) => view! {
                    <h3>{tr(Text::SeatsTrend)}</h3>
                    {seats_chart(t.days)}
                    <h3>{tr(Text::RequestsTrend)}</h3>
                    {requests_chart(t.weeks)}
                }.into_any(),
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str, bought: u64, active: u64) -> DayStats {
        DayStats {
            date: date.into(),
            seats_bought: bought,
            seats_active: active,
            members_in_range: 0,
            asking: 0,
        }
    }

    #[test]
    fn days_are_placed_by_date_and_scaled_to_the_top() {
        let days = [
            day("2026-12-01", 10, 0),
            day("2026-12-02", 10, 5),
            day("2026-12-05", 10, 10),
        ];
        assert_eq!(points(&days, |d| d.seats_active, 10), "0,140 150,75 600,10");
        assert_eq!(points(&[], |d| d.seats_active, 10), "");
        // One day alone sits at the left, and a zero top draws flat.
        assert_eq!(points(&days[..1], |d| d.seats_active, 0), "0,140");
        assert_eq!(last_point("0,140 150,75"), ("150".into(), "75".into()));
    }
}
