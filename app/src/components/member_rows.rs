//! The members list as a window onto the server's: pages of 500 are read
//! as the list scrolls towards them, and only the rows on screen (and a
//! few either side) are in the page, so 50 000 members scroll as 50 do.
//! The rows sit in a real table (a header for every cell); spacing above
//! and below stands in for the rows not drawn.

use crate::api;
use crate::components::open_data::{DepartmentName, MemberName};
use crate::format::date;
use crate::i18n::{tr, use_lang, Lang, Text};
use domain::api::{MemberFilters, MemberItem, MemberQuery, Status};
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};

/// A row's height in pixels (`style/app.css` `.vlist tr`): fixed, so the
/// row at any scroll position is known without drawing those above.
const ROW_PX: f64 = 56.0;
/// Rows drawn beyond the visible ones, either side.
const OVERSCAN: usize = 12;
/// Rows a request asks for (the members route's most)...
const PAGE: &str = "500";
/// ...but the first asks for a screen's worth and a little more, so the
/// first rows show sooner.
const FIRST_PAGE: &str = "60";
/// Read the next page once the screen is this many rows from the end of
/// what has been read.
const READ_AHEAD: usize = 200;

/// The members an admin picked, or "every one the filters match".
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    pub picked: RwSignal<HashSet<String>>,
    pub all_matching: RwSignal<bool>,
    /// How many the filters match (the list's total).
    pub matching: RwSignal<u64>,
}

impl Selection {
    pub fn new() -> Selection {
        Selection {
            picked: RwSignal::new(HashSet::new()),
            all_matching: RwSignal::new(false),
            matching: RwSignal::new(0),
        }
    }

    pub fn clear(self) {
        self.picked.set(HashSet::new());
        self.all_matching.set(false);
    }

    /// How many members the selection holds.
    pub fn count(self) -> u64 {
        if self.all_matching.get() {
            self.matching.get()
        } else {
            self.picked.with(|p| p.len() as u64)
        }
    }
}

/// The slice of rows to draw for a scroll position: `(first, end)`.
fn window_of(scroll_top: f64, height: f64, total: usize) -> (usize, usize) {
    let first = ((scroll_top / ROW_PX) as usize).saturating_sub(OVERSCAN);
    let end = (((scroll_top + height) / ROW_PX).ceil() as usize + OVERSCAN).min(total);
    (first.min(end), end)
}

