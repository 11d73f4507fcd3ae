//! "What if I changed the range?": members and seats before the admin
//! changes the visible range in WeCom.

use crate::api;
use crate::components::last_ok::last_ok;
use crate::format::{party_ids, userids};
use crate::i18n::{tr, Text};
use domain::api::ForecastRequest;
use leptos::prelude::*;

#[component]
pub fn ForecastCard(corp_id: String) -> impl IntoView {
    let corp = StoredValue::new(corp_id);
    let add_party = RwSignal::new(String::new());
    let remove_party = RwSignal::new(String::new());
    let add_user = RwSignal::new(String::new());
    let remove_user = RwSignal::new(String::new());
    // What the admin typed, or the words that are not department ids.
    let change = move || -> Result<ForecastRequest, String> {
        let parties = |typed: RwSignal<String>| {
            party_ids(&typed.get_untracked())
                .map_err(|word| format!("{}{word}", tr(Text::DeptIdsOnly)()))
        };
        Ok(ForecastRequest {
            add_party: parties(add_party)?,
            remove_party: parties(remove_party)?,
            add_user: userids(&add_user.get_untracked()),
            remove_user: userids(&remove_user.get_untracked()),
        })
    };
    // A typing mistake is refused where the server's refusal would show,
    // and like it leaves the last estimate on screen.
    let estimate = Action::new_local(move |change: &Result<ForecastRequest, String>| {
        let (corp, change) = (corp.get_value(), change.clone());
        async move { api::forecast(&corp, &change?).await.map_err(|e| e.message) }
    });
    let estimated = estimate.value();
    let error = move || estimated.with(|e| e.as_ref()?.as_ref().err().cloned());
    let answer =
        last_ok(move || estimated.with(|e| Some(Some(e.as_ref()?.as_ref().ok()?.clone()))));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        estimate.dispatch(change());
    };
    let field = |label: Text, value: RwSignal<String>, id: &'static str| {
        view! {
            <label>{tr(label)}
                <input data-testid=id prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <section class="card" data-testid="forecast-card">
            <h2>{tr(Text::Forecast)}</h2>
            <p class="muted">{tr(Text::ForecastHint)}</p>
            <form on:submit=submit>
                {field(Text::AddParty, add_party, "forecast-add-party")}
                {field(Text::RemoveParty, remove_party, "forecast-remove-party")}
                {field(Text::AddUser, add_user, "forecast-add-user")}
                {field(Text::RemoveUser, remove_user, "forecast-remove-user")}
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
