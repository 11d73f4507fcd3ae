//! A list read page by page (members, seat accounts): the first page loads
//! through a `LocalResource` keyed on the filters its fetcher reads, "load
//! more" continues below the rows shown, and a failed load leaves those
//! rows on screen under its error.

use crate::api::ApiFailure;
use crate::components::last_ok::last_ok;
use domain::api::Page;
use leptos::prelude::*;
use std::future::Future;

/// Rows one request asks for.
pub const PAGE_SIZE: &str = "100";

/// The rows loaded so far, how many the filters match, and where the list
/// continues.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub next_cursor: Option<String>,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows {
            items: Vec::new(),
            total: 0,
            next_cursor: None,
        }
    }
}

pub struct Paged<T: Send + Sync + 'static> {
    loaded: LocalResource<Result<Rows<T>, ApiFailure>>,
    shown: Memo<Rows<T>>,
    /// The rows "load more" continues, taken by the load it starts.
    continued: StoredValue<Option<Rows<T>>>,
    more: Trigger,
}

impl<T: Send + Sync> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync> Copy for Paged<T> {}

impl<T: Clone + PartialEq + Send + Sync + 'static> Paged<T> {
    /// `fetch(cursor)` asks for one page. The signals it reads are the
    /// list's filters: when one changes, the list starts again at page one.
    pub fn new<Fut>(fetch: impl Fn(Option<String>) -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<Page<T>, ApiFailure>> + 'static,
    {
        let continued = StoredValue::new(None::<Rows<T>>);
        let more = Trigger::new();
        let loaded = LocalResource::new(move || {
            more.track();
            let above = continued.try_update_value(Option::take).flatten();
            let page = fetch(above.as_ref().and_then(|rows| rows.next_cursor.clone()));
            async move {
                let page = page.await?;
                let mut items = above.map(|rows| rows.items).unwrap_or_default();
                items.extend(page.items);
                Ok(Rows {
                    items,
                    total: page.total,
                    next_cursor: page.next_cursor,
                })
            }
        });
        let shown = last_ok(move || loaded.with(|l| Some(l.as_ref()?.as_ref().ok()?.clone())));
        Paged {
            loaded,
            shown,
            continued,
            more,
        }
    }

    /// The rows on screen: the last list that loaded.
    pub fn shown(self) -> Memo<Rows<T>> {
        self.shown
    }

    /// Why the last load failed, while it is the last.
    pub fn error(self) -> Option<String> {
        self.loaded
            .with(|l| l.as_ref()?.as_ref().err().map(|e| e.message.clone()))
    }

    /// Whether a first answer came (until then an empty list is not yet
    /// "nothing matches").
    pub fn answered(self) -> bool {
        self.loaded.with(Option::is_some)
    }

    /// Loads the next page below the rows shown.
    pub fn load_more(self) {
        let rows = self.shown.get_untracked();
        if rows.next_cursor.is_some() {
            self.continued.set_value(Some(rows));
            self.more.notify();
        }
    }
}
