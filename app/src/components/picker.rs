//! Members and departments picked from a searchable list, never typed as
//! ids: members are searched on the server (name or userid, with the
//! form's own filters), departments among the in-range tree. A form that
//! must name someone the organisation has not put in range yet (the
//! forecast) also takes the typed text as it is.

use crate::api;
use crate::components::open_data::{DepartmentName, MemberName};
use crate::i18n::{tr, Text};
use domain::api::{DepartmentNode, MemberFilters, MemberQuery};
use leptos::prelude::*;

/// Members a search shows at once: a thumb's worth on a phone.
const SHOWN: usize = 8;
/// Departments shown at once (the list scrolls): WeCom gives third-party
/// apps department ids, not names (page 91122), so outside WeCom an admin
/// finds a department by scrolling its id as often as by typing.
const SHOWN_DEPARTMENTS: usize = 50;
/// The members route's `q` takes at most 48 bytes (`MemberFilters::q`).
const QUERY_MAX: usize = 48;

/// One member or department: its id, and the name we were given.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub id: String,
    pub name: String,
}

/// The ids of the picked members or departments, in the order picked.
pub fn ids(picked: Vec<Pick>) -> Vec<String> {
    picked.into_iter().map(|p| p.id).collect()
}

/// Where a picker's choices come from.
#[derive(Debug, Clone)]
pub enum PickFrom {
    /// Members matching these filters and the typed text.
    Members(MemberFilters),
    /// In-range departments whose name or id holds the typed text.
    Departments,
}

impl PickFrom {
    fn departments(&self) -> bool {
        matches!(self, PickFrom::Departments)
    }
}

/// Every department in the tree, parents first.
fn flatten(nodes: &[DepartmentNode], out: &mut Vec<Pick>) {
    for d in nodes {
        out.push(Pick {
            id: d.id.to_string(),
            name: d.name.clone(),
        });
        flatten(&d.children, out);
    }
}

/// The departments whose name or id holds `typed` (Latin case aside: a
/// full Unicode case table would add 10 KB to the wasm).
fn matching(all: &[Pick], typed: &str) -> Vec<Pick> {
    let typed = typed.trim().to_ascii_lowercase();
    all.iter()
        .filter(|p| p.id.contains(&typed) || p.name.to_ascii_lowercase().contains(&typed))
        .take(SHOWN_DEPARTMENTS)
        .cloned()
        .collect()
}

/// The typed text as a choice of its own, where the form takes names not
/// in the list: a department's id must be a number.
fn as_typed(typed: &str, departments: bool, shown: &[Pick]) -> Option<Pick> {
    let typed = typed.trim();
    let fits = !typed.is_empty() && (!departments || typed.parse::<u32>().is_ok());
    (fits && !shown.iter().any(|p| p.id == typed)).then(|| Pick {
        id: typed.to_owned(),
        name: String::new(),
    })
}

/// Members matching the typed text, or every in-range department (the
/// picker filters those as the admin types, without asking again).
async fn search(corp: String, from: PickFrom, typed: String) -> Result<Vec<Pick>, String> {
    match from {
        PickFrom::Members(filters) => {
            let q = typed.trim();
            let query = MemberQuery {
                filters: MemberFilters {
                    q: (!q.is_empty()).then(|| q.to_owned()),
                    ..filters
                },
                cursor: None,
                limit: Some(SHOWN.to_string()),
            };
            let page = api::members(&corp, &query).await.map_err(|e| e.message)?;
            Ok(page
                .items
                .into_iter()
                .map(|m| Pick {
                    id: m.userid,
                    name: m.name,
                })
                .collect())
        }
        PickFrom::Departments => {
            let tree = api::departments(&corp).await.map_err(|e| e.message)?;
            let mut all = vec![];
            flatten(&tree, &mut all);
            Ok(all)
        }
    }
}

fn name_of(departments: bool, p: Pick) -> AnyView {
    if departments {
        let id = p.id.parse().unwrap_or_default();
        view! { <DepartmentName id=id name=p.name/> }.into_any()
    } else {
        view! { <MemberName userid=p.id name=p.name/> }.into_any()
    }
}

