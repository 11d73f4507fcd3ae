//! Sign-in: WeCom's QR login (`/auth/login`, the Worker sends the browser
//! to WeCom — locally to sim's QR page) and, below it, the development
//! login (`DEV_LOGIN=1` only; scripts use it too).

use crate::api;
use crate::i18n::{tr, Text};
use domain::api::DevLogin;
use leptos::prelude::*;

#[component]
pub fn Login() -> impl IntoView {
    let corp_id = RwSignal::new(String::from("wwdemo01"));
    let userid = RwSignal::new(String::from("admin"));
    let disabled_text = tr(Text::DevLoginDisabled);
    // Signs in, or says why not in words.
    let sign_in = Action::new_local(move |login: &DevLogin| {
        let login = login.clone();
        async move {
            match api::dev_login(&login).await {
                // A full load so every part of the page sees the new session.
                Ok(_) => {
                    let _ = window().location().set_href("/");
                    Ok(())
                }
                Err(e) if e.status == 404 => Err(disabled_text().to_owned()),
                Err(e) => Err(e.message),
            }
        }
    });
    let answer = sign_in.value();
    let error = move || answer.with(|a| a.as_ref()?.as_ref().err().cloned());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sign_in.dispatch(DevLogin {
            corp_id: corp_id.get_untracked(),
            userid: userid.get_untracked(),
        });
    };
    view! {
        <section class="card narrow">
            <h2>{tr(Text::SignIn)}</h2>
            <p class="muted">{tr(Text::QrSignInHint)}</p>
            <p><a class="button primary" href="/auth/login" rel="external" data-testid="qr-login">{tr(Text::QrSignIn)}</a></p>
        </section>
        <section class="card narrow">
            <h3>{tr(Text::DevSignInTitle)}</h3>
            <p class="muted">{tr(Text::SignInHint)}</p>
            <form on:submit=submit>
                <label>{tr(Text::CorpId)}
                    <input name="corp_id" bind:value=corp_id/>
                </label>
                <label>{tr(Text::UserId)}
                    <input name="userid" bind:value=userid/>
                </label>
                <button type="submit" class="primary">{tr(Text::SignIn)}</button>
            </form>
            {move || error().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
        </section>
    }
}
