//! The wecom-seats admin console: a Leptos CSR app served by the Worker.
//! A member's own page (`/me`) is a binary of its own (src/bin/me), the
//! provider's desk (`/desk`) another (src/bin/desk).

// Shared with the `me` and `desk` binaries, each of which uses a part.
#[allow(dead_code)]
mod api;
mod components;
mod format;
#[allow(dead_code)]
mod i18n;
mod nav;
mod pages;
mod wecom_sdk;

use components::topbar::TopBar;
use leptos::prelude::*;

/// The page at a path (`nav` follows the browser's location).
fn page(path: &str) -> AnyView {
    match path {
        "/" => view! { <pages::overview::Overview/> }.into_any(),
        "/login" => view! { <pages::login::Login/> }.into_any(),
        "/members" => view! { <pages::members::Members/> }.into_any(),
        "/seats" => view! { <pages::seats::Seats/> }.into_any(),
        "/audit" => view! { <pages::audit::Audit/> }.into_any(),
        _ => view! { <pages::not_found::NotFound/> }.into_any(),
    }
}

#[component]
fn App() -> impl IntoView {
    i18n::provide_lang();
    nav::provide_place();
    components::session::provide_session();
    // A new page only when the path changes, not its query (a page keeps
    // its filters in the URL as they change).
    let path = Memo::new(move |_| nav::path().get());
    view! {
        <TopBar/>
        <main class="page">{move || page(&path.get())}</main>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
