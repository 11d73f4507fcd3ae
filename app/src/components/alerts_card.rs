//! The alerts the admins get inside WeCom: each kind with its switch (for
//! admins who manage; saved as it is flipped), who receives them and who
//! cannot (outside the range, or without a seat once WeCom checks
//! licenses), and a link to the alerts sent in the audit log.

use crate::api;
use crate::components::open_data::MemberName;
use crate::i18n::{tr, Text};
use crate::nav::Link;
use domain::alerts::AlertKind;
use domain::api::{AlertRecipient, AlertSettings, AlertSwitch};
use leptos::prelude::*;

fn kind_text(kind: AlertKind) -> Text {
    match kind {
        AlertKind::TrialEnding => Text::AlertTrialEnding,
        AlertKind::SeatsOut => Text::AlertSeatsOut,
        AlertKind::SeatsExpiring => Text::AlertSeatsExpiring,
        AlertKind::Failing => Text::AlertFailing,
        AlertKind::SeatsMoved => Text::AlertSeatsMoved,
    }
}

/// Why an admin does or does not receive alerts.
fn reach_text(r: &AlertRecipient, licenses_checked: bool) -> (Text, &'static str) {
    match (r.in_range, r.reachable, r.seated) {
        (false, _, _) => (Text::AlertOutOfRange, "status bad"),
        (_, true, false) => (Text::NoSeatLater, "status warn"),
        (_, true, true) => (Text::AlertReachable, "status ok"),
        (_, false, _) if licenses_checked => (Text::NoSeatAfterTrial, "status bad"),
        _ => (Text::NoSeatLater, "status warn"),
    }
}

#[component]
pub fn AlertsCard(corp_id: String, may_manage: bool) -> impl IntoView {
    let corp = StoredValue::new(corp_id);
    let save = Action::new_local(move |off: &Vec<AlertKind>| {
        let body = AlertSettings { off: off.clone() };
        let corp = corp.get_value();
        async move { api::set_alerts(&corp, &body).await }
    });
    let shown = LocalResource::new(move || {
        save.version().track();
        let corp = corp.get_value();
        async move { api::alerts(&corp).await }
    });
    // The switch flipped: every kind now off but this one, or this one too.
    let flip = move |kinds: &[AlertSwitch], kind: AlertKind, on: bool| {
        let off: Vec<AlertKind> = kinds
            .iter()
            .filter(|k| if k.kind == kind { !on } else { !k.on })
            .map(|k| k.kind)
            .collect();
        save.dispatch(off);
    };
    view! {
        <section class="card alerts" data-testid="alerts-card">
            <h2>{tr(Text::AlertsTitle)}</h2>
            <p class="muted">{tr(Text::AlertsHint)}</p>
            {move || match shown.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad">{e.message}</p> }.into_any(),
                Some(Ok(a)) => {
                    let kinds = StoredValue::new(a.kinds.clone());
                    let checked = a.licenses_checked;
                    view! {
                        <ul class="checks">
                            {a.kinds.iter().map(|k| {
                                let kind = k.kind;
                                view! {
                                    <li><label class="inline">
                                        <input type="checkbox" data-testid=format!("alert-{}", kind.as_str())
                                            disabled=!may_manage || save.pending().get_untracked()
                                            prop:checked=k.on
                                            on:change=move |ev| kinds.with_value(|ks| flip(ks, kind, event_target_checked(&ev)))/>
                                        {tr(kind_text(kind))}
                                    </label></li>
                                }
                            }).collect_view()}
                        </ul>
                        <h3>{tr(Text::AlertsTo)}</h3>
                        {a.recipients.is_empty().then(|| view! { <p class="muted">{tr(Text::NoAlertAdmins)}</p> })}
                        <ul class="results" data-testid="alert-recipients">
                            {a.recipients.into_iter().map(|r| {
                                let (why, class) = reach_text(&r, checked);
                                view! {
                                    <li data-userid=r.userid.clone() data-reachable=r.reachable.to_string()>
                                        <MemberName userid=r.userid.clone() name=String::new()/>
                                        " · " <span class=class>{tr(why)}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="status bad" role="alert">{e.message}</p> })}
            <Link href="/audit?action=alert_sent">{tr(Text::AlertsSent)}</Link>
        </section>
    }
}