#[component]
pub fn MemberRows(
    corp_id: String,
    filters: Signal<MemberFilters>,
    /// Bumped after an action changed members' seats: read again.
    reloads: Signal<u32>,
    names: LocalResource<HashMap<u64, String>>,
    selection: Option<Selection>,
) -> impl IntoView {
    let lang = use_lang();
    let corp = StoredValue::new(corp_id);
    let items = RwSignal::new(Vec::<MemberItem>::new());
    let total = RwSignal::new(0u64);
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let loaded_once = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // Answers to an older view are dropped.
    let generation = StoredValue::new(0u64);
    let read = move |cursor: Option<String>| {
        let query = MemberQuery {
            filters: filters.get_untracked(),
            limit: Some(if cursor.is_none() { FIRST_PAGE } else { PAGE }.to_owned()),
            cursor: cursor.clone(),
        };
        let mine = generation.get_value();
        loading.set(true);
        leptos::task::spawn_local(async move {
            let page = api::members(&corp.get_value(), &query).await;
            if generation.get_value() != mine {
                return;
            }
            loading.set(false);
            match page {
                Ok(page) => {
                    error.set(None);
                    total.set(page.total);
                    next.set(page.next_cursor);
                    items.update(|v| {
                        if cursor.is_none() {
                            v.clear();
                        }
                        v.extend(page.items);
                    });
                    loaded_once.set(true);
                    if let Some(s) = selection {
                        s.matching.set(page.total);
                    }
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    // A new view (or an action's reload) starts again from the top.
    let scroller = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        filters.track();
        reloads.track();
        generation.update_value(|g| *g += 1);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
        read(None);
    });
    let scroll_top = RwSignal::new(0.0);
    let height = RwSignal::new(640.0);
    Effect::new(move |_| {
        if let Some(el) = scroller.get() {
            height.set(f64::from(el.client_height().max(1)));
        }
    });
    let shown = Memo::new(move |_| window_of(scroll_top.get(), height.get(), total.get() as usize));
    // Read ahead of the screen.
    Effect::new(move |_| {
        let (_, end) = shown.get();
        let have = items.with(Vec::len);
        if !loading.get() && end + READ_AHEAD > have {
            if let Some(cursor) = next.get() {
                read(Some(cursor));
            }
        }
    });
    let rows = move || {
        let (first, end) = shown.get();
        items.with(|v| {
            v.get(first..end.min(v.len()))
                .map(<[_]>::to_vec)
                .unwrap_or_default()
        })
    };
    // Heights set through the CSSOM, which the CSP's `style-src 'self'`
    // allows, unlike a `style` attribute.
    let above = NodeRef::<leptos::html::Div>::new();
    let below = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let (first, end) = shown.get();
        let drawn_to = end.min(items.with(Vec::len));
        let after = (total.get() as usize).saturating_sub(drawn_to);
        for (spacer, rows) in [(above, first), (below, after)] {
            if let Some(el) = spacer.get() {
                let _ = web_sys::HtmlElement::style(&el)
                    .set_property("height", &format!("{}px", rows * ROW_PX as usize));
            }
        }
    });
    let advice = move || {
        if lang.get() == Lang::Zh {
            domain::range::NO_DEPARTMENT_ADVICE_ZH
        } else {
            domain::range::NO_DEPARTMENT_ADVICE_EN
        }
    };
    let row = move |m: MemberItem| {
        let userid = m.userid.clone();
        let departments = match m.department_ids.clone() {
            Some(ids) => (move || names.with(|n| ids.iter().enumerate()
                .map(|(i, id)| {
                    let name = n.as_ref().and_then(|n| n.get(id)).cloned().unwrap_or_default();
                    view! { {(i > 0).then_some(", ")}<DepartmentName id=*id name=name/> }
                })
                .collect_view())).into_any(),
            None => view! {
                <span class="badge warn" tabindex="0" title=advice aria-label=move || format!("{}: {}", tr(Text::NoDepartmentInfo)(), advice())>
                    {tr(Text::NoDepartmentInfo)}
                </span>
            }.into_any(),
        };
        let seat = match &m.seat {
            Some(s) => {
                let kind = if s.seat_type == 2 {
                    Text::InterconnectAccount
                } else {
                    Text::BaseAccount
                };
                let until = date(s.expires_at);
                view! { <span class="seat ok">{tr(kind)} " · " {tr(Text::ValidUntil)} " " {until}</span> }.into_any()
            }
            None => view! { <span class="seat muted">{tr(Text::NoSeat)}</span> }.into_any(),
        };
        let standing = match (m.status, m.in_range) {
            (Status::Departed, _) => Some(Text::Departed),
            (_, false) => Some(Text::OutOfRange),
            _ => None,
        };
        let pick = selection.map(|s| {
            let id = userid.clone();
            let id2 = userid.clone();
            let label = userid.clone();
            view! {
                <td class="pick"><input type="checkbox" aria-label=move || format!("{} {label}", tr(Text::Select)())
                    prop:checked=move || s.all_matching.get() || s.picked.with(|p| p.contains(&id))
                    prop:disabled=move || s.all_matching.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        s.picked.update(|p| { if on { p.insert(id2.clone()); } else { p.remove(&id2); } });
                    }/></td>
            }
        });
        view! {
            <tr data-userid=userid.clone()>
                {pick}
                <td class="who"><MemberName userid=userid.clone() name=m.name.clone()/>
                    {standing.map(|t| view! { " " <span class="badge">{tr(t)}</span> })}</td>
                <td class="depts">{departments}</td>
                <td class="seatcell">{seat}</td>
            </tr>
        }
    };
    view! {
        {move || error.get().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
        <p class="muted count">
            <span data-testid="total-count">{move || total.get()}</span> " " {tr(Text::MembersMatch)}
            {move || loading.get().then(|| view! { " · " {tr(Text::Loading)} })}
        </p>
        <div class="vlist" node_ref=scroller tabindex="0" role="region" aria-label=move || tr(Text::NavMembers)()
            data-testid="members-scroller"
            on:scroll=move |_| if let Some(el) = scroller.get_untracked() { scroll_top.set(f64::from(el.scroll_top())) }>
            <div node_ref=above></div>
            <table class="members" data-testid="members-table">
                <thead><tr>
                    {selection.map(|_| view! { <th scope="col" class="pick"><span class="sr-only">{tr(Text::Select)}</span></th> })}
                    <th scope="col">{tr(Text::NameCol)}</th>
                    <th scope="col">{tr(Text::DepartmentsCol)}</th>
                    <th scope="col">{tr(Text::SeatCol)}</th>
                </tr></thead>
                <tbody>
                    <For each=rows key=|m| (m.userid.clone(), m.seat.as_ref().map(|s| s.expires_at)) children=row/>
                </tbody>
            </table>
            <div node_ref=below></div>
        </div>
        {move || (loaded_once.get() && total.get() == 0).then(|| view! { <p class="muted">{tr(Text::NoMembers)}</p> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_covers_the_screen_and_a_few_rows_either_side() {
        // At the top: the screen's rows and the overscan below.
        assert_eq!(window_of(0.0, 560.0, 50_000), (0, 10 + OVERSCAN));
        // Far down, the same number of rows around the screen.
        let (first, end) = window_of(560.0 * 1000.0, 560.0, 50_000);
        assert_eq!((first, end), (10_000 - OVERSCAN, 10_010 + OVERSCAN));
        // Never past the list.
        assert_eq!(window_of(0.0, 560.0, 5), (0, 5));
        assert_eq!(window_of(1e9, 560.0, 5), (5, 5));
    }
}