/// A search box, the choices it finds, and the chosen ones (each with a
/// remove button). `one`: a new choice replaces the last; `typed_too`: the
/// typed text may be chosen as it is.
#[component]
pub fn Picker(
    corp_id: String,
    from: PickFrom,
    label: Text,
    chosen: RwSignal<Vec<Pick>>,
    testid: &'static str,
    #[prop(optional)] one: bool,
    #[prop(optional)] typed_too: bool,
) -> impl IntoView {
    let departments = from.departments();
    let typed = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    // Asked when the box is opened, and for members again as they type.
    let found = LocalResource::new(move || {
        let (corp, from, is_open) = (corp_id.clone(), from.clone(), open.get());
        let text = if departments {
            String::new()
        } else {
            typed.get()
        };
        async move {
            if is_open {
                search(corp, from, text).await
            } else {
                Ok(vec![])
            }
        }
    });
    let choose = move |p: Pick| {
        chosen.update(|c| {
            if one {
                c.clear();
            }
            if !c.iter().any(|x| x.id == p.id) {
                c.push(p);
            }
        });
        typed.set(String::new());
        open.set(false);
    };
    // The list closes when the focus leaves the picker.
    let here = NodeRef::<leptos::html::Div>::new();
    let leave = move |ev: leptos::ev::FocusEvent| {
        use wasm_bindgen::JsCast;
        let to = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = here
            .get_untracked()
            .zip(to)
            .is_some_and(|(div, to)| div.contains(Some(&to)));
        if !inside {
            open.set(false);
        }
    };
    let options = move || {
        let shown = match found.get() {
            None => return view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
            Some(Err(e)) => return view! { <p class="status bad">{e}</p> }.into_any(),
            Some(Ok(shown)) if departments => matching(&shown, &typed.get()),
            Some(Ok(shown)) => shown,
        };
        let extra = typed_too
            .then(|| as_typed(&typed.get(), departments, &shown))
            .flatten();
        if shown.is_empty() && extra.is_none() {
            return view! { <p class="muted">{tr(Text::NoMatch)}</p> }.into_any();
        }
        view! {
            // Pressing a choice keeps the focus in the search box, so the
            // list is still there when the press ends (iOS does not focus
            // buttons and would close it first).
            <ul class="picks" on:mousedown=|ev| ev.prevent_default()>
                {shown.into_iter().map(|p| {
                    // The id beside the name, unless the name is the id.
                    let id_too = (!p.name.is_empty() && p.name != p.id).then(|| p.id.clone());
                    let (chosen, at) = (p.clone(), p.id.clone());
                    view! {
                        <li><button type="button" data-pick=at on:click=move |_| choose(chosen.clone())>
                            {name_of(departments, p)} {id_too.map(|id| view! { " " <span class="muted">{id}</span> })}
                        </button></li>
                    }
                }).collect_view()}
                {extra.map(|p| {
                    let id = p.id.clone();
                    view! {
                        <li><button type="button" data-pick=id.clone() on:click=move |_| choose(p.clone())>
                            {tr(Text::UseTyped)} " " <code>{id.clone()}</code>
                        </button></li>
                    }
                })}
            </ul>
        }
        .into_any()
    };
    view! {
        <div class="picker" data-testid=testid node_ref=here on:focusout=leave
            on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <label>{tr(label)}
                <input type="search" autocomplete="off" maxlength=QUERY_MAX
                    data-testid=format!("{testid}-search")
                    placeholder=move || tr(if departments { Text::SearchDepartment } else { Text::SearchMember })()
                    prop:value=move || typed.get()
                    on:focus=move |_| open.set(true)
                    on:input=move |ev| { open.set(true); typed.set(event_target_value(&ev)); }/>
            </label>
            <ul class="chips" data-testid=format!("{testid}-chosen")>
                {move || chosen.get().into_iter().map(|p| {
                    let id = p.id.clone();
                    let label = format!("{} {id}", tr(Text::Remove)());
                    let at = id.clone();
                    view! {
                        <li data-pick=at>{name_of(departments, p)}
                            <button type="button" class="link" aria-label=label
                                on:click=move |_| chosen.update(|c| c.retain(|x| x.id != id))>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || open.get().then(options)}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(id: &str, name: &str) -> Pick {
        Pick {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn departments_are_found_by_name_or_id_and_typed_ids_must_be_numbers() {
        let all = [pick("2", "研发部"), pick("5", "前端组"), pick("3", "Sales")];
        assert_eq!(matching(&all, "前端"), [pick("5", "前端组")]);
        assert_eq!(matching(&all, "sal"), [pick("3", "Sales")]);
        assert_eq!(matching(&all, "").len(), 3);
        assert_eq!(as_typed("6", true, &all), Some(pick("6", "")));
        assert_eq!(as_typed("行政部", true, &all), None);
        assert_eq!(as_typed("5", true, &all), None, "already in the list");
        assert_eq!(
            as_typed("zhangsan", false, &all),
            Some(pick("zhangsan", ""))
        );
        assert_eq!(as_typed("  ", false, &all), None);
    }
}
