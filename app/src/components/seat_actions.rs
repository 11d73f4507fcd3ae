//! Activate seats for members, or move one member's seat to another: each
//! call is a Leptos `Action` that refreshes every seat card once it went
//! through, and its answer lists every member's outcome with WeCom's rule
//! in plain words.

use crate::api;
use crate::api::ApiFailure;
use crate::components::last_ok::last_ok;
use crate::components::picker::{ids, Pick, PickFrom, Picker};
use crate::components::refresh::use_refresh;
use crate::format::date;
use crate::i18n::{refusal, tr, Text};
use domain::api::{
    ActionResult, ActionResults, ActivateRequest, MemberFilters, TransferPair, TransferRequest,
};
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

/// Our words for a refusal's rule when we know it, else the server's
/// message (which, with WeCom's errcode, a title shows on hover).
pub fn refusal_words(r: &ActionResult) -> String {
    match r.code.as_deref().and_then(refusal) {
        Some(t) => tr(t)().to_owned(),
        None => r.message.clone().or(r.code.clone()).unwrap_or_default(),
    }
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
                            view! {
                                <span title=r.message.clone().unwrap_or_default()>{refusal_words(&r)}
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

/// Seats are activated from the members list, where any filter finds
/// the members (one, the picked ones, or every match) and the outcome is
/// counted: this card leads there, to those in range without a seat.
#[component]
pub fn ActivateCard() -> impl IntoView {
    view! {
        <section class="card" data-testid="activate-card">
            <h2>{tr(Text::Activate)}</h2>
            <p class="muted">{tr(Text::ActivateHint)}</p>
            <a class="button" data-testid="activate-link"
                href="/members?in_range=true&status=active&licensed=false">{tr(Text::ChooseMembers)}</a>
        </section>
    }
}

/// Members in range without a seat: who may take one over.
fn takers() -> PickFrom {
    PickFrom::Members(MemberFilters {
        status: Some("active".into()),
        in_range: Some("true".into()),
        licensed: Some("false".into()),
        ..MemberFilters::default()
    })
}

#[component]
pub fn TransferCard(corp_id: String) -> impl IntoView {
    let handover = RwSignal::new(Vec::<Pick>::new());
    let takeover = RwSignal::new(Vec::<Pick>::new());
    let action = transfer_action(corp_id.clone());
    let busy = action.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(from), Some(to)) = (
            ids(handover.get_untracked()).pop(),
            ids(takeover.get_untracked()).pop(),
        ) else {
            return;
        };
        action.dispatch(TransferRequest {
            transfers: vec![TransferPair {
                handover_userid: from,
                takeover_userid: to,
            }],
        });
    };
    // Any member who holds a seat may hand it over: one who left, or who
    // is out of range, too (WeCom moves those at once).
    let holders = PickFrom::Members(MemberFilters {
        licensed: Some("true".into()),
        ..MemberFilters::default()
    });
    view! {
        <section class="card" data-testid="transfer-card">
            <h2>{tr(Text::Transfer)}</h2>
            <p class="muted">{tr(Text::TransferHint)}</p>
            <form on:submit=submit>
                <Picker corp_id=corp_id.clone() from=holders label=Text::Handover chosen=handover testid="transfer-handover" one=true/>
                <Picker corp_id=corp_id from=takers() label=Text::Takeover chosen=takeover testid="transfer-takeover" one=true/>
                <button class="primary" type="submit" data-testid="transfer-submit"
                    disabled=move || busy.get() || handover.with(Vec::is_empty) || takeover.with(Vec::is_empty)>
                    {tr(Text::Submit)}
                </button>
            </form>
            <ResultList answer=action.value()/>
        </section>
    }
}
