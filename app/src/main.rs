//! The wecom-seats admin console: a Leptos CSR app served by the Worker.

mod api;
mod components;
mod format;
mod i18n;
mod pages;
mod wecom_sdk;

use components::topbar::TopBar;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

#[component]
fn App() -> impl IntoView {
    i18n::provide_lang();
    view! {
        <Router>
            <TopBar/>
            <main class="page">
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::overview::Overview/>
                    <Route path=path!("/login") view=pages::login::Login/>
                    <Route path=path!("/me") view=pages::me::MePage/>
                    <Route path=path!("/members") view=pages::members::Members/>
                    <Route path=path!("/seats") view=pages::seats::Seats/>
                    <Route path=path!("/audit") view=pages::audit::Audit/>
                </Routes>
            </main>
        </Router>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
