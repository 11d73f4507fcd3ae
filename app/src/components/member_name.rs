//! A member's name as an admin should see it: WeCom gives third-party apps
//! the userid in place of the name, so the name is a `<ww-open-data>`
//! element that WeCom's JS-SDK fills with the real name inside WeCom
//! (`crate::wecom_sdk`); elsewhere it shows what the API gave.

use leptos::prelude::*;

#[component]
pub fn MemberName(userid: String, name: String) -> impl IntoView {
    let shown = if name.is_empty() {
        userid.clone()
    } else {
        name
    };
    view! { <ww-open-data type="userName" openid=userid>{shown}</ww-open-data> }
}
