//! Members of the organisation, for 50 000 of them: searched, filtered and
//! counted on the server, the department tree beside the list (a drawer
//! on a phone), the whole view in the URL, only the rows on screen in the
//! page (`components::member_rows`), and seats activated for a selection
//! or for every member the filters match.

use crate::api;
use crate::components::bulk_activate::BulkActivate;
use crate::components::department_tree::DepartmentTree;
use crate::components::member_rows::{MemberRows, Selection};
use crate::components::session::WithSession;
use crate::format::given;
use crate::i18n::{tr, Text};
use crate::nav::{navigate, query_param};
use domain::api::MemberFilters;
use leptos::prelude::*;
use std::collections::HashMap;

#[component]
pub fn Members() -> impl IntoView {
    view! { <WithSession children=|s| view! { <MemberList corp_id=s.corp_id may_manage=s.may_manage/> }/> }
}

/// Department names by id, from the tree; none when it did not load (the
/// ids are shown then).
async fn department_names(corp_id: &str) -> HashMap<u64, String> {
    let mut names = HashMap::new();
    let mut stack = api::departments(corp_id).await.unwrap_or_default();
    while let Some(d) = stack.pop() {
        names.insert(d.id, d.name);
        stack.extend(d.children);
    }
    names
}

/// The list's view: every filter, as the URL and the members route
/// spell it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct View {
    pub q: String,
    pub status: String,
    pub in_range: String,
    pub licensed: String,
    pub seat_type: String,
    pub department_id: String,
    pub without_department: bool,
}

impl View {
    /// The view a URL's query describes (a link reproduces the view).
    fn from_url() -> View {
        let get = |name: &str| query_param(name).unwrap_or_default();
        View {
            q: get("q"),
            status: get("status"),
            // In range unless the link says otherwise (`in_range=` is any).
            in_range: query_param("in_range").unwrap_or_else(|| "true".into()),
            licensed: get("licensed"),
            seat_type: get("seat_type"),
            department_id: get("department_id"),
            without_department: get("department_known") == "false",
        }
    }

    /// The members route's filters.
    pub fn filters(&self) -> MemberFilters {
        let department = given(self.department_id.clone());
        MemberFilters {
            q: given(self.q.clone()),
            status: given(self.status.clone()),
            in_range: given(self.in_range.clone()),
            department_known: self.without_department.then(|| "false".to_owned()),
            sub_departments: department.as_ref().map(|_| "true".to_owned()),
            department_id: department,
            licensed: given(self.licensed.clone()),
            seat_type: given(self.seat_type.clone()),
        }
    }

    /// The page's URL for this view.
    fn url(&self) -> String {
        let pairs = [
            ("q", self.q.clone()),
            ("status", self.status.clone()),
            ("licensed", self.licensed.clone()),
            ("seat_type", self.seat_type.clone()),
            ("department_id", self.department_id.clone()),
        ];
        let mut kept: Vec<(&str, String)> =
            pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        if self.in_range != "true" {
            kept.push(("in_range", self.in_range.clone()));
        }
        if self.without_department {
            kept.push(("department_known", "false".into()));
        }
        let query = serde_urlencoded::to_string(&kept).unwrap_or_default();
        if query.is_empty() {
            "/members".into()
        } else {
            format!("/members?{query}")
        }
    }
}

