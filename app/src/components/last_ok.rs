//! The last answer that arrived, kept on screen while a later call fails:
//! the console shows an error above what it already showed, not instead
//! of it.

use leptos::prelude::*;

/// The latest `Some` that `latest` gave, or `T::default()` before any.
/// `latest` reads an action's value or a resource and says `None` while
/// nothing new succeeded.
pub fn last_ok<T>(latest: impl Fn() -> Option<T> + Send + Sync + 'static) -> Memo<T>
where
    T: Clone + Default + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |shown: Option<&T>| {
        latest().unwrap_or_else(|| shown.cloned().unwrap_or_default())
    })
}
