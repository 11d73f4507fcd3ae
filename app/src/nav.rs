//! Moving between the console's pages without reloading: the path and
//! query as signals, links that push history, and the back button. A few
//! dozen lines in place of a router crate, whose generic code cost the
//! console about a tenth of its wasm.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// Where the browser is: the path, and the query (with its `?`); and the
/// paths this binary draws (the console, the audit log and a member's page
/// are binaries of their own: a link to another's path loads it).
#[derive(Debug, Clone, Copy)]
struct Place {
    path: RwSignal<String>,
    search: RwSignal<String>,
    own: &'static [&'static str],
}

fn read_location() -> (String, String) {
    let location = window().location();
    (
        location.pathname().unwrap_or_else(|_| "/".into()),
        location.search().unwrap_or_default(),
    )
}

/// Starts following the browser's location (once, at the top); `own`:
/// the paths this binary draws.
pub fn provide_place(own: &'static [&'static str]) {
    let (path, search) = read_location();
    let place = Place {
        path: RwSignal::new(path),
        search: RwSignal::new(search),
        own,
    };
    provide_context(place);
    // The back and forward buttons.
    let handle = window_event_listener(leptos::ev::popstate, move |_| {
        let (path, search) = read_location();
        place.path.set(path);
        place.search.set(search);
    });
    on_cleanup(move || handle.remove());
}

fn place() -> Place {
    expect_context::<Place>()
}

/// The current path, as a signal.
pub fn path() -> Signal<String> {
    place().path.into()
}

/// One value of the current query, read once (a page's starting filters).
pub fn query_param(name: &str) -> Option<String> {
    let search = place().search.get_untracked();
    serde_urlencoded::from_str::<Vec<(String, String)>>(search.trim_start_matches('?'))
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Goes to `url` (a path with its query) within the console: a new history
/// entry, or in place of the current one when `replace` (a page keeping
/// its filters in the URL).
pub fn navigate(url: &str, replace: bool) {
    if let Ok(history) = window().history() {
        let _ = if replace {
            history.replace_state_with_url(&JsValue::NULL, "", Some(url))
        } else {
            history.push_state_with_url(&JsValue::NULL, "", Some(url))
        };
    }
    let (path, search) = url
        .split_once('?')
        .map_or((url, String::new()), |(p, q)| (p, format!("?{q}")));
    let place = place();
    if place.path.get_untracked() != path {
        place.path.set(path.to_owned());
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
    if place.search.get_untracked() != search {
        place.search.set(search);
    }
}

/// A link to a console page: a plain `<a>` (a new tab, a copied link and a
/// modified click work as ever), whose ordinary click moves without a
/// reload to a page this binary draws (and loads any other). The current
/// page's link carries `aria-current="page"`.
#[component]
pub fn Link(
    href: &'static str,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] testid: &'static str,
    children: Children,
) -> impl IntoView {
    let here = path();
    let target = href.split(['?', '#']).next().unwrap_or(href);
    let current = move || (here.get() == target).then_some("page");
    let drawn_here = place().own.contains(&target);
    let click = move |ev: leptos::ev::MouseEvent| {
        let plain =
            ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key());
        if plain && drawn_here {
            ev.prevent_default();
            navigate(href, false);
        }
    };
    view! {
        <a href=href class=(!class.is_empty()).then_some(class) data-testid=(!testid.is_empty()).then_some(testid)
            aria-current=current on:click=click>{children()}</a>
    }
}
