//! The provider's desk (`desk.wasm`, served at `/desk`): every installed
//! organisation at a glance for the provider's operators, and one
//! organisation's seats and orders read-only. A binary of its own, so the
//! admins' console carries none of it; it shares the console's modules by
//! path and uses a part of them (hence `dead_code` allowed here only).
#![allow(dead_code)]

#[path = "../../api.rs"]
mod api;
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

mod multi;
mod order;
mod org;
mod page;
mod renew;
mod table;
mod texts;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(page::Desk);
}
