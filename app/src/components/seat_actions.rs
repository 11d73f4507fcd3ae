//! Activate seats for members, or move one member's seat to another; each
//! answer lists every member's outcome with WeCom's rule in plain words.

use crate::api;
use crate::api::ApiFailure;
use crate::components::refresh::{use_refresh, Refresh};
use crate::format::{date, userids};
use crate::i18n::{refusal, tr, Text};
use domain::api::{ActionResult, ActivateRequest, TransferPair, TransferRequest};
use leptos::prelude::*;
use std::future::Future;

/// One card's seat action: its per-member results, its error, and whether
/// it is running. Every card runs its calls the same way.
#[derive(Clone, Copy)]
pub struct Action {
    results: RwSignal<Vec<ActionResult>>,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    refresh: Refresh,
}

impl Action {
    pub fn new() -> Action {
        Action {
            results: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
            refresh: use_refresh(),
        }
    }

    /// Runs the call, shows its results, and refreshes every seat card.
    pub fn run(self, call: impl Future<Output = Result<Vec<ActionResult>, ApiFailure>> + 'static) {
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(r) => {
                    self.error.set(None);
                    self.results.set(r);
                    self.refresh.bump();
                }
                Err(e) => self.error.set(Some(e.message)),
            }
            self.busy.set(false);
        });
    }

    pub fn busy(self) -> bool {
        self.busy.get()
    }
}

/// Per-member outcomes of one action.
#[component]
pub fn ResultList(action: Action) -> impl IntoView {
    let Action { results, error, .. } = action;
    view! {
        {move || error.get().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
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
    let corp = StoredValue::new(corp_id);
    let typed = RwSignal::new(String::new());
    let seat_type = RwSignal::new(1u8);
    let action = Action::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let ids = userids(&typed.get_untracked());
        if ids.is_empty() {
            return;
        }
        let (corp, t) = (corp.get_value(), seat_type.get_untracked());
        let request = ActivateRequest {
            userids: ids,
            seat_type: t,
        };
        action.run(async move { api::activate(&corp, &request).await.map(|a| a.results) });
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
                <button class="primary" type="submit" data-testid="activate-submit" disabled=move || action.busy()>
                    {tr(Text::Submit)}
                </button>
            </form>
            <ResultList action/>
        </section>
    }
}

#[component]
pub fn TransferCard(corp_id: String) -> impl IntoView {
    let corp = StoredValue::new(corp_id);
    let handover = RwSignal::new(String::new());
    let takeover = RwSignal::new(String::new());
    let action = Action::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pair = TransferPair {
            handover_userid: handover.get_untracked().trim().to_owned(),
            takeover_userid: takeover.get_untracked().trim().to_owned(),
        };
        if pair.handover_userid.is_empty() || pair.takeover_userid.is_empty() {
            return;
        }
        let corp = corp.get_value();
        let request = TransferRequest {
            transfers: vec![pair],
        };
        action.run(async move { api::transfer(&corp, &request).await.map(|a| a.results) });
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
                <button class="primary" type="submit" data-testid="transfer-submit" disabled=move || action.busy()>
                    {tr(Text::Submit)}
                </button>
            </form>
            <ResultList action/>
        </section>
    }
}
