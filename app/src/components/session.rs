//! Pages that need a signed-in admin: fetch the session once and hand the
//! organisation id (and whether WeCom lets the admin manage) down, or point
//! to sign-in.

use crate::api;
use crate::i18n::{tr, Text};
use crate::nav::Link;
use domain::api::SessionInfo;
use leptos::prelude::*;

/// Who is signed in, asked once per page load and shared by the bar and
/// the page (each used to ask on its own: two requests, two D1 reads);
/// signing out asks again.
#[derive(Clone, Copy)]
pub struct SignedIn(pub LocalResource<Result<SessionInfo, api::ApiFailure>>);

pub fn provide_session() {
    provide_context(SignedIn(LocalResource::new(api::session)));
}

/// The session for a page being drawn: the first page since the page
/// loaded takes the answer the bar shares (asked beside the wasm); every
/// page after asks on its own, so a session WeCom or an admin ended shows
/// as ended on the next click.
pub fn page_session() -> LocalResource<Result<SessionInfo, api::ApiFailure>> {
    if FIRST_PAGE.swap(false, std::sync::atomic::Ordering::Relaxed) {
        use_session()
    } else {
        LocalResource::new(api::session)
    }
}

/// Whether the page being drawn is the first since the page loaded.
static FIRST_PAGE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

pub fn use_session() -> LocalResource<Result<SessionInfo, api::ApiFailure>> {
    expect_context::<SignedIn>().0
}

#[component]
pub fn WithSession<F, V>(children: F) -> impl IntoView
where
    F: Fn(SessionInfo) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = page_session();
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
