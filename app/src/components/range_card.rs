//! The visible range at a glance: counts, the members WeCom gives no
//! department for (with the fix), and the last sync.

use crate::api;
use crate::components::refresh::sleep;
use crate::i18n::{tr, use_lang, Lang, Text};
use crate::nav::Link;
use leptos::prelude::*;

fn when(ts: Option<u64>) -> String {
    match ts {
        None => String::new(),
        Some(t) => {
            let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t as f64 * 1000.0));
            d.to_locale_string("zh-CN", &wasm_bindgen::JsValue::UNDEFINED)
                .into()
        }
    }
}

#[component]
pub fn RangeCard(corp_id: String, may_manage: bool) -> impl IntoView {
    let lang = use_lang();
    let corp = StoredValue::new(corp_id);
    // How far the running sync is: chunks of departments done / planned.
    let progress = RwSignal::new(None::<(u64, u64)>);
    // Starts a sync and waits until that run (by its id, not whichever
    // ran last) is done, or a minute has passed.
    let sync_now = Action::new_local(move |_: &()| {
        let corp = corp.get_value();
        async move {
            let Ok(started) = api::start_sync(&corp).await else {
                return;
            };
            for _ in 0..120 {
                sleep(500).await;
                if let Ok(s) = api::sync_status(&corp).await {
                    if s.id.as_deref() == Some(started.id.as_str()) && s.state != "running" {
                        break;
                    }
                    progress.set(s.progress.map(|p| (p.chunks_done, p.chunks_total)));
                }
            }
            progress.set(None);
        }
    });
    let syncing = sync_now.pending();
    // The numbers load again once a sync ended.
    let synced = sync_now.version();
    let range = LocalResource::new(move || {
        synced.track();
        let corp = corp.get_value();
        async move { api::range(&corp).await }
    });
    let sync = LocalResource::new(move || {
        synced.track();
        let corp = corp.get_value();
        async move { api::sync_status(&corp).await }
    });
    view! {
        <section class="card range" data-testid="range-card">
            <h2>{tr(Text::VisibleRange)}</h2>
            {move || match range.get() {
                None => view! { <p class="muted">{tr(Text::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status bad">{e.message}</p> }.into_any(),
                Some(Ok(r)) => {
                    let advice = if lang.get() == Lang::Zh { r.advice.zh.clone() } else { r.advice.en.clone() };
                    view! {
                        <ul class="checks">
                            <li class="check"><span>{tr(Text::MembersInRange)}</span><strong data-testid="members-in-range">{r.members_in_range}</strong></li>
                            <li class="check"><span>{tr(Text::DepartmentsInRange)}</span><strong>{r.departments_in_range}</strong></li>
                            <li class="check"><span>{tr(Text::WithoutDepartment)}</span><strong data-testid="without-department">{r.members_without_department}</strong></li>
                        </ul>
                        {(r.members_without_department > 0).then(|| view! {
                            <div class="notice" data-testid="no-department-advice">
                                <p>{advice}</p>
                                <Link href="/members?department_known=false">{tr(Text::ShowThem)}</Link>
                            </div>
                        })}
                    }.into_any()
                }
            }}
            <p class="muted">
                {tr(Text::LastSync)} ": "
                {move || match sync.get() {
                    Some(Ok(s)) if s.last_synced_at.is_some() => when(s.last_synced_at),
                    _ => tr(Text::Never)().to_owned(),
                }}
            </p>
            {may_manage.then(|| view! {
                <button data-testid="sync-now" on:click=move |_| { sync_now.dispatch(()); } disabled=move || syncing.get()>
                    {move || if syncing.get() { tr(Text::Syncing)() } else { tr(Text::SyncNow)() }}
                    {move || progress.get().filter(|&(_, total)| total > 0).map(|(done, total)| view! {
                        " " <span data-testid="sync-progress">{format!("{done}/{total}")}</span>
                    })}
                </button>
            })}
        </section>
    }
}
