//! Members of the organisation: who is in the visible range, how they got
//! there, and which of them WeCom gives no department for.

use crate::api;
use crate::components::session::WithSession;
use crate::format::given;
use crate::i18n::{tr, use_lang, Lang, Text};
use domain::api::{MemberItem, MemberQuery, Status, Via};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Rows one request asks for.
const PAGE_SIZE: &str = "100";

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

#[component]
fn MemberList(corp_id: String) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let initial_known = query
        .with_untracked(|q| q.get("department_known"))
        .unwrap_or_default();
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let in_range = RwSignal::new(String::from("true"));
    let only_without = RwSignal::new(initial_known == "false");
    let rows = RwSignal::new(Vec::<MemberItem>::new());
    let total = RwSignal::new(0u64);
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let names = RwSignal::new(std::collections::HashMap::<u64, String>::new());
    {
        let corp = corp_id.clone();
        leptos::task::spawn_local(async move {
            if let Ok(tree) = api::departments(&corp).await {
                let mut map = std::collections::HashMap::new();
                let mut stack = tree;
                while let Some(d) = stack.pop() {
                    map.insert(d.id, d.name.clone());
                    stack.extend(d.children);
                }
                names.set(map);
            }
        });
    }
    let corp = StoredValue::new(corp_id);

    // The filters as the members route reads them; a cursor continues a list.
    let query = move |cursor: Option<String>| MemberQuery {
        // Sent even when empty, as it always was: `q=` is no search.
        q: Some(search.get_untracked()),
        status: given(status.get_untracked()),
        in_range: given(in_range.get_untracked()),
        department_known: only_without.get_untracked().then(|| "false".to_owned()),
        department_id: None,
        cursor,
        limit: Some(PAGE_SIZE.to_owned()),
    };
    let load = move |append: bool| {
        let cursor = if append { next.get_untracked() } else { None };
        let query = query(cursor);
        let corp = corp.get_value();
        leptos::task::spawn_local(async move {
            match api::members(&corp, &query).await {
                Ok(page) => {
                    error.set(None);
                    total.set(page.total);
                    next.set(page.next_cursor);
                    if append {
                        rows.update(|r| r.extend(page.items));
                    } else {
                        rows.set(page.items);
                    }
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    // Reload whenever a filter changes.
    Effect::new(move |_| {
        search.track();
        status.track();
        in_range.track();
        only_without.track();
        load(false);
    });

    view! {
        <section class="card">
            <h2>{tr(Text::NavMembers)}</h2>
            <div class="filters">
                <input type="search" data-testid="member-search" placeholder=move || tr(Text::Search)()
                    on:input=move |ev| search.set(event_target_value(&ev))/>
                <select data-testid="status-filter" on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{tr(Text::AllStatuses)}</option>
                    <option value="active">{tr(Text::Active)}</option>
                    <option value="departed">{tr(Text::Departed)}</option>
                </select>
                <select data-testid="range-filter" on:change=move |ev| in_range.set(event_target_value(&ev))>
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
            </div>
            {move || error.get().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
            <table class="members" data-testid="members-table">
                <thead><tr>
                    <th>{tr(Text::UserIdCol)}</th><th>{tr(Text::NameCol)}</th><th>{tr(Text::DepartmentsCol)}</th>
                    <th>{tr(Text::RangeCol)}</th><th>{tr(Text::StatusCol)}</th><th>{tr(Text::ViaCol)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|m| m.userid.clone() let:m>
                        <tr data-userid=m.userid.clone()>
                            <td><code>{m.userid.clone()}</code></td>
                            <td>{m.name.clone()}</td>
                            <td>{match &m.department_ids {
                                Some(ids) => {
                                    let ids = ids.clone();
                                    (move || names.with(|n| ids.iter()
                                        .map(|id| n.get(id).cloned().unwrap_or_else(|| id.to_string()))
                                        .collect::<Vec<_>>().join(", "))).into_any()
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
            {move || rows.with(Vec::is_empty).then(|| view! { <p class="muted">{tr(Text::NoMembers)}</p> })}
            <p class="muted">
                {tr(Text::Shown)} " " <span data-testid="shown-count">{move || rows.with(Vec::len)}</span> " / "
                <span data-testid="total-count">{move || total.get()}</span>
            </p>
            {move || next.get().is_some().then(|| view! {
                <button data-testid="load-more" on:click=move |_| load(true)>{tr(Text::LoadMore)}</button>
            })}
        </section>
    }
}
