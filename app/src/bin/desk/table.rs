//! Every installed organisation in one table, paged on the server: the
//! filters a provider asks every morning, any column sorted either way,
//! the whole view in the URL (a link shows the same list).

use crate::api::{get_with, ApiFailure};
use crate::components::paged::{Paged, PAGE_SIZE};
use crate::components::refresh::{provide_refresh, use_refresh};
use crate::format::{date, given};
use crate::multi::{MultiOrderCard, Pick};
use crate::nav::{navigate, query_param};
use crate::order::shortfall;
use crate::texts::{w, T};
use domain::api::{DeskQuery, DeskRow, DeskSort, Page};
use leptos::prelude::*;

/// The filters the desk offers, as the route names them.
const FILTERS: [(&str, T); 6] = [
    ("short", T::Short),
    ("trial_ending", T::TrialEnding),
    ("expiring", T::Expiring),
    ("failing", T::Failing),
    ("stale", T::Stale),
    ("renewal_asked", T::RenewalAsked),
];

/// The columns one can sort by, in the table's order, with their heading.
const SORTS: [(DeskSort, T); 8] = [
    (DeskSort::CorpName, T::Organisation),
    (DeskSort::MembersInRange, T::Members),
    (DeskSort::SeatsFree, T::SeatsBoughtActiveFree),
    (DeskSort::SeatsExpiring, T::Expiring30),
    (DeskSort::Refused, T::AskingRefused),
    (DeskSort::TrialEndsAt, T::TrialEnds),
    (DeskSort::FailedEvents, T::FailedEvents),
    (DeskSort::LastSyncAt, T::LastSync),
];

pub async fn desk_corps(query: DeskQuery) -> Result<Page<DeskRow>, ApiFailure> {
    get_with("/api/v1/desk/corps", &query).await
}

fn when(t: Option<u64>) -> String {
    t.map(date).unwrap_or_else(|| "—".into())
}

fn row(r: DeskRow, picked: RwSignal<Vec<Pick>>) -> impl IntoView {
    let href = format!("/desk?corp={}", r.corp_id);
    let name = if r.corp_name.is_empty() {
        r.corp_id.clone()
    } else {
        r.corp_name.clone()
    };
    let sync = if r.sync_state == "running" {
        view! { <span>{w(T::Running)}</span> }.into_any()
    } else {
        match r.last_sync_at {
            Some(t) => view! { <span>{date(t)}</span> }.into_any(),
            None => view! { <span>{w(T::Never)}</span> }.into_any(),
        }
    };
    let short = r.refused > 0 || r.asking > r.seats_free;
    let corp = r.corp_id.clone();
    let is_picked = {
        let corp = corp.clone();
        move || picked.with(|p| p.iter().any(|p| p.corp_id == corp))
    };
    let pick = Pick {
        corp_id: corp.clone(),
        name: name.clone(),
        count: RwSignal::new(shortfall(Some(&r)).to_string()),
    };
    let toggle = move |on: bool| {
        picked.update(|p| {
            p.retain(|p| p.corp_id != corp);
            if on {
                p.push(pick.clone());
            }
        })
    };
    let label = format!("{} {name}", w(T::Pick)());
    view! {
        <tr data-corp=r.corp_id.clone()>
            <td><input type="checkbox" data-testid="desk-pick" aria-label=label prop:checked=is_picked
                on:change=move |ev| toggle(event_target_checked(&ev))/></td>
            <td><a href=href>{name}</a><br/><code class="muted">{r.corp_id.clone()}</code>
                {r.renewal_asked_at.map(|t| view! {
                    <br/><span class="badge warn" data-testid="renewal-asked">{w(T::RenewalAsked)} " " {date(t)}</span>
                })}</td>
            <td>{r.members_in_range}</td>
            <td>{r.seats_bought} " / " {r.seats_active} " / " <strong data-testid="seats-free">{r.seats_free}</strong></td>
            <td class=(r.seats_expiring > 0).then_some("warn")>{r.seats_expiring}</td>
            <td class=short.then_some("warn")>{r.asking} " / " {r.refused}</td>
            <td>{when(r.trial_ends_at)}</td>
            <td class=(r.failed_events > 0).then_some("warn")>{r.failed_events}</td>
            <td>{sync}</td>
            <td>{when(r.license_check_time)}</td>
        </tr>
    }
}

