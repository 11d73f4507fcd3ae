//! The seat-request inbox (members who opened the app without a seat) and
//! the idle seats that could go to them at once.

use crate::api;
use crate::components::open_data::MemberName;
use crate::components::refresh::use_refresh;
use crate::components::seat_actions::{activate_action, transfer_action, ResultList};
use crate::format::date;
use crate::i18n::{tr, Text};
use domain::api::{ActivateRequest, IdleSettings, TransferPair, TransferRequest};
use leptos::prelude::*;

#[component]
pub fn RequestsCard(corp_id: String, may_manage: bool) -> impl IntoView {
    let refresh = use_refresh();
    let corp = StoredValue::new(corp_id);
    let requests = LocalResource::new(move || {
        refresh.track();
        let corp = corp.get_value();
        async move { api::requests(&corp).await }
    });
    let action = activate_action(corp.get_value());
    let activate = move |userid: String| {
        action.dispatch(ActivateRequest {
            userids: vec![userid],
            seat_type: 1,
        });
    };
    view! {
        <section class="card" id="requests" data-testid="requests-card">
            <h2>{tr(Text::Requests)}</h2>
            <p class="muted">{tr(Text::RequestsHint)}</p>
            {move || match requests.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad">{e.message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{tr(Text::NoRequests)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="members requests" data-testid="requests-table">
                        <thead><tr>
                            <th>{tr(Text::MemberCol)}</th><th>{tr(Text::TimesCol)}</th><th>{tr(Text::LastCol)}</th><th></th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|r| {
                                let userid = r.userid.clone();
                                view! {
                                    <tr data-userid=r.userid.clone()>
                                        <td><MemberName userid=r.userid.clone() name=r.name.clone().unwrap_or_default()/></td>
                                        <td>{r.count}</td>
                                        <td>{date(r.last_at)}</td>
                                        <td>{if r.has_seat == 1 {
                                            view! { <span class="muted">{tr(Text::HasSeatNow)}</span> }.into_any()
                                        } else if !may_manage {
                                            ().into_any()
                                        } else {
                                            view! {
                                                <button data-testid="request-activate"
                                                    on:click=move |_| activate(userid.clone())>{tr(Text::Activate)}</button>
                                            }.into_any()
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <ResultList answer=action.value()/>
        </section>
    }
}

#[component]
pub fn SuggestionsCard(corp_id: String, may_manage: bool) -> impl IntoView {
    let refresh = use_refresh();
    let corp = StoredValue::new(corp_id);
    let suggestions = LocalResource::new(move || {
        refresh.track();
        let corp = corp.get_value();
        async move { api::suggestions(&corp).await }
    });
    let action = transfer_action(corp.get_value());
    let transfer = move |pair: TransferPair| {
        action.dispatch(TransferRequest {
            transfers: vec![pair],
        });
    };
    view! {
        <section class="card" data-testid="suggestions-card">
            <h2>{tr(Text::Suggestions)}</h2>
            <p class="muted">{tr(Text::SuggestionsHint)}</p>
            {move || match suggestions.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad">{e.message}</p> }.into_any(),
                Some(Ok(s)) if s.items.is_empty() => view! { <p class="muted">{tr(Text::NoSuggestions)}</p> }.into_any(),
                Some(Ok(s)) => view! {
                    <ul class="results" data-testid="suggestions">
                        {s.items.into_iter().map(|s| {
                            let pair = TransferPair {
                                handover_userid: s.handover_userid.clone(),
                                takeover_userid: s.takeover_userid.clone(),
                            };
                            let state = match s.handover_state.as_str() {
                                "departed" => Text::Departed,
                                "idle" => Text::Idle,
                                _ => Text::OutOfRange,
                            };
                            // WeCom's rule, before the click: an idle seat
                            // (its holder active and in range) then waits.
                            let rule = s.idle_since.map(|t| view! {
                                <br/><span class="muted">{tr(Text::IdleFor)} " " {date(t)} " · " {tr(Text::IdleRule)}</span>
                            });
                            view! {
                                <li data-handover=s.handover_userid.clone() data-takeover=s.takeover_userid.clone() data-state=s.handover_state.clone()>
                                    <code>{s.handover_userid.clone()}</code> " (" {tr(state)} ") → "
                                    <code>{s.takeover_userid.clone()}</code> " "
                                    {s.takeover_name.clone().unwrap_or_default()}
                                    " · " {tr(Text::ExpiresAt)} " " {date(s.expires_at)} " "
                                    {may_manage.then(|| view! {
                                        <button data-testid="suggestion-transfer"
                                            on:click=move |_| transfer(pair.clone())>{tr(Text::DoTransfer)}</button>
                                    })}
                                    {rule}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <ResultList answer=action.value()/>
            {move || suggestions.get().and_then(Result::ok).map(|s| view! {
                <IdleSettingsForm corp_id=corp.get_value() idle_days=s.idle_days auto_move=s.auto_move may_manage=may_manage/>
            })}
        </section>
    }
}

/// When a seat is idle, and whether idle seats move by themselves each
/// night (to members who asked, under the same rules as the click).
#[component]
fn IdleSettingsForm(
    corp_id: String,
    idle_days: u64,
    auto_move: bool,
    may_manage: bool,
) -> impl IntoView {
    let refresh = use_refresh();
    let days = RwSignal::new(idle_days.to_string());
    let nightly = RwSignal::new(auto_move);
    let save = Action::new_local(move |body: &IdleSettings| {
        let (corp, body) = (corp_id.clone(), body.clone());
        async move { refresh.after_ok(api::set_idle_settings(&corp, &body).await) }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(IdleSettings {
            idle_days: days.get_untracked().trim().parse().unwrap_or(0),
            auto_move: nightly.get_untracked(),
        });
    };
    view! {
        <form class="filters" data-testid="idle-settings" on:submit=submit>
            <label>{tr(Text::IdleDays)}
                <input type="number" min="7" max="365" data-testid="idle-days" disabled=!may_manage
                    prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
            </label>
            <label class="inline">
                <input type="checkbox" data-testid="auto-move" disabled=!may_manage prop:checked=move || nightly.get()
                    on:change=move |ev| nightly.set(event_target_checked(&ev))/>
                {tr(Text::AutoMove)}
            </label>
            {may_manage.then(|| view! { <button type="submit" data-testid="idle-save">{tr(Text::Save)}</button> })}
            {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="status bad" role="alert">{e.message}</p> })}
        </form>
    }
}
