//! Names as an admin should see them: WeCom gives third-party apps the
//! userid in place of a member's name and the id in place of a
//! department's (pages 91122, 90344), so a name is a `<ww-open-data>`
//! element that WeCom's JS-SDK fills with the real name inside WeCom
//! (`crate::wecom_sdk`); elsewhere it shows what the API gave.

use leptos::prelude::*;

/// What to show until (or unless) WeCom fills in the real name.
fn until_named(given: String, id: &str) -> String {
    if given.is_empty() {
        id.to_owned()
    } else {
        given
    }
}

#[component]
pub fn MemberName(userid: String, name: String) -> impl IntoView {
    let shown = until_named(name, &userid);
    view! { <ww-open-data type="userName" openid=userid>{shown}</ww-open-data> }
}

#[component]
pub fn DepartmentName(id: u64, name: String) -> impl IntoView {
    let id = id.to_string();
    let shown = until_named(name, &id);
    view! { <ww-open-data type="departmentName" openid=id>{shown}</ww-open-data> }
}
