//! Pages that need a signed-in admin: fetch the session once and hand the
//! organisation id (and whether WeCom lets the admin manage) down, or point
//! to sign-in.

use crate::api;
use crate::i18n::{tr, Text};
use crate::nav::Link;
use domain::api::SessionInfo;
use leptos::prelude::*;

#[component]
pub fn WithSession<F, V>(children: F) -> impl IntoView
where
    F: Fn(SessionInfo) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = LocalResource::new(api::session);
    view! {
        {move || match session.get() {
            None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
            Some(Err(_)) => view! {
                <section class="card narrow">
                    <p>{tr(Text::SignInFirst)}</p>
                    <Link href="/login">{tr(Text::SignIn)}</Link>
                </section>
            }.into_any(),
            Some(Ok(s)) => {
                crate::wecom_sdk::start(s.corp_id.clone());
                children(s).into_any()
            }
        }}
    }
}

/// Says why the action buttons are missing: WeCom gave this admin no
/// management permission for the app.
#[component]
pub fn ReadOnlyNotice() -> impl IntoView {
    view! {
        <div class="notice" data-testid="read-only">
            <p>{tr(Text::ReadOnly)}</p>
        </div>
    }
}
