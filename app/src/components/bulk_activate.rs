//! Seats for many members at once: the members picked in the list, or
//! every member the filters match ("all 3 214"), activated in WeCom's
//! batches of 1 000, each member's outcome counted and the refusals
//! listed with WeCom's reason.

use crate::api;
use crate::components::member_rows::Selection;
use crate::components::seat_actions::refusal_words;
use crate::i18n::{tr, Text};
use domain::api::{ActionResult, ActivateRequest, MemberFilters, MemberQuery};
use leptos::prelude::*;

/// Members one activation request takes (`POST .../seats/activate`).
const ACTIVATE_BATCH: usize = 1000;

/// Every userid the filters match, page by page.
async fn all_matching(corp: &str, filters: MemberFilters) -> Result<Vec<String>, String> {
    let mut out = vec![];
    let mut cursor = None;
    loop {
        let query = MemberQuery {
            filters: filters.clone(),
            cursor,
            limit: Some("500".into()),
        };
        let page = api::members(corp, &query).await.map_err(|e| e.message)?;
        out.extend(page.items.into_iter().map(|m| m.userid));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

#[component]
pub fn BulkActivate(
    corp_id: String,
    selection: Selection,
    filters: Signal<MemberFilters>,
    done: Callback<()>,
) -> impl IntoView {
    let corp = StoredValue::new(corp_id);
    let seat_type = RwSignal::new(1u8);
    let run = Action::new_local(move |_: &()| {
        let corp = corp.get_value();
        let everyone = selection.all_matching.get_untracked();
        let picked: Vec<String> = selection.picked.with_untracked(|p| {
            let mut v: Vec<String> = p.iter().cloned().collect();
            v.sort();
            v
        });
        let (filters, seat_type) = (filters.get_untracked(), seat_type.get_untracked());
        async move {
            let userids = if everyone {
                all_matching(&corp, filters).await?
            } else {
                picked
            };
            let mut results: Vec<ActionResult> = vec![];
            for chunk in userids.chunks(ACTIVATE_BATCH) {
                let request = ActivateRequest {
                    userids: chunk.to_vec(),
                    seat_type,
                };
                let answer = api::activate(&corp, &request)
                    .await
                    .map_err(|e| e.message)?;
                results.extend(answer.results);
            }
            Ok::<_, String>(results)
        }
    });
    let outcome = run.value();
    Effect::new(move |_| {
        if outcome.with(|o| o.is_some()) {
            selection.clear();
            done.run(());
        }
    });
    let busy = run.pending();
    view! {
        <div class="bulk" data-testid="bulk-activate">
            <span data-testid="selected-count">{move || selection.count()}</span> " " {tr(Text::SelectedCount)}
            <label class="inline">
                <input type="checkbox" data-testid="select-all-matching"
                    prop:checked=move || selection.all_matching.get()
                    on:change=move |ev| selection.all_matching.set(event_target_checked(&ev))/>
                {tr(Text::SelectAllMatching)} " (" {move || selection.matching.get()} ")"
            </label>
            <select aria-label=move || tr(Text::SeatTypeLabel)() data-testid="bulk-seat-type"
                on:change=move |ev| seat_type.set(if event_target_value(&ev) == "2" { 2 } else { 1 })>
                <option value="1">{tr(Text::BaseAccount)}</option>
                <option value="2">{tr(Text::InterconnectAccount)}</option>
            </select>
            <button class="primary" data-testid="bulk-activate-run"
                disabled=move || busy.get() || selection.count() == 0
                on:click=move |_| { run.dispatch(()); }>{tr(Text::ActivateSelected)}</button>
            {move || outcome.get().map(|o| match o {
                Err(e) => view! { <p class="status bad" role="alert">{e}</p> }.into_any(),
                Ok(results) => {
                    let ok = results.iter().filter(|r| r.ok).count();
                    let refused: Vec<ActionResult> = results.into_iter().filter(|r| !r.ok).collect();
                    view! {
                        <p class="status" role="status" data-testid="bulk-outcome">
                            {tr(Text::Activated)} " " <span data-testid="bulk-ok">{ok}</span>
                            " · " {tr(Text::Refused)} " " <span data-testid="bulk-refused">{refused.len()}</span>
                        </p>
                        <ul class="results" data-testid="bulk-refusals">
                            {refused.into_iter().take(50).map(|r| view! {
                                <li class="bad" data-code=r.code.clone().unwrap_or_default()>
                                    <code>{r.userid.clone().unwrap_or_default()}</code> " · "
                                    <span title=r.message.clone().unwrap_or_default()>{refusal_words(&r)}</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </div>
    }
}
