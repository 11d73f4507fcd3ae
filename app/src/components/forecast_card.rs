//! "What if I changed the range?": members and seats before the admin
//! changes the visible range in WeCom.

use crate::api;
use crate::components::last_ok::last_ok;
use crate::components::picker::{ids, Pick, PickFrom, Picker};
use crate::i18n::{tr, Text};
use domain::api::{ForecastRequest, MemberFilters};
use leptos::prelude::*;

/// Department ids from the picked ones (the picker takes only numbers).
fn party_ids(picked: Vec<Pick>) -> Vec<u64> {
    picked.iter().filter_map(|p| p.id.parse().ok()).collect()
}

#[component]
pub fn ForecastCard(corp_id: String) -> impl IntoView {
    let corp = StoredValue::new(corp_id.clone());
    let add_party = RwSignal::new(Vec::<Pick>::new());
    let remove_party = RwSignal::new(Vec::<Pick>::new());
    let add_user = RwSignal::new(Vec::<Pick>::new());
    let remove_user = RwSignal::new(Vec::<Pick>::new());
    let change = move || ForecastRequest {
        add_party: party_ids(add_party.get_untracked()),
        remove_party: party_ids(remove_party.get_untracked()),
        add_user: ids(add_user.get_untracked()),
        remove_user: ids(remove_user.get_untracked()),
    };
    // A refusal leaves the last estimate on screen.
    let estimate = Action::new_local(move |change: &ForecastRequest| {
        let (corp, change) = (corp.get_value(), change.clone());
        async move { api::forecast(&corp, &change).await.map_err(|e| e.message) }
    });
    let estimated = estimate.value();
    let error = move || estimated.with(|e| e.as_ref()?.as_ref().err().cloned());
    let answer =
        last_ok(move || estimated.with(|e| Some(Some(e.as_ref()?.as_ref().ok()?.clone()))));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        estimate.dispatch(change());
    };
    // Members out of range (they left it, or were never in it) may be
    // added; anyone in range may go. Departments and members WeCom has not
    // shown the app yet are taken as typed.
    let members = |in_range: &str| {
        PickFrom::Members(MemberFilters {
            in_range: Some(in_range.into()),
            ..MemberFilters::default()
        })
    };
    view! {
        <section class="card" data-testid="forecast-card">
            <h2>{tr(Text::Forecast)}</h2>
            <p class="muted">{tr(Text::ForecastHint)}</p>
            <form on:submit=submit>
                <Picker corp_id=corp_id.clone() from=PickFrom::Departments label=Text::AddParty chosen=add_party testid="forecast-add-party" typed_too=true/>
                <Picker corp_id=corp_id.clone() from=PickFrom::Departments label=Text::RemoveParty chosen=remove_party testid="forecast-remove-party"/>
                <Picker corp_id=corp_id.clone() from=members("false") label=Text::AddUser chosen=add_user testid="forecast-add-user" typed_too=true/>
                <Picker corp_id=corp_id from=members("true") label=Text::RemoveUser chosen=remove_user testid="forecast-remove-user"/>
                <button class="primary" type="submit" data-testid="forecast-submit">{tr(Text::Estimate)}</button>
            </form>
            {move || error().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
            {move || answer.get().map(|f| {
                let unseen: Vec<String> = f.unseen_parties.iter().map(u64::to_string)
                    .chain(f.unseen_users.iter().cloned()).collect();
                view! {
                    <ul class="checks" data-testid="forecast-result">
                        <li class="check"><span>{tr(Text::MembersInRange)}</span><strong>{f.members_now}</strong></li>
                        <li class="check"><span>{tr(Text::MembersAfter)}</span><strong data-testid="forecast-members-after">{f.members_after}</strong></li>
                        <li class="check"><span>{tr(Text::Joining)}</span><strong>{f.joining}</strong></li>
                        <li class="check"><span>{tr(Text::Leaving)}</span><strong>{f.leaving}</strong></li>
                        <li class="check"><span>{tr(Text::SeatsUnassigned)}</span><strong>{f.unassigned}</strong></li>
                        <li class="check"><span>{tr(Text::SeatsNeeded)}</span><strong data-testid="forecast-seats-needed">{f.seats_needed}</strong></li>
                        <li class="check"><span>{tr(Text::SeatsFreed)}</span><strong data-testid="forecast-seats-freed">{f.seats_freed}</strong></li>
                    </ul>
                    {(!f.exact).then(|| view! {
                        <div class="notice" data-testid="forecast-not-exact"><p>{tr(Text::NotExact)} {unseen.join(", ")}</p></div>
                    })}
                }
            })}
        </section>
    }
}
