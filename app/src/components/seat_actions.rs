//! Activate seats for members, or move one member's seat to another: each
//! call is a Leptos `Action` that refreshes every seat card once it went
//! through, and its answer lists every member's outcome with WeCom's rule
//! in plain words.

use crate::api;
use crate::api::ApiFailure;
use crate::components::last_ok::last_ok;
use crate::components::refresh::use_refresh;
use crate::format::{date, userids};
use crate::i18n::{refusal, tr, Text};
use domain::api::{ActionResults, ActivateRequest, TransferPair, TransferRequest};
use leptos::prelude::*;

/// A seat call's answer: one outcome per member or pair.
pub type SeatAnswer = Result<ActionResults, ApiFailure>;

/// A seat card's call: Leptos's `Action`, whose value is its answer.
pub type SeatAction<I> = Action<I, SeatAnswer>;

/// Activates seats; every seat card refreshes once the call went through.
pub fn activate_action(corp_id: String) -> SeatAction<ActivateRequest> {
    let refresh = use_refresh();
    Action::new_local(move |request: &ActivateRequest| {
        let (corp, request) = (corp_id.clone(), request.clone());
        async move { refresh.after_ok(api::activate(&corp, &request).await) }
    })
}

/// Moves seats; every seat card refreshes once the call went through.
pub fn transfer_action(corp_id: String) -> SeatAction<TransferRequest> {
    let refresh = use_refresh();
    Action::new_local(move |request: &TransferRequest| {
        let (corp, request) = (corp_id.clone(), request.clone());
        async move { refresh.after_ok(api::transfer(&corp, &request).await) }
    })
}

/// Per-member outcomes of one action (its `value()`): the last answer, and
/// above it the error of a later call that failed.
#[component]
pub fn ResultList(answer: MappedSignal<Option<SeatAnswer>>) -> impl IntoView {
    let error = move || answer.with(|a| a.as_ref()?.as_ref().err().map(|e| e.message.clone()));
    let results =
        last_ok(move || answer.with(|a| Some(a.as_ref()?.as_ref().ok()?.results.clone())));
    view! {
        {move || error().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
        <ul class="results" data-testid="action-results">
            {move || results.get().into_iter().map(|r| {
                let who = match (&r.userid, &r.handover_userid, &r.takeover_userid) {
                    (Some(u), _, _) => u.clone(),
                    (None, Some(h), Some(t)) => format!("{h} → {t}"),
                    _ => String::new(),
                };
                let class = if r.ok { "ok" } else { "bad" };
                view! {
                    <li class=class data-code=r.code.clone().unwrap_or_default()>
                        <code>{who}</code> " "
                        {if r.ok {
                            view! {
                                <span>{tr(Text::Done)}
                                    {r.expires_at.map(|t| format!(" · {} ", date(t)))}
                                    {r.expires_at.map(|_| tr(Text::ExpiresAt))}
                                </span>
                            }.into_any()
                        } else {
                            // Our words for the rule when we know it; the
                            // server's full message (with WeCom's errcode) on hover.
                            let message = r.message.clone().unwrap_or_default();
                            let words = match r.code.as_deref().and_then(refusal) {
                                Some(t) => tr(t)().to_owned(),
                                None => message.clone(),
                            };
                            view! {
                                <span title=message>{words}
                                    {r.expires_at.map(|t| format!(" ({})", date(t)))}
                                    {r.available_at.map(|t| view! {
                                        " · " {tr(Text::AvailableAt)} " "
                                        <strong data-testid="available-at">{date(t)}</strong>
                                    })}
                                </span>
                            }.into_any()
                        }}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn ActivateCard(corp_id: String) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let seat_type = RwSignal::new(1u8);
    let action = activate_action(corp_id);
    let busy = action.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let userids = userids(&typed.get_untracked());
        if userids.is_empty() {
            return;
        }
        action.dispatch(ActivateRequest {
            userids,
            seat_type: seat_type.get_untracked(),
        });
    };
    view! {
        <section class="card" data-testid="activate-card">
            <h2>{tr(Text::Activate)}</h2>
            <form on:submit=submit>
                <label>{tr(Text::ActivateHint)}
                    <input data-testid="activate-userids" prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev))/>
                </label>
                <label>{tr(Text::SeatType)}
                    <select data-testid="activate-type"
                        on:change=move |ev| seat_type.set(event_target_value(&ev).parse().unwrap_or(1))>
                        <option value="1">{tr(Text::BaseAccount)}</option>
                        <option value="2">{tr(Text::InterconnectAccount)}</option>
                    </select>
                </label>
                <button class="primary" type="submit" data-testid="activate-submit" disabled=move || busy.get()>
                    {tr(Text::Submit)}
                </button>
            </form>
            <ResultList answer=action.value()/>
        </section>
    }
}

#[component]
pub fn TransferCard(corp_id: String) -> impl IntoView {
    let handover = RwSignal::new(String::new());
    let takeover = RwSignal::new(String::new());
    let action = transfer_action(corp_id);
    let busy = action.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pair = TransferPair {
            handover_userid: handover.get_untracked().trim().to_owned(),
            takeover_userid: takeover.get_untracked().trim().to_owned(),
        };
        if pair.handover_userid.is_empty() || pair.takeover_userid.is_empty() {
            return;
        }
        action.dispatch(TransferRequest {
            transfers: vec![pair],
        });
    };
    view! {
        <section class="card" data-testid="transfer-card">
            <h2>{tr(Text::Transfer)}</h2>
            <p class="muted">{tr(Text::TransferHint)}</p>
            <form on:submit=submit>
                <label>{tr(Text::Handover)}
                    <input data-testid="transfer-handover" prop:value=move || handover.get()
                        on:input=move |ev| handover.set(event_target_value(&ev))/>
                </label>
                <label>{tr(Text::Takeover)}
                    <input data-testid="transfer-takeover" prop:value=move || takeover.get()
                        on:input=move |ev| takeover.set(event_target_value(&ev))/>
                </label>
                <button class="primary" type="submit" data-testid="transfer-submit" disabled=move || busy.get()>
                    {tr(Text::Submit)}
                </button>
            </form>
            <ResultList answer=action.value()/>
        </section>
    }
}
