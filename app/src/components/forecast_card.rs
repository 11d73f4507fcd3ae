//! "What if I changed the range?": members and seats before the admin
//! changes the visible range in WeCom.

use crate::api;
use crate::format::{party_ids, userids};
use crate::i18n::{tr, Text};
use domain::api::{Forecast, ForecastRequest};
use leptos::prelude::*;

#[component]
pub fn ForecastCard(corp_id: String) -> impl IntoView {
    let corp = StoredValue::new(corp_id);
    let add_party = RwSignal::new(String::new());
    let remove_party = RwSignal::new(String::new());
    let add_user = RwSignal::new(String::new());
    let remove_user = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Forecast>);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parties = party_ids(&add_party.get_untracked())
            .and_then(|add| Ok((add, party_ids(&remove_party.get_untracked())?)));
        let (add, remove) = match parties {
            Ok(p) => p,
            Err(word) => {
                error.set(Some(format!("{}{word}", tr(Text::DeptIdsOnly)())));
                return;
            }
        };
        let change = ForecastRequest {
            add_party: add,
            remove_party: remove,
            add_user: userids(&add_user.get_untracked()),
            remove_user: userids(&remove_user.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            match api::forecast(&corp.get_value(), &change).await {
                Ok(f) => {
                    error.set(None);
                    answer.set(Some(f));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
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
            {move || error.get().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
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
