//! The in-range department tree with member counts (each department with
//! everyone below it); choosing one shows its whole subtree's members.

use crate::api;
use crate::components::open_data::DepartmentName;
use crate::i18n::{tr, Text};
use domain::api::DepartmentNode;
use leptos::prelude::*;

fn branch(nodes: Vec<DepartmentNode>, chosen: Signal<String>, choose: Callback<String>) -> AnyView {
    view! {
        <ul>
            {nodes.into_iter().map(|d| {
                let id = d.id.to_string();
                let here = id.clone();
                let children = (!d.children.is_empty()).then(|| branch(d.children, chosen, choose));
                view! {
                    <li>
                        <button class="node" data-department=id.clone()
                            aria-pressed=move || (chosen.get() == here).to_string()
                            on:click=move |_| choose.run(id.clone())>
                            <DepartmentName id=d.id name=d.name/>
                            " " <span class="muted">{d.total_count}</span>
                        </button>
                        {children}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn DepartmentTree(
    corp_id: String,
    chosen: Signal<String>,
    choose: Callback<String>,
) -> impl IntoView {
    let tree = LocalResource::new(move || {
        let corp = corp_id.clone();
        async move { api::departments(&corp).await }
    });
    view! {
        <nav aria-label=move || tr(Text::DepartmentsCol)()>
            <button class="node" data-department="" aria-pressed=move || chosen.get().is_empty().to_string()
                on:click=move |_| choose.run(String::new())>{tr(Text::AllDepartments)}</button>
            {move || match tree.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad">{e.message}</p> }.into_any(),
                Some(Ok(nodes)) => branch(nodes, chosen, choose),
            }}
        </nav>
    }
}
