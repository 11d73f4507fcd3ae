//! Members of the organisation: who is in the visible range, how they got
//! there, and which of them WeCom gives no department for.

use crate::api;
use crate::components::open_data::{DepartmentName, MemberName};
use crate::components::paged::{Paged, PAGE_SIZE};
use crate::components::session::WithSession;
use crate::format::given;
use crate::i18n::{tr, use_lang, Lang, Text};
use crate::nav::query_param;
use domain::api::{MemberFilters, MemberQuery, Status, Via};
use leptos::prelude::*;
use std::collections::HashMap;

#[component]
pub fn Members() -> impl IntoView {
    view! { <WithSession children=|s| view! { <MemberList corp_id=s.corp_id/> }/> }
}

fn via_text(v: Via) -> Text {
    match v {
        Via::Department => Text::ViaDepartment,
        Via::Individual => Text::ViaIndividual,
        Via::Tag => Text::ViaTag,
    }
}

/// Department names by id, from the tree; none when it did not load (the
/// ids are shown then).
async fn department_names(corp_id: &str) -> HashMap<u64, String> {
    let mut names = HashMap::new();
    let mut stack = api::departments(corp_id).await.unwrap_or_default();
    while let Some(d) = stack.pop() {
        names.insert(d.id, d.name);
        stack.extend(d.children);
    }
    names
}

#[component]
fn MemberList(corp_id: String) -> impl IntoView {
    let lang = use_lang();
    let initial_known = query_param("department_known").unwrap_or_default();
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let in_range = RwSignal::new(String::from("true"));
    let only_without = RwSignal::new(initial_known == "false");
    // From the overview's tiles: members with or without a seat.
    let licensed = RwSignal::new(query_param("licensed").unwrap_or_default());
    let corp = StoredValue::new(corp_id);
    let names = LocalResource::new(move || {
        let corp = corp.get_value();
        async move { department_names(&corp).await }
    });
    // The filters as the members route (and its export) reads them.
    let filters = move || MemberFilters {
        // Sent even when empty, as it always was: `q=` is no search.
        q: Some(search.get()),
        status: given(status.get()),
        in_range: given(in_range.get()),
        department_known: only_without.get().then(|| "false".to_owned()),
        department_id: None,
        sub_departments: None,
        licensed: given(licensed.get()),
        seat_type: None,
    };
    let members = Paged::new(move |cursor| {
        let query = MemberQuery {
            filters: filters(),
            cursor,
            limit: Some(PAGE_SIZE.to_owned()),
        };
        let corp = corp.get_value();
        async move { api::members(&corp, &query).await }
    });
    let rows = members.shown();

    view! {
        <section class="card">
            <h2>{tr(Text::NavMembers)}</h2>
            <div class="filters">
                <input type="search" data-testid="member-search" aria-label=move || tr(Text::Search)() placeholder=move || tr(Text::Search)()
                    on:input=move |ev| search.set(event_target_value(&ev))/>
                <select data-testid="status-filter" aria-label=move || tr(Text::StatusCol)() on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{tr(Text::AllStatuses)}</option>
                    <option value="active">{tr(Text::Active)}</option>
                    <option value="departed">{tr(Text::Departed)}</option>
                </select>
                <select data-testid="licensed-filter" aria-label=move || tr(Text::SeatCol)()
                    prop:value=move || licensed.get() on:change=move |ev| licensed.set(event_target_value(&ev))>
                    <option value="">{tr(Text::AnySeat)}</option>
                    <option value="true">{tr(Text::Licensed)}</option>
                    <option value="false">{tr(Text::Unlicensed)}</option>
                </select>
                <select data-testid="range-filter" aria-label=move || tr(Text::RangeCol)() on:change=move |ev| in_range.set(event_target_value(&ev))>
                    <option value="true" selected>{tr(Text::InRange)}</option>
                    <option value="false">{tr(Text::OutOfRange)}</option>
                    <option value="">{tr(Text::AnyRange)}</option>
                </select>
                <label class="inline">
                    <input type="checkbox" data-testid="without-department-filter"
                        prop:checked=move || only_without.get()
                        on:change=move |ev| only_without.set(event_target_checked(&ev))/>
                    {tr(Text::OnlyWithoutDepartment)}
                </label>
                <a class="button" data-testid="members-export" download
                    href=move || {
                        let q = serde_urlencoded::to_string(filters()).unwrap_or_default();
                        format!("/api/v1/corps/{}/export/members.csv?{q}", corp.get_value())
                    }>{tr(Text::ExportCsv)}</a>
            </div>
            {move || members.error().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
            <table class="members" data-testid="members-table">
                <thead><tr>
                    <th scope="col">{tr(Text::UserIdCol)}</th><th scope="col">{tr(Text::NameCol)}</th><th scope="col">{tr(Text::DepartmentsCol)}</th>
                    <th scope="col">{tr(Text::RangeCol)}</th><th scope="col">{tr(Text::StatusCol)}</th><th scope="col">{tr(Text::ViaCol)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || rows.with(|r| r.items.clone()) key=|m| m.userid.clone() let:m>
                        <tr data-userid=m.userid.clone()>
                            <td><code>{m.userid.clone()}</code></td>
                            <td><MemberName userid=m.userid.clone() name=m.name.clone()/></td>
                            <td>{match &m.department_ids {
                                Some(ids) => {
                                    let ids = ids.clone();
                                    (move || names.with(|n| ids.iter().enumerate()
                                        .map(|(i, id)| {
                                            let name = n.as_ref().and_then(|n| n.get(id)).cloned().unwrap_or_default();
                                            view! { {(i > 0).then_some(", ")}<DepartmentName id=*id name=name/> }
                                        })
                                        .collect_view())).into_any()
                                }
                                None => view! {
                                    <span class="badge warn" title=move || if lang.get() == Lang::Zh {
                                        domain::range::NO_DEPARTMENT_ADVICE_ZH } else { domain::range::NO_DEPARTMENT_ADVICE_EN }>
                                        {tr(Text::NoDepartmentInfo)}
                                    </span>
                                }.into_any(),
                            }}</td>
                            <td>{tr(if m.in_range { Text::Yes } else { Text::No })}</td>
                            <td>{tr(if m.status == Status::Active { Text::Active } else { Text::Departed })}</td>
                            <td>{m.via.iter().map(|v| tr(via_text(*v))()).collect::<Vec<_>>().join(" · ")}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
            {move || rows.with(|r| r.items.is_empty()).then(|| view! { <p class="muted">{tr(Text::NoMembers)}</p> })}
            <p class="muted">
                {tr(Text::Shown)} " " <span data-testid="shown-count">{move || rows.with(|r| r.items.len())}</span> " / "
                <span data-testid="total-count">{move || rows.with(|r| r.total)}</span>
            </p>
            {move || rows.with(|r| r.next_cursor.is_some()).then(|| view! {
                <button data-testid="load-more" on:click=move |_| members.load_more()>{tr(Text::LoadMore)}</button>
            })}
        </section>
    }
}
