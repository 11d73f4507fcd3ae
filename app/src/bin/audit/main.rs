//! The audit log (`audit.wasm`, served at `/audit`): a binary of its own,
//! so the console's pages carry none of it (about 18 KB of gzipped wasm)
//! and it loads when an admin opens the log. It shares the console's
//! modules by path and uses a part of them (hence `dead_code` allowed here
//! only); its bar's links load the console's pages.
#![allow(dead_code)]

#[path = "../../api.rs"]
mod api;
#[path = "../../pages/audit.rs"]
mod audit;
#[path = "../../components/mod.rs"]
mod components;
#[path = "../../format.rs"]
mod format;
#[path = "../../i18n.rs"]
mod i18n;
#[path = "../../nav.rs"]
mod nav;
#[path = "../../wecom_sdk.rs"]
mod wecom_sdk;

use components::topbar::TopBar;
use leptos::prelude::*;

#[component]
fn AuditApp() -> impl IntoView {
    i18n::provide_lang();
    nav::provide_place(&["/audit"]);
    components::session::provide_session();
    view! {
        <TopBar/>
        <main class="page"><audit::Audit/></main>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(AuditApp);
}
