//! The audit log: who did what and when, from admins' actions and
//! sign-ins to what WeCom pushed and what the cron repaired; filtered by
//! kind, member and days (the filters live in the URL, so a link shows the
//! same view), paged on the server, and exported as CSV with the same
//! filters.

use crate::api;
use crate::components::paged::{Paged, PAGE_SIZE};
use crate::components::session::WithSession;
use crate::format::given;
use crate::i18n::{audit_action, tr, use_lang, Text};
use crate::nav::{navigate, query_param};
use domain::api::{AuditFilters, AuditQuery, AUDIT_ACTIONS};
use domain::when::{date_time, day_start};
use leptos::prelude::*;

#[component]
pub fn Audit() -> impl IntoView {
    view! { <WithSession children=|s| view! { <AuditLog corp_id=s.corp_id/> }/> }
}

/// The filters as the audit route reads them, from the page's form values
/// (dates as a date picker gives them, the `to` day included).
fn filters(action: String, userid: String, from: String, to: String) -> AuditFilters {
    AuditFilters {
        action: given(action),
        userid: given(userid.trim().to_owned()),
        from: day_start(&from).map(|t| t.to_string()),
        to: day_start(&to).map(|t| (t + 86_400).to_string()),
    }
}

/// The export's address for these filters.
fn export_href(corp_id: &str, f: &AuditFilters) -> String {
    let query = serde_urlencoded::to_string(f).unwrap_or_default();
    format!("/api/v1/corps/{corp_id}/export/audit.csv?{query}")
}

#[component]
fn AuditLog(corp_id: String) -> impl IntoView {
    let lang = use_lang();
    let from_url = |name: &str| query_param(name).unwrap_or_default();
    let action = RwSignal::new(from_url("action"));
    let userid = RwSignal::new(from_url("userid"));
    let from = RwSignal::new(from_url("from"));
    let to = RwSignal::new(from_url("to"));
    // The view is in the URL (replaced, not pushed: the back button leaves
    // the page rather than undoing each keystroke).
    Effect::new(move |_| {
        let pairs = [
            ("action", action.get()),
            ("userid", userid.get()),
            ("from", from.get()),
            ("to", to.get()),
        ];
        let kept: Vec<(&str, String)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let query = serde_urlencoded::to_string(&kept).unwrap_or_default();
        let url = if query.is_empty() {
            "/audit".to_owned()
        } else {
            format!("/audit?{query}")
        };
        navigate(&url, true);
    });
    let current = move || filters(action.get(), userid.get(), from.get(), to.get());
    let corp = StoredValue::new(corp_id);
    let rows_of = Paged::new(move |cursor| {
        let query = AuditQuery {
            filters: current(),
            cursor,
            limit: Some(PAGE_SIZE.to_owned()),
        };
        let corp = corp.get_value();
        async move { api::audit(&corp, &query).await }
    });
    let rows = rows_of.shown();
    view! {
        <section class="card">
            <h2>{tr(Text::NavAudit)}</h2>
            <div class="filters">
                <label>{tr(Text::AuditKind)}
                    <select data-testid="audit-action" prop:value=move || action.get()
                        on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="">{tr(Text::AllKinds)}</option>
                        {AUDIT_ACTIONS.iter().map(|a| view! {
                            <option value=*a>{move || audit_action(lang.get(), a)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{tr(Text::AuditMember)}
                    <input type="search" data-testid="audit-userid" prop:value=move || userid.get()
                        on:change=move |ev| userid.set(event_target_value(&ev))/>
                </label>
                <label>{tr(Text::FromDay)}
                    <input type="date" data-testid="audit-from" prop:value=move || from.get()
                        on:change=move |ev| from.set(event_target_value(&ev))/>
                </label>
                <label>{tr(Text::ToDay)}
                    <input type="date" data-testid="audit-to" prop:value=move || to.get()
                        on:change=move |ev| to.set(event_target_value(&ev))/>
                </label>
                <a class="button" data-testid="audit-export" download
                    href=move || export_href(&corp.get_value(), &current())>{tr(Text::ExportCsv)}</a>
            </div>
            {move || rows_of.error().map(|e| view! { <p class="status bad" role="alert">{e}</p> })}
            <table class="members audit" data-testid="audit-table">
                <thead><tr>
                    <th scope="col">{tr(Text::AtCol)}</th><th scope="col">{tr(Text::ActorCol)}</th>
                    <th scope="col">{tr(Text::AuditKind)}</th><th scope="col">{tr(Text::DetailCol)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || rows.with(|r| r.items.clone()) key=|r| r.id let:r>
                        <tr data-action=r.action.clone()>
                            <td data-label=move || tr(Text::AtCol)()>{date_time(r.at)}</td>
                            <td data-label=move || tr(Text::ActorCol)()><code>{r.actor.clone()}</code></td>
                            <td data-label=move || tr(Text::AuditKind)()>{
                                let a = r.action.clone();
                                move || audit_action(lang.get(), &a)
                            }</td>
                            <td data-label=move || tr(Text::DetailCol)()><code class="detail">{r.detail.to_string()}</code></td>
                        </tr>
                    </For>
                </tbody>
            </table>
            {move || (rows_of.answered() && rows.with(|r| r.items.is_empty())).then(|| view! { <p class="muted">{tr(Text::NoAuditRows)}</p> })}
            <p class="muted">
                {tr(Text::Shown)} " " <span data-testid="shown-count">{move || rows.with(|r| r.items.len())}</span> " / "
                <span data-testid="total-count">{move || rows.with(|r| r.total)}</span>
            </p>
            {move || rows.with(|r| r.next_cursor.is_some()).then(|| view! {
                <button data-testid="load-more" on:click=move |_| rows_of.load_more()>{tr(Text::LoadMore)}</button>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picked_days_become_a_window_that_includes_the_last_day() {
        let f = filters(
            "signed_in".into(),
            " boss ".into(),
            "2024-03-01".into(),
            "2024-03-01".into(),
        );
        assert_eq!(f.action.as_deref(), Some("signed_in"));
        assert_eq!(f.userid.as_deref(), Some("boss"));
        assert_eq!(f.from.as_deref(), Some("1709222400"));
        assert_eq!(f.to.as_deref(), Some("1709308800"));
        let none = filters(String::new(), String::new(), String::new(), "x".into());
        assert_eq!(none, AuditFilters::default());
    }

    #[test]
    fn the_export_link_carries_the_filters() {
        let f = filters(
            "seats_activated".into(),
            "dev1".into(),
            String::new(),
            String::new(),
        );
        assert_eq!(
            export_href("wwc", &f),
            "/api/v1/corps/wwc/export/audit.csv?action=seats_activated&userid=dev1"
        );
    }
}
