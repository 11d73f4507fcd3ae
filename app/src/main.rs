//! The wecom-seats admin console: a Leptos CSR app served by the Worker.
//! The audit log (`/audit`), a member's own page (`/me`) and the
//! provider's desk (`/desk`) are binaries of their own (src/bin), each
//! loaded only where it is used.

// Shared with the `audit`, `me` and `desk` binaries, each using a part.
#[allow(dead_code)]
mod api;
#[allow(dead_code)]
mod components;
mod format;
#[allow(dead_code)]
mod i18n;
mod nav;
mod pages;
mod wecom_sdk;

use components::topbar::TopBar;
use leptos::prelude::*;

/// The paths the console draws; the audit log (`/audit`), a member's page
/// (`/me`) and the desk (`/desk`) are binaries of their own (src/bin).
const PAGES: &[&str] = &["/", "/login", "/members", "/seats"];

/// The page at a path (`nav` follows the browser's location).
fn page(path: &str) -> AnyView {
    match path {
        "/" => view! { <pages::overview::Overview/> }.into_any(),
        "/login" => view! { <pages::login::Login/> }.into_any(),
        "/members" => view! { <pages::members::Members/> }.into_any(),
        "/seats" => view! { <pages::seats::Seats/> }.into_any(),
        _ => view! { <pages::not_found::NotFound/> }.into_any(),
    }
}

#[component]
fn App() -> impl IntoView {
    i18n::provide_lang();
    nav::provide_place(PAGES);
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