#[component]
fn MemberList(corp_id: String, may_manage: bool) -> impl IntoView {
    let view_state = RwSignal::new(View::from_url());
    // The view is in the URL, replaced as it changes (the back button
    // leaves the page rather than undoing each keystroke).
    Effect::new(move |_| navigate(&view_state.with(View::url), true));
    let corp = StoredValue::new(corp_id);
    let names = LocalResource::new(move || {
        let corp = corp.get_value();
        async move { department_names(&corp).await }
    });
    let selection = Selection::new();
    // A new view clears the selection: it was made among other rows.
    Effect::new(move |_| {
        view_state.track();
        selection.clear();
    });
    let reloads = RwSignal::new(0u32);
    let set = move |f: fn(&mut View, String)| {
        move |ev: leptos::ev::Event| view_state.update(|v| f(v, event_target_value(&ev)))
    };
    let drawer = RwSignal::new(false);
    view! {
        <div class="members-page">
            <aside class="tree" class:open=move || drawer.get() data-testid="department-tree">
                <DepartmentTree
                    corp_id=corp.get_value()
                    chosen=Signal::derive(move || view_state.with(|v| v.department_id.clone()))
                    choose=Callback::new(move |id: String| { view_state.update(|v| v.department_id = id); drawer.set(false); })
                />
            </aside>
            <section class="card list">
                <h2>{tr(Text::NavMembers)}</h2>
                <div class="filters">
                    <button class="drawer-toggle" data-testid="tree-toggle" aria-expanded=move || drawer.get().to_string()
                        on:click=move |_| drawer.update(|o| *o = !*o)>{tr(Text::DepartmentsCol)}</button>
                    <input type="search" data-testid="member-search" aria-label=move || tr(Text::Search)()
                        placeholder=move || tr(Text::Search)() prop:value=move || view_state.with(|v| v.q.clone())
                        on:input=set(|v, x| v.q = x)/>
                    <select data-testid="status-filter" aria-label=move || tr(Text::StatusCol)()
                        prop:value=move || view_state.with(|v| v.status.clone()) on:change=set(|v, x| v.status = x)>
                        <option value="">{tr(Text::AllStatuses)}</option>
                        <option value="active">{tr(Text::Active)}</option>
                        <option value="departed">{tr(Text::Departed)}</option>
                    </select>
                    <select data-testid="licensed-filter" aria-label=move || tr(Text::SeatCol)()
                        prop:value=move || view_state.with(|v| v.licensed.clone()) on:change=set(|v, x| v.licensed = x)>
                        <option value="">{tr(Text::AnySeat)}</option>
                        <option value="true">{tr(Text::Licensed)}</option>
                        <option value="false">{tr(Text::Unlicensed)}</option>
                    </select>
                    <select data-testid="seat-type-filter" aria-label=move || tr(Text::SeatTypeLabel)()
                        prop:value=move || view_state.with(|v| v.seat_type.clone()) on:change=set(|v, x| v.seat_type = x)>
                        <option value="">{tr(Text::AnySeatType)}</option>
                        <option value="1">{tr(Text::BaseAccount)}</option>
                        <option value="2">{tr(Text::InterconnectAccount)}</option>
                    </select>
                    <select data-testid="range-filter" aria-label=move || tr(Text::RangeCol)()
                        prop:value=move || view_state.with(|v| v.in_range.clone()) on:change=set(|v, x| v.in_range = x)>
                        <option value="true">{tr(Text::InRange)}</option>
                        <option value="false">{tr(Text::OutOfRange)}</option>
                        <option value="">{tr(Text::AnyRange)}</option>
                    </select>
                    <label class="inline">
                        <input type="checkbox" data-testid="without-department-filter"
                            prop:checked=move || view_state.with(|v| v.without_department)
                            on:change=move |ev| view_state.update(|v| v.without_department = event_target_checked(&ev))/>
                        {tr(Text::OnlyWithoutDepartment)}
                    </label>
                    <a class="button" data-testid="members-export" download
                        href=move || {
                            let q = serde_urlencoded::to_string(view_state.with(View::filters)).unwrap_or_default();
                            format!("/api/v1/corps/{}/export/members.csv?{q}", corp.get_value())
                        }>{tr(Text::ExportCsv)}</a>
                </div>
                {may_manage.then(|| view! {
                    <BulkActivate corp_id=corp.get_value() selection=selection
                        filters=Signal::derive(move || view_state.with(View::filters))
                        done=Callback::new(move |_| reloads.update(|n| *n += 1))/>
                })}
                <MemberRows
                    corp_id=corp.get_value()
                    filters=Signal::derive(move || view_state.with(View::filters))
                    reloads=reloads.into()
                    names=names
                    selection=may_manage.then_some(selection)
                />
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_round_trips_through_its_url_and_defaults_to_the_range() {
        let v = View {
            q: "张".into(),
            licensed: "false".into(),
            department_id: "2".into(),
            in_range: "true".into(),
            ..View::default()
        };
        assert_eq!(
            v.url(),
            "/members?q=%E5%BC%A0&licensed=false&department_id=2"
        );
        let f = v.filters();
        assert_eq!(f.sub_departments.as_deref(), Some("true"));
        assert_eq!(f.in_range.as_deref(), Some("true"));
        assert_eq!(f.seat_type, None);
        let any = View {
            in_range: String::new(),
            without_department: true,
            ..View::default()
        };
        assert_eq!(any.url(), "/members?in_range=&department_known=false");
        assert_eq!(any.filters().in_range, None);
    }
}