#[component]
pub fn DeskTable() -> impl IntoView {
    provide_refresh();
    let refresh = use_refresh();
    let picked = RwSignal::new(Vec::<Pick>::new());
    let flag = |name: &str| RwSignal::new(query_param(name).as_deref() == Some("true"));
    let flags: Vec<(&'static str, T, RwSignal<bool>)> = FILTERS
        .iter()
        .map(|(name, t)| (*name, *t, flag(name)))
        .collect();
    let flags = StoredValue::new(flags);
    let q = RwSignal::new(query_param("q").unwrap_or_default());
    let sort = RwSignal::new(query_param("sort").unwrap_or_else(|| "corp_name".into()));
    let desc = flag("desc");
    let query = move || {
        let on = |name: &str| {
            flags
                .with_value(|f| f.iter().any(|(n, _, v)| *n == name && v.get()))
                .then(|| "true".to_owned())
        };
        DeskQuery {
            q: given(q.get().trim().to_owned()),
            trial_ending: on("trial_ending"),
            short: on("short"),
            expiring: on("expiring"),
            failing: on("failing"),
            stale: on("stale"),
            renewal_asked: on("renewal_asked"),
            sort: given(sort.get()).filter(|s| s != "corp_name"),
            desc: desc.get().then(|| "true".to_owned()),
            cursor: None,
            limit: None,
        }
    };
    // The view in the URL, replaced as it changes.
    Effect::new(move |_| {
        let q = serde_urlencoded::to_string(query()).unwrap_or_default();
        navigate(
            &if q.is_empty() {
                "/desk".to_owned()
            } else {
                format!("/desk?{q}")
            },
            true,
        );
    });
    let rows_of = Paged::new(move |cursor| {
        // Read again after a payment (the rows of paid organisations move).
        refresh.track();
        let asked = DeskQuery {
            cursor,
            limit: Some(PAGE_SIZE.to_owned()),
            ..query()
        };
        desk_corps(asked)
    });
    let rows = rows_of.shown();
    view! {
        {move || picked.with(|p| !p.is_empty()).then(|| view! { <MultiOrderCard picked=picked/> })}
        <section class="card">
            <h2>{w(T::Title)}</h2>
            <div class="filters">
                <input type="search" data-testid="desk-q" aria-label=move || w(T::Search)() placeholder=move || w(T::Search)()
                    prop:value=move || q.get() on:change=move |ev| q.set(event_target_value(&ev))/>
                {flags.get_value().into_iter().map(|(name, t, on)| view! {
                    <label class="inline">
                        <input type="checkbox" data-testid=format!("desk-{name}") prop:checked=move || on.get()
                            on:change=move |ev| on.set(event_target_checked(&ev))/>
                        {w(t)}
                    </label>
                }).collect_view()}
                <label class="inline">{w(T::SortBy)}
                    <select data-testid="desk-sort" prop:value=move || sort.get()
                        on:change=move |ev| sort.set(event_target_value(&ev))>
                        {SORTS.iter().map(|(s, t)| view! { <option value=s.as_str()>{w(*t)}</option> }).collect_view()}
                    </select>
                </label>
                <label class="inline">
                    <input type="checkbox" data-testid="desk-desc" prop:checked=move || desc.get()
                        on:change=move |ev| desc.set(event_target_checked(&ev))/>
                    {w(T::LargestFirst)}
                </label>
            </div>
            {move || rows_of.error().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
            <p class="muted"><span data-testid="desk-total">{move || rows.with(|r| r.total)}</span> " " {w(T::Matching)}</p>
            <div class="scroll-x">
                <table class="members desk" data-testid="desk-table">
                    <thead><tr>
                        <th scope="col"><span class="sr-only">{w(T::Pick)}</span></th>
                        {SORTS.iter().map(|(_, t)| view! { <th scope="col">{w(*t)}</th> }).collect_view()}
                        <th scope="col">{w(T::ChecksFrom)}</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || rows.with(|r| r.items.clone()) key=|r| r.corp_id.clone() let:r>
                            {row(r, picked)}
                        </For>
                    </tbody>
                </table>
            </div>
            {move || (rows_of.answered() && rows.with(|r| r.items.is_empty()))
                .then(|| view! { <p class="muted">{w(T::NoneMatch)}</p> })}
            {move || rows.with(|r| r.next_cursor.is_some()).then(|| view! {
                <button data-testid="load-more" on:click=move |_| rows_of.load_more()>{w(T::LoadMore)}</button>
            })}
        </section>
    }
}
